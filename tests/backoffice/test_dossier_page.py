"""The dossier page (/can-bo/ho-so/<code>/): what it shows, the buttons each person gets, and every
action posted through it — refused by the engine with its Vietnamese message and rule id, or applied."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.demo.signing import signed_pdf
from motcua.documents.services import store_document
from motcua.dossiers.models import Dossier
from tests.dossiers.kit import (
    ON_THE_SPOT,
    act,
    consult,
    consulted_processing,
    doc,
    fresh,
    notary_processing,
    notary_received,
    submit,
)

PDF = b"%PDF-1.4\n% MotCua page test\n"
NOW = timezone.now().replace(microsecond=0)


def page_url(d) -> str:
    return f"/can-bo/ho-so/{d.code}/"


def action_url(d, action: str) -> str:
    return f"/can-bo/ho-so/{d.code}/thao-tac/{action}/"


def pdf(name: str = "van-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def post(client, d, action: str, *, htmx: bool = False, **fields):
    fields.setdefault("version", fresh(d).version)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(action_url(d, action), fields, headers=headers)


def html(response) -> str:
    return response.content.decode()


def form_ids(response) -> set[str]:
    return set(re.findall(r'<form[^>]* id="form-([\w-]+)"', html(response)))


# --- what the page shows -------------------------------------------------------------------------


def test_page_shows_the_dossier_its_timeline_and_print_links(client_for):
    d = notary_processing(NOW)
    response = client_for("chuyenvien.sotuphap").get(page_url(d))
    assert response.status_code == 200
    body = html(response)
    for section in ("thao-tac", "thong-tin", "nguoi-nop", "thoi-gian", "tai-lieu", "le-phi", "in-an"):
        assert f'id="{section}"' in body, section
    assert 'id="tien-trinh"' in body and 'id="phieu-kiem-soat"' in body and 'id="nhat-ky"' in body
    assert "Nguyễn Văn Thử" in body and "075088000001" in body and "Công dân" in body
    assert "Thành lập Văn phòng công chứng" in body and "Trường hợp chung" in body
    assert "Trung tâm Phục vụ hành chính công tỉnh Đồng Nai" in body and "Sở Tư pháp" in body
    assert "Đang xử lý" in body and "DVCQG 4" in body
    assert "Phí: 1.000.000 đồng" in body and "Chưa nộp" in body
    received = timezone.localtime(fresh(d).received_at).strftime("%H:%M %d/%m/%Y")
    assert received in body  # local time (Asia/Ho_Chi_Minh), HH:MM dd/mm/yyyy
    # planned vs actual per step, with the handler; then the event log with from → to.
    assert "Tiếp nhận hồ sơ" in body or "Bước 1" in body
    assert "Huỳnh Thu Lan" in body  # the counter officer who received it
    assert "Mới nộp, chờ tiếp nhận → Đã tiếp nhận, chờ chuyển xử lý" in body
    assert "Bàn giao từ Trung tâm Phục vụ hành chính công tỉnh Đồng Nai cho Sở Tư pháp" in body
    assert "/in/giay-tiep-nhan.pdf" in body and "/in/phieu-kiem-soat.pdf" in body
    assert "/in/tu-choi.pdf" not in body
    assert re.search(r'id="han-xu-ly">Còn \d+ ngày làm việc', body)


def test_overdue_badge_and_the_heads_apology_form(client_for):
    d = notary_processing(NOW - datetime.timedelta(days=60))
    body = html(client_for("lanhdao.sotuphap").get(page_url(d)))
    assert re.search(r'class="badge badge-danger" id="han-xu-ly">Quá hạn', body)
    assert 'id="form-apologise"' in body and 'name="new_due_at"' in body and 'type="datetime-local"' in body


@pytest.mark.parametrize(
    "username, expected",
    [
        ("chuyenvien.sotuphap", {"forward", "return_to_step", "request_supplement", "consult", "pause"}),
        (
            "lanhdao.sotuphap",
            {"forward", "return_to_step", "request_supplement", "consult", "pause", "stop", "apologise"},
        ),
        ("tiepnhan.tinh", {"request_withdrawal"}),
    ],
)
def test_r26_only_the_actions_this_person_may_take_are_offered(client_for, username, expected):
    d = notary_processing(NOW)
    response = client_for(username).get(page_url(d))
    assert response.status_code == 200
    assert form_ids(response) == expected


def test_a_dossier_of_another_unit_is_not_found(client_for):
    d = notary_processing(NOW)
    response = client_for("chuyenvien.soxaydung").get(page_url(d))
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ." in html(response)
    before = fresh(d).version
    assert post(client_for("chuyenvien.soxaydung"), d, "forward").status_code == 404
    assert fresh(d).version == before


def test_each_action_form_has_exactly_its_fields(client_for):
    d = notary_processing(NOW)
    body = html(client_for("lanhdao.sotuphap").get(page_url(d)))
    pause = body[body.index('id="form-pause"') : body.index("</form>", body.index('id="form-pause"'))]
    assert 'name="pause_reason"' in pause and 'name="version"' in pause and 'name="reason"' in pause
    assert 'value="financial_obligation"' in pause and 'value="force_majeure"' in pause
    assert 'name="items"' not in pause
    supplement = body[body.index('id="form-request_supplement"') :]
    supplement = supplement[: supplement.index("</form>")]
    assert 'name="items"' in supplement and "Mỗi dòng một nội dung" in supplement
    consult_form = body[body.index('id="form-consult"') :]
    consult_form = consult_form[: consult_form.index("</form>")]
    assert 'name="to_unit"' in consult_form and 'name="reply_days"' in consult_form
    assert "Sở Tài chính" in consult_form and 'name="files"' in consult_form
    inputs = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]* id="([\w-]+)"', body)
    assert len(inputs) > 20
    for input_id in inputs:
        assert f'for="{input_id}"' in body, f"{input_id} has no label"


# --- acting through the page ------------------------------------------------------------------------


def test_r13_pause_refused_while_a_consultation_is_open_shows_the_rule_and_changes_nothing(client_for):
    d = consult(consulted_processing(NOW), now=NOW)
    version = fresh(d).version
    client = client_for("chuyenvien.sonoivu")
    response = post(client, d, "pause", pause_reason="financial_obligation", reason="Chờ nộp phí thẩm định")
    assert response.status_code == 422
    body = html(response)
    assert "Không thể tạm dừng hồ sơ đang chờ ý kiến của cơ quan khác." in body
    assert "R-13" in body and 'id="refusal"' in body
    assert 'id="action-pause" open' in body  # shown where the officer acted
    assert (fresh(d).version, fresh(d).state) == (version, "processing")

    partial = post(client, d, "pause", htmx=True, pause_reason="financial_obligation", reason="Chờ nộp phí")
    assert partial.status_code == 422
    assert "R-13" in html(partial) and "<html" not in html(partial)
    assert html(partial).lstrip().startswith("{#") is False and 'id="action-pause"' in html(partial)
    assert fresh(d).version == version


def test_a_stale_version_gets_409_with_reload_advice(client_for):
    d = notary_processing(NOW)
    client = client_for("chuyenvien.sotuphap")
    stale = fresh(d).version - 1
    response = post(client, d, "forward", version=stale)
    assert response.status_code == 409
    body = html(response)
    assert "phiên bản hiện tại" in body and "Tải lại hồ sơ" in body
    assert fresh(d).version == stale + 1


def test_a_successful_action_redirects_back_and_is_recorded(client_for):
    d = notary_processing(NOW)
    client = client_for("chuyenvien.sotuphap")
    response = post(client, d, "forward", reason="Đủ điều kiện, trình lãnh đạo phòng")
    assert response.status_code == 302 and response["Location"] == page_url(d)
    event = fresh(d).events.order_by("-seq").first()
    assert (event.action, event.reason) == ("forward", "Đủ điều kiện, trình lãnh đạo phòng")
    assert event.actor.username == "chuyenvien.sotuphap"
    followed = client.get(page_url(d))
    assert "Đã thực hiện “Chuyển bước xử lý” trên hồ sơ" in html(followed)
    assert "Đủ điều kiện, trình lãnh đạo phòng" in html(followed)

    boss = client_for("truongphong.sotuphap")
    response = post(boss, d, "forward", htmx=True)
    assert response.status_code == 200 and response["HX-Redirect"] == page_url(d)
    assert fresh(d).current_step.order == 4


def test_files_uploaded_with_an_action_are_stored_and_cited(client_for):
    d = notary_processing(NOW)
    client = client_for("tiepnhan.tinh")
    response = post(
        client, d, "request_withdrawal", reason="Không còn nhu cầu", files=[pdf("Đơn xin rút.pdf")]
    )
    assert response.status_code == 302
    d = fresh(d)
    assert d.state == "withdrawal_requested"
    link = d.attachments.select_related("document").get()
    assert (link.document.name, link.document.kind) == ("Đơn xin rút.pdf", "withdrawal_request")
    assert d.events.order_by("-seq").first().documents == [str(link.document_id)]


def test_r15_unsigned_approval_refused_and_no_document_left_behind(client_for):
    from motcua.documents.models import Document

    d = notary_processing(NOW)
    d = act(d, "request_withdrawal", "tiepnhan.tinh", now=NOW, documents=[doc("withdrawal_request")])
    documents = Document.objects.count()
    head = client_for("lanhdao.sotuphap")
    response = post(head, d, "approve_withdrawal", files=[pdf("Đồng ý.pdf")])
    assert response.status_code == 422 and "R-15" in html(response)
    assert Document.objects.count() == documents
    # A "signed" checkbox no longer exists: only a PDF whose signature verifies is accepted.
    signed = SimpleUploadedFile(
        "Đồng ý.pdf", signed_pdf("Văn bản đồng ý rút hồ sơ"), content_type="application/pdf"
    )
    response = post(head, d, "approve_withdrawal", files=[signed])
    assert response.status_code == 302 and fresh(d).state == "withdrawn"
    assert "Đã ký số: LÃNH ĐẠO THỬ NGHIỆM MOTCUA" in html(head.get(page_url(d)))


def test_bad_input_is_a_vietnamese_400_never_a_500(client_for):
    d = notary_processing(NOW)
    client = client_for("chuyenvien.sotuphap")
    version = fresh(d).version
    unlawful = post(client, d, "pause", pause_reason="nghi_le", reason="Nghỉ lễ dài ngày")
    assert unlawful.status_code == 400 and "Dữ liệu nhập chưa hợp lệ: Căn cứ tạm dừng." in html(unlawful)
    no_version = client.post(action_url(d, "forward"), {"reason": "x"})
    assert no_version.status_code == 400 and "tải lại trang hồ sơ" in html(no_version)
    wrong_type = post(client, d, "forward", files=[SimpleUploadedFile("virus.exe", b"MZ\x90\x00")])
    assert wrong_type.status_code == 400 and "Chỉ nhận tệp PDF, JPG, PNG, DOCX, XLSX hoặc XML." in html(
        wrong_type
    )
    renamed = post(client, d, "forward", files=[SimpleUploadedFile("scan.pdf", b"MZ\x90\x00")])
    assert renamed.status_code == 400 and "không khớp với phần mở rộng" in html(renamed)
    assert client.post(action_url(d, "bay"), {"version": version}).status_code == 404
    assert client.get(action_url(d, "forward")).status_code == 405
    assert fresh(d).version == version


def test_r12_consultation_shown_and_answered_from_the_page(client_for):
    d = consult(consulted_processing(NOW), now=NOW)
    consultation = fresh(d).consultations.get()
    lead = html(client_for("chuyenvien.sonoivu").get(page_url(d)))
    assert 'id="xin-y-kien"' in lead and "Đề nghị cho ý kiến về phương án tài chính" in lead
    assert "Chưa trả lời" in lead and f'id="form-answer-{consultation.pk}"' not in lead

    finance = client_for("chuyenvien.sotaichinh")
    body = html(finance.get(page_url(d)))
    assert f'id="form-answer-{consultation.pk}"' in body
    assert form_ids(finance.get(page_url(d))) == {f"answer-{consultation.pk}"}
    refused = post(finance, d, "answer_consultation", consultation_id=consultation.pk, answer="Ừ")
    assert refused.status_code == 422 and "Phải nhập nội dung trả lời." in html(refused)
    assert f'id="action-answer-{consultation.pk}" open' in html(refused)
    response = post(
        finance, d, "answer_consultation", consultation_id=consultation.pk, answer="Sở Tài chính thống nhất."
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.answer == "Sở Tài chính thống nhất." and consultation.answered_late is False
    after = html(finance.get(page_url(d)))
    assert "Sở Tài chính thống nhất." in after and "Đúng hạn" in after


def test_on_the_spot_dossier_offers_result_and_return_at_once(client_for):
    d = submit(ON_THE_SPOT, channel="counter", actor="tiepnhan.tranbien", now=NOW)
    d = act(d, "receive", "tiepnhan.tranbien", now=NOW)
    body = html(client_for("tiepnhan.tranbien").get(page_url(d)))
    assert 'id="tai-cho"' in body and 'id="action-issue_result" open' in body


# --- documents ------------------------------------------------------------------------------------------


def test_documents_open_only_through_a_dossier_the_user_may_see(client_for):
    d = notary_processing(NOW)
    document = doc("submitted", name="Đơn đề nghị.pdf")
    d = act(d, "forward", "chuyenvien.sotuphap", now=NOW, documents=[document])
    url = f"/can-bo/ho-so/{d.code}/tai-lieu/{document.pk}/"

    shown = client_for("chuyenvien.sotuphap").get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%C4%90%C6%A1n" in shown["Content-Disposition"]
    assert b"".join(shown.streaming_content).startswith(b"%PDF-")
    downloaded = client_for("chuyenvien.sotuphap").get(url + "?tai-ve=1")
    assert downloaded["Content-Disposition"].startswith("attachment;")

    assert client_for("chuyenvien.soxaydung").get(url).status_code == 404  # another unit
    other = notary_received(NOW)
    foreign = f"/can-bo/ho-so/{other.code}/tai-lieu/{document.pk}/"  # not this dossier's document
    assert client_for("tiepnhan.tinh").get(foreign).status_code == 404
    xml = store_document(name="du-lieu.xml", content=b"<?xml version='1.0'?><x/>", kind="other")
    act(d, "forward", "truongphong.sotuphap", now=NOW, documents=[xml])
    served = client_for("chuyenvien.sotuphap").get(f"/can-bo/ho-so/{d.code}/tai-lieu/{xml.pk}/")
    assert served["Content-Disposition"].startswith("attachment;")  # never rendered as a page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    d = Dossier(code="X")
    response = client.get(page_url(d))
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]
