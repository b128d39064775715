"""The electronic archive of finished dossiers (TT 13/2023/TT-BNV; R-30): how long each kind of
dossier is kept (editable rules), and one archive record per finished dossier with its NĐ 30/2020
metadata and the list of files of its archive package, each with its SHA-256.

What the package holds is fixed when the dossier is archived: the generated files (metadata,
event log, README, verifier) are stored here byte for byte, the dossier's documents are referenced
(their bytes stay in the document store, which may be S3) with the checksum they had. An export
rebuilds the same package, and refuses if any byte differs from what was recorded.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from motcua.core.errors import RuleViolation
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier


class RetentionActive(RuleViolation):
    """A delete of something an archived dossier holds, before its retention period ends."""

    status_code = 409

    def __init__(self, message: str):
        super().__init__("R-30", message, code="archive_retention_active")


class RetentionRule(models.Model):
    """Thời hạn bảo quản (retention period) of archived dossiers, by procedure, by field of
    procedures (lĩnh vực), or the default one (both codes empty). The most specific rule applies:
    procedure, then field, then the default. Data, not code (STYLE.md): the sectors' retention
    tables change, and an administrator edits them in the admin. A rule applies to dossiers archived
    after the edit; records already made keep the period they were archived with."""

    procedure_code = models.CharField(
        "mã thủ tục",
        max_length=50,
        blank=True,
        default="",
        help_text="Mã thủ tục hành chính (như trong danh mục); để trống nếu quy tắc theo lĩnh vực.",
    )
    field_code = models.CharField(
        "mã lĩnh vực",
        max_length=50,
        blank=True,
        default="",
        help_text="Mã lĩnh vực (như trong danh mục thủ tục); để trống cả hai mã cho quy tắc mặc định.",
    )
    years = models.PositiveSmallIntegerField(
        "thời hạn bảo quản (năm)",
        null=True,
        blank=True,
        help_text="Để trống = bảo quản vĩnh viễn.",
    )
    basis = models.CharField("căn cứ", max_length=500, blank=True)
    note = models.TextField("ghi chú", blank=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "thời hạn bảo quản hồ sơ"
        verbose_name_plural = "thời hạn bảo quản hồ sơ"
        ordering = ["procedure_code", "field_code"]
        constraints = [
            # One rule per procedure, one per field, one default ("", "").
            models.UniqueConstraint(fields=["procedure_code", "field_code"], name="retention_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(procedure_code="") | models.Q(field_code=""),
                name="retention_rule_one_scope",
            ),
            models.CheckConstraint(
                condition=models.Q(years__isnull=True) | models.Q(years__gte=1),
                name="retention_rule_years_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label}: {self.retention_label}"

    @property
    def is_default(self) -> bool:
        return not self.procedure_code and not self.field_code

    @property
    def scope_label(self) -> str:
        if self.procedure_code:
            return f"Thủ tục {self.procedure_code}"
        if self.field_code:
            return f"Lĩnh vực {self.field_code}"
        return "Mặc định"

    @property
    def retention_label(self) -> str:
        return retention_label(self.years)

    def clean(self) -> None:
        if self.procedure_code and self.field_code:
            raise ValidationError("Chỉ ghi mã thủ tục hoặc mã lĩnh vực, không ghi cả hai.")


def retention_label(years: int | None) -> str:
    return "Vĩnh viễn" if years is None else f"{years} năm"


class AccessMode(models.TextChoices):
    """Chế độ sử dụng (NĐ 30/2020 metadata). A TTHC dossier holds personal data (NĐ 13/2023,
    Luật Bảo vệ dữ liệu cá nhân 2025): restricted unless decided otherwise."""

    PUBLIC = "public", "Công khai"
    RESTRICTED = "restricted", "Hạn chế sử dụng"


def _retained(record: "ArchiveRecord | None", today: datetime.date | None = None) -> bool:
    return record is not None and record.retained(today)


def keep_while_retained(collector, field, sub_objs, using):
    """on_delete of the references to an archived dossier and its files: refuse the delete while the
    retention period runs (a clear R-30 error, raised while Django collects what to delete — before
    anything is deleted, and before PROTECT's generic refusal); after it, the archive rows go with
    what they archive (the disposal, tiêu hủy, is then lawful)."""
    for obj in sub_objs:
        record = obj if isinstance(obj, ArchiveRecord) else obj.record
        if _retained(record):
            raise RetentionActive(
                f"Không được xóa: hồ sơ {record.file_code} đã lưu trữ, {record.retention_phrase} "
                "(TT 13/2023/TT-BNV)."
            )
    models.CASCADE(collector, field, sub_objs, using)


class ArchiveRecord(models.Model):
    """One finished dossier in the archive, with its NĐ 30/2020 metadata (hồ sơ level) and the
    digest of its package's manifest."""

    dossier = models.OneToOneField(
        Dossier, on_delete=keep_while_retained, related_name="archive_record", verbose_name="hồ sơ"
    )
    archived_at = models.DateTimeField("lưu trữ lúc")
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người lập (trống: hệ thống)",
    )
    retention_rule = models.ForeignKey(
        RetentionRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
        verbose_name="quy tắc thời hạn đã áp dụng",
    )
    # What the rule said when the dossier was archived (a later edit of the rule changes nothing).
    retention_years = models.PositiveSmallIntegerField("số năm bảo quản", null=True, blank=True)
    retain_until = models.DateField(
        "bảo quản đến hết ngày", null=True, blank=True, help_text="Trống: bảo quản vĩnh viễn."
    )
    # --- NĐ 30/2020/NĐ-CP metadata of a hồ sơ [R: field list recalled, REGULATIONS §8] -----------
    file_code = models.CharField("mã hồ sơ", max_length=64)
    title = models.CharField("tiêu đề hồ sơ", max_length=1200)
    retention = models.CharField("thời hạn bảo quản", max_length=32)
    access_mode = models.CharField(
        "chế độ sử dụng", max_length=16, choices=AccessMode.choices, default=AccessMode.RESTRICTED
    )
    started_at = models.DateTimeField("thời gian bắt đầu")
    ended_at = models.DateTimeField("thời gian kết thúc")
    document_count = models.PositiveIntegerField("số lượng văn bản")
    page_count = models.PositiveIntegerField("số lượng trang")
    language = models.CharField("ngôn ngữ", max_length=64, default="Tiếng Việt")
    keywords = models.CharField("từ khóa", max_length=1500, blank=True)
    condition = models.CharField("tình trạng", max_length=64, default="Bình thường")
    # --- the package ------------------------------------------------------------------------------
    manifest = models.BinaryField("manifest.json", editable=False)
    manifest_sha256 = models.CharField("SHA-256 của manifest.json", max_length=64, db_index=True)
    file_count = models.PositiveIntegerField("số tệp trong gói")
    package_bytes = models.PositiveBigIntegerField("tổng dung lượng các tệp (byte)")

    class Meta:
        verbose_name = "hồ sơ lưu trữ"
        verbose_name_plural = "hồ sơ lưu trữ"
        ordering = ["-archived_at"]
        indexes = [models.Index(fields=["retain_until"], name="archive_retain_until")]

    def __str__(self) -> str:
        return self.file_code

    def retained(self, today: datetime.date | None = None) -> bool:
        """Still within its retention period (always, for a permanent one)."""
        return self.retain_until is None or (today or timezone.localdate()) <= self.retain_until

    @property
    def retention_phrase(self) -> str:
        if self.retain_until is None:
            return "bảo quản vĩnh viễn"
        return f"bảo quản đến hết ngày {self.retain_until:%d/%m/%Y}"


class ArchiveFile(models.Model):
    """One file of an archive package (manifest.json and manifest.sha256 excepted, which the record
    holds). A document of the dossier is referenced, with the checksum and size it had when
    archived; a generated file (metadata, event log, README, verifier) is stored here as bytes."""

    record = models.ForeignKey(ArchiveRecord, on_delete=models.CASCADE, related_name="files")
    order = models.PositiveIntegerField()
    path = models.CharField("đường dẫn trong gói", max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    # A reference here also keeps the document out of `purge_unattached_documents` (which counts
    # every reverse relation of Document as an attachment).
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=keep_while_retained, related_name="archive_entries"
    )
    content = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "tệp trong gói lưu trữ"
        verbose_name_plural = "tệp trong gói lưu trữ"
        ordering = ["record", "order"]
        constraints = [
            models.UniqueConstraint(fields=["record", "path"], name="archive_file_path_unique"),
            models.UniqueConstraint(fields=["record", "order"], name="archive_file_order_unique"),
            models.CheckConstraint(
                condition=models.Q(document__isnull=True, content__isnull=False)
                | models.Q(document__isnull=False, content__isnull=True),
                name="archive_file_document_or_content",
            ),
        ]

    def __str__(self) -> str:
        return self.path
