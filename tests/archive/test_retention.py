"""Retention (thời hạn bảo quản) from editable rules, and nothing an archived dossier holds deleted
before its retention ends (TT 13/2023/TT-BNV; R-30)."""

import datetime

import pytest
from django.db import connection, transaction

from motcua.archive.models import ArchiveFile, ArchiveRecord, RetentionActive, RetentionRule
from motcua.archive.services import archive_dossier, retain_until, retention_rule_for
from motcua.catalog.models import Procedure
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import purge_unattached_documents
from motcua.dossiers.models import Dossier, DossierDocument
from tests.archive.kit import returned_notary
from tests.dossiers.kit import at

# --- the rules ---------------------------------------------------------------------------------


def test_r30_seeded_rules_civil_status_and_land_permanent_default_ten_years():
    seeded = {(r.procedure_code, r.field_code): r.years for r in RetentionRule.objects.all()}
    assert seeded[("", "")] == 10
    assert seeded[("", "HOTICH")] is None and seeded[("", "DATDAI")] is None
    birth = Procedure.objects.filter(field__code="HOTICH").first()
    assert retention_rule_for(birth).years is None


def test_r30_default_rule_gives_years_counted_from_the_year_the_work_ended():
    d = returned_notary()  # field CONGCHUNG: no rule of its own
    record = archive_dossier(d)
    assert record.retention_rule.is_default
    assert record.retention_years == 10 and record.retention == "10 năm"
    assert record.retain_until == datetime.date(2036, 12, 31)  # closed 06/3/2026 → kept through 2036


def test_r30_field_rule_permanent():
    RetentionRule.objects.create(field_code="CONGCHUNG", years=None, basis="thử")
    record = archive_dossier(returned_notary())
    assert record.retention_rule.field_code == "CONGCHUNG"
    assert record.retain_until is None and record.retention == "Vĩnh viễn"
    assert record.retained(datetime.date(2999, 1, 1))


def test_r30_procedure_rule_wins_over_field_rule():
    d = returned_notary()
    RetentionRule.objects.create(field_code="CONGCHUNG", years=None)
    RetentionRule.objects.create(procedure_code=d.procedure.code, years=20)
    record = archive_dossier(d)
    assert record.retention_years == 20 and record.retain_until == datetime.date(2046, 12, 31)


def test_r30_no_rule_at_all_keeps_the_dossier_permanently():
    RetentionRule.objects.all().delete()
    record = archive_dossier(returned_notary())
    assert record.retention_rule is None and record.retain_until is None


def test_r30_later_edit_of_a_rule_does_not_change_an_archived_record():
    record = archive_dossier(returned_notary())
    RetentionRule.objects.filter(procedure_code="", field_code="").update(years=5)
    record.refresh_from_db()
    assert record.retention_years == 10 and record.retain_until == datetime.date(2036, 12, 31)


def test_retain_until_uses_the_local_year():
    # 31/12/2026 20:00 UTC is already 2027 in Việt Nam.
    ended = datetime.datetime(2026, 12, 31, 20, 0, tzinfo=datetime.UTC)
    assert retain_until(ended, 5) == datetime.date(2032, 12, 31)
    assert retain_until(ended, None) is None


# --- nothing deleted before its retention ends ---------------------------------------------------


@pytest.fixture
def archived():
    d = returned_notary()
    return d, archive_dossier(d)


def _result(d: Dossier) -> Document:
    return d.attachments.get(document__kind=DocumentKind.RESULT).document


def test_r30_deleting_an_archived_document_is_refused_and_nothing_changes(archived):
    d, record = archived
    result = _result(d)
    storage, name = result.file.storage, result.file.name

    with pytest.raises(RetentionActive) as exc:
        result.delete()

    assert exc.value.rule == "R-30" and exc.value.code == "archive_retention_active"
    assert "2036" in exc.value.message and d.code in exc.value.message
    assert Document.objects.filter(pk=result.pk).exists() and storage.exists(name)
    assert DossierDocument.objects.filter(dossier=d).count() == 2
    assert ArchiveFile.objects.filter(record=record).count() == record.file_count


def test_r30_deleting_an_archived_dossier_is_refused(archived):
    d, _ = archived
    with pytest.raises(RetentionActive):
        Dossier.objects.get(pk=d.pk).delete()
    assert Dossier.objects.filter(pk=d.pk).exists()


def test_r30_detaching_documents_of_an_archived_dossier_is_refused(archived):
    """A bulk delete of the links would leave the documents to the purge of unattached uploads."""
    d, _ = archived
    with pytest.raises(RetentionActive), transaction.atomic():
        DossierDocument.objects.filter(dossier=d).delete()
    assert DossierDocument.objects.filter(dossier=d).count() == 2


def test_r30_archive_record_itself_not_deleted_before_retention(archived):
    _, record = archived
    with pytest.raises(RetentionActive), transaction.atomic():
        record.delete()
    with pytest.raises(RetentionActive), transaction.atomic():
        ArchiveFile.objects.filter(record=record).delete()
    assert ArchiveRecord.objects.filter(pk=record.pk).exists()


def test_r30_after_retention_the_record_may_be_disposed_of(archived):
    _, record = archived
    ArchiveRecord.objects.filter(pk=record.pk).update(retain_until=datetime.date(2000, 12, 31))
    ArchiveRecord.objects.get(pk=record.pk).delete()
    assert not ArchiveRecord.objects.filter(pk=record.pk).exists()


def test_r30_purge_of_unattached_uploads_never_reaches_archived_files(archived):
    d, _ = archived
    documents = [link.document for link in d.attachments.select_related("document")]
    far_future = at("2100-01-01 00:00")
    # Even with the dossier's links gone behind the application's back (raw SQL, no signals), the
    # archive's own reference keeps the files from the purge.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DossierDocument._meta.db_table} WHERE dossier_id = %s", [d.pk])

    result = purge_unattached_documents(older_than=datetime.timedelta(hours=1), now=far_future)

    assert result.documents == 0
    for document in documents:
        assert Document.objects.filter(pk=document.pk).exists()
        assert document.file.storage.exists(document.file.name)
