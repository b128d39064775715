"""Documents kept in an S3-compatible object store (MOTCUA_DOCUMENT_STORAGE=s3): moto's server as a
real process on loopback, each test with its own bucket. Stored, read back with the same SHA-256,
served only through the permission check (R-26), copied for reuse (R-30), purged; the settings read
from the environment and the start-up checks."""

import datetime
import hashlib
import os
import subprocess

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from motcua.documents.checks import document_storage, document_storage_encrypted
from motcua.documents.models import Document, DocumentKind, DocumentOrigin
from motcua.documents.services import copy_for_reuse, purge_unattached_documents, store_document
from motcua.documents.storage import PrivateS3Storage
from tests.dossiers.kit import act, notary_processing, user
from tests.simulators import ROOT, python

NOW = timezone.now().replace(microsecond=0)
PDF = b"%PDF-1.4\n% MotCua S3 test\n" + bytes(range(256)) * 8


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def test_store_document_writes_a_private_object_read_back_with_its_sha256(s3_documents, object_store):
    document = store_document(name="Tờ khai.pdf", content=PDF, kind=DocumentKind.SUBMITTED)

    assert isinstance(document.file.storage._wrapped, PrivateS3Storage)
    key = document.file.name
    assert key == f"documents/{document.uploaded_at:%Y/%m}/{document.id}"
    assert object_store.keys(s3_documents) == [key]
    s3 = object_store.client()
    assert s3.get_object(Bucket=s3_documents, Key=key)["Body"].read() == PDF
    # Private: only the owner's grant, no AllUsers / AuthenticatedUsers read.
    grants = s3.get_object_acl(Bucket=s3_documents, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"] and "URI" not in grants[0]["Grantee"]

    stored = Document.objects.get(pk=document.pk)
    with stored.file.open("rb") as handle:
        content = handle.read()
    assert content == PDF and hashlib.sha256(content).hexdigest() == stored.sha256
    assert (stored.size, stored.page_count) == (len(PDF), None)
    with pytest.raises(NotImplementedError, match="không có đường dẫn công khai"):
        stored.file.url  # noqa: B018 - no public or presigned link, ever


def test_r26_the_download_view_serves_the_object_to_the_unit_and_refuses_another_unit(
    s3_documents, object_store
):
    document = store_document(name="Đơn đề nghị.pdf", content=PDF, kind=DocumentKind.SUBMITTED)
    d = act(notary_processing(NOW), "forward", "chuyenvien.sotuphap", now=NOW, documents=[document])
    url = f"/can-bo/ho-so/{d.code}/tai-lieu/{document.pk}/"

    served = signed_in("chuyenvien.sotuphap").get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served["Cache-Control"] == "private, no-store"
    assert b"".join(served.streaming_content) == PDF
    assert signed_in("chuyenvien.soxaydung").get(url).status_code == 404  # another unit's officer

    # The object gone from the bucket: a Vietnamese 404 page, never a 500.
    object_store.client().delete_object(Bucket=s3_documents, Key=document.file.name)
    missing = signed_in("chuyenvien.sotuphap").get(url)
    assert missing.status_code == 404 and "không còn trong kho lưu trữ" in missing.content.decode()


def test_r30_copy_for_reuse_copies_the_object(s3_documents, object_store):
    source = store_document(
        name="Giấy khai sinh.pdf", content=PDF, kind=DocumentKind.RESULT, uploaded_by=user("congdan1")
    )
    copy = copy_for_reuse(source, kind=DocumentKind.SUBMITTED, reused_by=user("congdan1"))

    assert copy.file.name != source.file.name
    assert object_store.keys(s3_documents) == sorted([source.file.name, copy.file.name])
    body = object_store.client().get_object(Bucket=s3_documents, Key=copy.file.name)["Body"].read()
    assert body == PDF and copy.sha256 == source.sha256 == hashlib.sha256(body).hexdigest()
    assert (copy.origin, copy.reused_from_id) == (DocumentOrigin.REUSED, source.pk)


def test_purge_deletes_the_object_of_an_unattached_document(
    s3_documents, object_store, django_capture_on_commit_callbacks
):
    old = store_document(name="bo-quen.pdf", content=PDF, kind=DocumentKind.OTHER)
    kept = store_document(name="moi-tai.pdf", content=PDF, kind=DocumentKind.OTHER)
    Document.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - datetime.timedelta(hours=30))
    assert len(object_store.keys(s3_documents)) == 2

    with django_capture_on_commit_callbacks(execute=True):  # the object goes once the row is gone
        result = purge_unattached_documents(older_than=datetime.timedelta(hours=24))

    assert (result.documents, result.bytes) == (1, len(PDF))
    assert object_store.keys(s3_documents) == [kept.file.name]
    assert not Document.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.file.name) and default_storage.exists(kept.file.name)


def test_the_settings_read_the_bucket_from_the_environment(object_store):
    """What an operator sets (MOTCUA_DOCUMENT_STORAGE=s3, MOTCUA_S3_*), in a fresh process."""
    bucket = object_store.new_bucket()
    probe = (
        "import django; django.setup()\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage as s\n"
        "name = s.save('documents/thu', ContentFile(b'%PDF-1.4 thu'))\n"
        "print(type(s._wrapped).__name__, name)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings_demo", **object_store.environment(bucket)}
    out = subprocess.run(
        [python(), "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.split() == ["PrivateS3Storage", "documents/thu"]
    assert object_store.keys(bucket) == ["documents/thu"]


def _s3(**options) -> dict:
    return {
        "default": {"BACKEND": "motcua.documents.storage.PrivateS3Storage", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_checks_report_s3_without_a_bucket_or_with_half_a_key(settings):
    assert document_storage() == []  # local files (the default)
    settings.STORAGES = _s3(bucket_name="", access_key="AKIA")
    assert [m.id for m in document_storage()] == ["documents.E002", "documents.E003"]
    settings.STORAGES = _s3(bucket_name="motcua", access_key="AKIA", secret_key="bi-mat")
    assert document_storage() == []


def test_deploy_check_warns_of_documents_sent_over_plain_http(settings):
    settings.STORAGES = _s3(bucket_name="motcua", endpoint_url="http://minio.noibo.gov.vn:9000")
    assert [m.id for m in document_storage_encrypted()] == ["documents.W003"]
    for fine in ("https://minio.noibo.gov.vn", "http://127.0.0.1:9000", "http://localhost:9000", None):
        settings.STORAGES = _s3(bucket_name="motcua", endpoint_url=fine)
        assert document_storage_encrypted() == []
