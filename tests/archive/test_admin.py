"""Retention rules are data edited in the admin ([R] seeds); archive records are only read there."""

from django.urls import reverse

from motcua.archive.models import ArchiveRecord, RetentionRule
from motcua.archive.services import archive_dossier
from tests.archive.kit import returned_notary


def test_r30_administrator_adds_a_retention_rule(admin_client):
    page = admin_client.get(reverse("admin:archive_retentionrule_changelist"))
    assert page.status_code == 200 and "Vĩnh viễn" in page.content.decode()

    response = admin_client.post(
        reverse("admin:archive_retentionrule_add"),
        {"procedure_code": "", "field_code": "CONGCHUNG", "years": "20", "basis": "Quyết định của tỉnh"},
    )

    assert response.status_code == 302
    assert RetentionRule.objects.get(field_code="CONGCHUNG").years == 20


def test_retention_rule_with_both_codes_refused_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:archive_retentionrule_add"),
        {"procedure_code": "1.019901", "field_code": "CONGCHUNG", "years": "5"},
    )
    assert response.status_code == 200 and "không ghi cả hai" in response.content.decode()
    assert not RetentionRule.objects.filter(field_code="CONGCHUNG").exists()


def test_archive_records_are_read_only_in_the_admin(admin_client):
    record = archive_dossier(returned_notary())
    listing = admin_client.get(reverse("admin:archive_archiverecord_changelist"))
    detail = admin_client.get(reverse("admin:archive_archiverecord_change", args=[record.pk]))
    delete_url = reverse("admin:archive_archiverecord_delete", args=[record.pk])
    delete = admin_client.post(delete_url, {"post": "yes"})

    assert listing.status_code == 200 and record.file_code in listing.content.decode()
    assert detail.status_code == 200 and record.manifest_sha256 in detail.content.decode()
    assert delete.status_code == 403 and ArchiveRecord.objects.filter(pk=record.pk).exists()
