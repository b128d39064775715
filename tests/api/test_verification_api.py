"""`/api/v1/verification`: an electronic result checked by machines, by file or by code (R-30)."""

import pytest
from django.core.cache import cache

from motcua.documents.models import Document
from motcua.integrations import registry
from tests.documents.sealing import issue_sealed_result


@pytest.fixture
def sealed(demo, db, settings, test_ca):
    yield issue_sealed_result(settings, test_ca)
    registry.reset()


def _content(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def _post(client, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/api/v1/verification", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def test_r30_api_verifies_a_sealed_result_file(anon, sealed):
    dossier, result = sealed
    count = Document.objects.count()
    response = _post(anon, "ket-qua.pdf", _content(result))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] and body["status"] == "valid" and body["intact"]
    (seal,) = body["signatures"]
    assert seal["organisation"] == dossier.deciding_unit.name and seal["covers_whole_file"]
    assert result.verification_code in seal["reason"]
    assert Document.objects.count() == count  # nothing stored


def test_r30_api_reports_a_changed_file_invalid(anon, sealed):
    _, result = sealed
    content = bytearray(_content(result))
    content[content.index(b"stream") + 20] ^= 0x01
    body = _post(anon, "ket-qua.pdf", bytes(content)).json()
    assert not body["valid"] and body["status"] == "invalid" and not body["intact"]


def test_r30_api_verifies_by_code_without_personal_data(anon, sealed):
    dossier, result = sealed
    response = anon.get("/api/v1/verification", {"code": result.verification_code.lower()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] and body["unit_name"] == dossier.deciding_unit.name
    assert body["name"] == result.name and body["dossier_code_masked"].endswith(dossier.code[-2:])
    text = response.content.decode()
    assert dossier.code not in text and dossier.applicant_name not in text
    assert dossier.applicant_identifier not in text and "/giay-to/" not in text


def test_api_verification_refuses_what_is_not_a_pdf_and_unknown_codes(anon, demo, db):
    assert _post(anon, "ket-qua.pdf", b"MZ not a pdf").status_code == 400
    assert _post(anon, "ket-qua.docx", b"PK\x03\x04").status_code == 400
    response = anon.get("/api/v1/verification", {"code": "ABCD-EFGH-JKMN"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "result_not_found"
    assert anon.get("/api/v1/verification").status_code == 400


def test_api_verification_is_throttled_like_the_lookup(anon, demo, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "lookup": "3/min"},
    }
    cache.clear()
    codes = [anon.get("/api/v1/verification", {"code": "ABCD-EFGH-JKMN"}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
