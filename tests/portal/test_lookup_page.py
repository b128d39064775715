"""The public status look-up page (the receipt's QR code opens it): no sign-in, nothing to probe."""

import pytest
from django.core.cache import cache

from tests.dossiers.kit import NOTARY, at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters(demo):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dossier():
    return submit(NOTARY, now=at("2026-03-02 08:00"))


def test_home_links_the_lookup_and_the_back_office(client):
    page = client.get("/").content.decode()
    assert 'href="/tra-cuu/"' in page and 'href="/can-bo/"' in page


def test_lookup_with_the_receipt_secret_shows_the_status_and_a_masked_name(client, dossier):
    page = client.get("/tra-cuu/", {"ma": dossier.code, "ma_tra_cuu": dossier.lookup_secret.lower()})
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Hồ sơ {dossier.code}" in text and "Mới nộp, chờ tiếp nhận" in text
    assert "N*** V*** T***" in text and dossier.applicant_name not in text


def test_lookup_wrong_secret_answers_like_an_unknown_code(client, dossier):
    wrong = client.get("/tra-cuu/", {"ma": dossier.code, "ma_tra_cuu": "AAAAAAAA"})
    unknown = client.get("/tra-cuu/", {"ma": "000.00.00.H19-260302-9999", "ma_tra_cuu": "AAAAAAAA"})
    assert wrong.status_code == unknown.status_code == 404
    message = "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập."
    assert message in wrong.content.decode() and message in unknown.content.decode()


def test_lookup_needs_both_fields(client):
    page = client.get("/tra-cuu/", {"ma": "000.00.30.H19-260302-0001"})
    assert page.status_code == 400 and "cả mã hồ sơ và mã tra cứu" in page.content.decode()
    assert client.get("/tra-cuu/").status_code == 200  # the empty form


def test_lookup_is_limited_per_address(client, dossier):
    for _ in range(30):
        client.get("/tra-cuu/", {"ma": dossier.code, "ma_tra_cuu": "AAAAAAAA"})
    blocked = client.get("/tra-cuu/", {"ma": dossier.code, "ma_tra_cuu": dossier.lookup_secret})
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.content.decode()
