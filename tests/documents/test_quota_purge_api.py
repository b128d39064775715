"""Upload quota per account, the purge of documents never attached, and the upload API."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from motcua.demo.signing import DEMO_SIGNER_NAME, signed_pdf
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import (
    UploadQuotaExceeded,
    UploadRateExceeded,
    pending_bytes,
    purge_unattached_documents,
    store_document,
)
from tests.dossiers.kit import NOTARY, at, doc, submit, user

MB = 1024 * 1024


def _pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 9)


def _upload(username: str, size: int = 1000) -> Document:
    return store_document(
        name="to-khai.pdf", content=_pdf(size), kind="submitted", uploaded_by=user(username)
    )


# --- quota ---------------------------------------------------------------------------------------


@override_settings(MOTCUA_UPLOAD_QUOTA_MB=1)
def test_upload_quota_counts_only_unattached_bytes_of_the_account():
    first = _upload("congdan1", MB // 2)
    _upload("congdan2", MB // 2)  # another account's uploads do not count
    assert pending_bytes(user("congdan1")) == MB // 2
    with pytest.raises(UploadQuotaExceeded) as exc:
        _upload("congdan1", MB // 2 + 1)
    assert exc.value.status_code == 413 and exc.value.code == "upload_quota_exceeded"
    assert "1 MB" in exc.value.message
    # Once submitted, the bytes no longer count against the quota.
    submit(NOTARY, now=at("2026-03-02 08:00"), documents=[first.pk])
    assert pending_bytes(user("congdan1")) == 0
    _upload("congdan1", MB // 2 + 1)


@override_settings(MOTCUA_UPLOADS_PER_HOUR=3)
def test_uploads_per_hour_are_limited():
    for _ in range(3):
        _upload("congdan1")
    before = Document.objects.count()
    with pytest.raises(UploadRateExceeded) as exc:
        _upload("congdan1")
    assert exc.value.status_code == 429 and exc.value.code == "upload_rate_exceeded"
    assert Document.objects.count() == before
    _upload("congdan2")  # per account


# --- purge ---------------------------------------------------------------------------------------


def _age(document: Document, hours: int) -> Document:
    Document.objects.filter(pk=document.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(hours=hours)
    )
    return document


def test_purge_deletes_old_unattached_documents_rows_and_files(django_capture_on_commit_callbacks):
    old = _age(_upload("congdan1", 2000), 30)
    recent = _age(_upload("congdan1"), 2)
    attached = _age(doc(DocumentKind.SUBMITTED, by="congdan1"), 30)
    submit(NOTARY, now=at("2026-03-02 08:00"), documents=[attached.pk])
    old_path = Path(old.file.path)
    assert old_path.exists()

    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows are gone
        result = purge_unattached_documents(older_than=datetime.timedelta(hours=24))

    assert (result.documents, result.bytes) == (1, 2000)
    assert not Document.objects.filter(pk=old.pk).exists() and not old_path.exists()
    assert Document.objects.filter(pk__in=[recent.pk, attached.pk]).count() == 2
    assert Path(recent.file.path).exists() and Path(attached.file.path).exists()


def test_purge_command_reports_what_it_deleted(capsys):
    _age(_upload("congdan1", 1500), 48)
    call_command("purge_unattached_documents", "--older-than-hours", "24")
    assert "Đã xóa 1 tài liệu" in capsys.readouterr().out


# --- the upload API ------------------------------------------------------------------------------


def _client(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user(username))
    return client


def _post(client: APIClient, content: bytes, **extra):
    return client.post(
        "/api/v1/documents",
        {"file": SimpleUploadedFile("Văn bản.pdf", content), "kind": "withdrawal_approval", **extra},
        format="multipart",
    )


def test_api_upload_reports_the_verified_signature():
    response = _post(_client("lanhdao.sotuphap"), signed_pdf("Văn bản đồng ý rút hồ sơ"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["signed"] is True and body["signature_status"] == "valid"
    assert body["signature_signer"] == DEMO_SIGNER_NAME and body["signature_signed_at"]


def test_api_refuses_the_old_signed_claim():
    response = _post(_client("lanhdao.sotuphap"), _pdf(100), signed="true")
    assert response.status_code == 400
    assert "signed" in response.json()["error"]["details"]
    assert not Document.objects.filter(uploaded_by=user("lanhdao.sotuphap")).exists()


@override_settings(MOTCUA_UPLOAD_QUOTA_MB=1)
def test_api_quota_exceeded_is_413_with_a_vietnamese_message():
    client = _client("congdan1")
    assert _post(client, _pdf(MB // 2 + 10)).status_code == 201
    response = _post(client, _pdf(MB // 2 + 10))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "upload_quota_exceeded"
    assert "chưa đính kèm" in response.json()["error"]["message"]


@override_settings(MOTCUA_UPLOADS_PER_HOUR=1)
def test_api_upload_rate_exceeded_is_429():
    client = _client("congdan1")
    assert _post(client, _pdf(100)).status_code == 201
    response = _post(client, _pdf(100))
    assert response.status_code == 429 and response.json()["error"]["code"] == "upload_rate_exceeded"


def test_api_citizen_cannot_submit_another_persons_document():
    theirs = _post(_client("congdan2"), _pdf(100)).json()["id"]
    response = _client("congdan1").post(
        "/api/v1/dossiers",
        {
            "procedure": NOTARY,
            "channel": "online",
            "applicant": {"kind": "citizen", "identifier": "075088000001", "name": "Nguyễn Văn Thử"},
            "documents": [theirs],
        },
        format="json",
    )
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "document_not_yours"
