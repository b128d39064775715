"""`/xac-thuc/`: the verification page without a browser (the browser test is tests/e2e)."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.integrations import registry
from tests.documents.sealing import issue_sealed_result


@pytest.fixture
def sealed(settings, test_ca):
    cache.clear()
    yield issue_sealed_result(settings, test_ca)
    registry.reset()
    cache.clear()


def test_r30_page_by_code_shows_the_verdict_and_no_file_to_strangers(client, sealed):
    dossier, result = sealed
    page = client.get("/xac-thuc/", {"ma": result.verification_code})
    text = page.content.decode()
    assert page.status_code == 200 and "Hợp lệ" in text and "Không hợp lệ" not in text
    assert dossier.deciding_unit.name in text and result.name in text
    assert dossier.code not in text and dossier.applicant_name not in text
    assert "/giay-to/" not in text


def test_r30_page_offers_the_file_to_the_dossiers_owner(client, sealed, django_user_model):
    dossier, result = sealed
    client.force_login(django_user_model.objects.get(username="congdan1"))
    text = client.get("/xac-thuc/", {"ma": result.verification_code}).content.decode()
    assert f"/ho-so-cua-toi/{dossier.code}/giay-to/{result.pk}/" in text
    mine = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert result.verification_code in mine


def test_r30_page_checks_an_uploaded_file(client, sealed):
    _, result = sealed
    with result.file.open("rb") as handle:
        content = handle.read()
    page = client.post("/xac-thuc/", {"tep": SimpleUploadedFile("ket-qua.pdf", content)})
    assert page.status_code == 200 and "Hợp lệ" in page.content.decode()
    broken = bytearray(content)
    broken[broken.index(b"stream") + 20] ^= 0x01
    page = client.post("/xac-thuc/", {"tep": SimpleUploadedFile("ket-qua.pdf", bytes(broken))})
    assert "Không hợp lệ" in page.content.decode()


def test_page_refuses_a_renamed_file_and_an_unknown_code(client, db):
    cache.clear()
    page = client.post("/xac-thuc/", {"tep": SimpleUploadedFile("ket-qua.pdf", b"MZ\x90")})
    assert page.status_code == 400 and "không phải PDF" in page.content.decode()
    page = client.get("/xac-thuc/", {"ma": "ABCD-EFGH-JKMN"})
    assert page.status_code == 404 and "Không tìm thấy kết quả" in page.content.decode()
