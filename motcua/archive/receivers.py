"""Nothing an archived dossier holds is deleted before its retention period ends (TT 13/2023/TT-BNV;
R-30). The references to the archive refuse such a delete while Django collects what to delete
(`models.keep_while_retained`); these receivers refuse it again just before any row goes — also for
the link between a dossier and a document, whose removal would leave the document to the purge of
unattached uploads — so that no path (admin, shell, a bulk QuerySet.delete()) gets around it."""

from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from motcua.archive.models import ArchiveFile, ArchiveRecord, RetentionActive
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.states import FINAL_STATES


def _refuse(record: ArchiveRecord | None, what: str) -> None:
    if record is not None and record.retained():
        raise RetentionActive(
            f"Không được xóa {what}: hồ sơ {record.file_code} đã lưu trữ, {record.retention_phrase} "
            "(TT 13/2023/TT-BNV)."
        )


@receiver(pre_delete, sender=Dossier, dispatch_uid="archive.keep_dossier")
def keep_archived_dossier(sender, instance: Dossier, **kwargs) -> None:
    _refuse(ArchiveRecord.objects.filter(dossier_id=instance.pk).first(), f"hồ sơ {instance.code}")


@receiver(pre_delete, sender=DossierDocument, dispatch_uid="archive.keep_attachment")
def keep_archived_attachment(sender, instance: DossierDocument, **kwargs) -> None:
    _refuse(ArchiveRecord.objects.filter(dossier_id=instance.dossier_id).first(), "tài liệu khỏi hồ sơ")


@receiver(pre_delete, sender=Document, dispatch_uid="archive.keep_document")
def keep_archived_document(sender, instance: Document, **kwargs) -> None:
    for record in ArchiveRecord.objects.filter(files__document_id=instance.pk).distinct():
        _refuse(record, f"tài liệu “{instance.name}”")


@receiver(pre_delete, sender=ArchiveRecord, dispatch_uid="archive.keep_record")
def keep_record(sender, instance: ArchiveRecord, **kwargs) -> None:
    _refuse(instance, "hồ sơ lưu trữ")


@receiver(pre_delete, sender=ArchiveFile, dispatch_uid="archive.keep_file")
def keep_file(sender, instance: ArchiveFile, **kwargs) -> None:
    _refuse(
        ArchiveRecord.objects.filter(pk=instance.record_id).first(), f"tệp {instance.path} của gói lưu trữ"
    )


@receiver(post_save, sender=Dossier, dispatch_uid="archive.archive_when_finished")
def archive_when_finished(sender, instance: Dossier, raw: bool = False, **kwargs) -> None:
    """A dossier that reaches a final state is archived once the change is committed (TT 13/2023:
    the settling officer builds and hands over the file — here at once, not a year later); the
    nightly `archive_dossiers` catches whatever this misses."""
    if raw or instance.state not in FINAL_STATES:
        return
    dossier_id = instance.pk

    def enqueue() -> None:
        from motcua.archive.tasks import archive_one

        if not ArchiveRecord.objects.filter(dossier_id=dossier_id).exists():
            archive_one.enqueue(dossier_id)

    transaction.on_commit(enqueue)
