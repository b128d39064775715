"""The officers' print pages under /can-bo/: a form of a dossier as an inline PDF, the register page
and its PDF — through Django's test client, signed in as the demo officers."""

import datetime

import pytest
from django.urls import reverse

from motcua.org.models import Counter
from tests.dossiers.kit import CENTRE, WARD_CENTRE, act, at, notary_processing, notary_received, submit, user
from tests.printing import pdf


def form_url(code: str, form: str) -> str:
    return reverse("backoffice:dossier-pdf", args=[code, form])


@pytest.fixture
def signed_in(client):
    def as_(username: str):
        client.force_login(user(username))
        return client

    return as_


def test_receipt_is_an_inline_pdf_whose_qr_points_to_this_sites_lookup(signed_in, tmp_path):
    d = notary_received(at("2026-03-02 08:00"))
    response = signed_in("tiepnhan.tinh").get(form_url(d.code, "giay-tiep-nhan"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="giay-tiep-nhan-{d.code}.pdf"'
    assert response.content.startswith(b"%PDF")
    flat = pdf.flat(response.content, tmp_path)
    assert f"http://testserver/tra-cuu/?ma={d.code}&ma_tra_cuu={d.lookup_secret}" in flat
    assert pdf.squash("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") in flat


def test_another_units_officer_unknown_forms_and_missing_events_are_refused_in_vietnamese(signed_in, client):
    d = notary_processing(at("2026-03-02 08:00"))
    outsider = signed_in("chuyenvien.soxaydung").get(form_url(d.code, "phieu-kiem-soat"))
    assert outsider.status_code == 404 and "Không tìm thấy hồ sơ." in outsider.content.decode()

    officer = signed_in("chuyenvien.sotuphap")
    assert officer.get(form_url(d.code, "phieu-kiem-soat"))["Content-Type"] == "application/pdf"
    unknown = officer.get(form_url(d.code, "to-khai"))
    assert unknown.status_code == 404 and "Không có biểu mẫu này." in unknown.content.decode()
    missing = officer.get(form_url("000.00.40.H19-260302-9999", "phieu-kiem-soat"))
    assert missing.status_code == 404
    not_yet = officer.get(form_url(d.code, "xin-loi"))
    assert not_yet.status_code == 422
    page = not_yet.content.decode()
    assert "chưa có văn bản xin lỗi" in page and "R-27" in page

    client.logout()
    anonymous = client.get(form_url(d.code, "phieu-kiem-soat"))
    assert anonymous.status_code == 302 and reverse("backoffice:login") in anonymous["Location"]


def test_register_page_offers_only_the_users_places_and_prints_the_pdf(signed_in, tmp_path):
    d = submit("2.000815", channel="counter", actor="tiepnhan.tranbien", now=at("2026-03-02 09:00"))
    d = act(d, "receive", "tiepnhan.tranbien", now=at("2026-03-02 09:05"))
    browser = signed_in("tiepnhan.tranbien")
    page = browser.get(reverse("backoffice:register"))
    html = page.content.decode()
    assert page.status_code == 200 and page.context["nav"] == "register"
    assert 'aria-current="page">Sổ theo dõi' in html
    assert f'value="dv:{WARD_CENTRE}"' in html and CENTRE not in html
    assert "In Sổ theo dõi (PDF)" in html

    query = {"noi": f"dv:{WARD_CENTRE}", "tu_ngay": "2026-03-02", "den_ngay": "2026-03-02"}
    preview = browser.get(reverse("backoffice:register"), query)
    assert preview.status_code == 200 and d.code in preview.content.decode()

    printed = browser.get(reverse("backoffice:register"), {**query, "format": "pdf"})
    assert printed["Content-Type"] == "application/pdf"
    assert printed["Content-Disposition"] == (
        f'inline; filename="so-theo-doi-dv-{WARD_CENTRE.replace(".", "-")}-20260302-20260302.pdf"'
    )
    assert d.code in pdf.flat(printed.content, tmp_path)

    centre_counter = Counter.objects.get(centre__code=CENTRE, number=1)
    foreign = browser.get(
        reverse("backoffice:register"), {**query, "noi": f"quay:{centre_counter.pk}", "format": "pdf"}
    )
    assert foreign.status_code == 400 and "không thuộc các đơn vị của bạn" in foreign.content.decode()
    too_long = browser.get(
        reverse("backoffice:register"),
        {**query, "den_ngay": str(datetime.date(2026, 4, 15)), "format": "pdf"},
    )
    assert too_long.status_code == 400 and "tối đa 31 ngày" in too_long.content.decode()


def test_receipt_qr_uses_the_public_address_when_set(signed_in, tmp_path, settings):
    settings.PUBLIC_URL = "https://dichvucong.dongnai.gov.vn/"
    d = notary_received(at("2026-03-02 08:00"))
    content = signed_in("tiepnhan.tinh").get(form_url(d.code, "giay-tiep-nhan")).content
    assert f"https://dichvucong.dongnai.gov.vn/tra-cuu/?ma={d.code}" in pdf.flat(content, tmp_path)
