"""What was migrated from the old one-stop software, and when (R-09, R-25).

A `LegacyImport` is one run of `import_legacy` over one file; a `LegacyDossier` is the old system's
own view of a dossier it handed over (its status text, its ids, the row as read), beside the
`dossiers.Dossier` the import created with `origin=legacy`. The dossier's history is in its
hash-chained event log like any other's; these rows are the provenance.
"""

from django.conf import settings
from django.db import models

from motcua.dossiers.models import Dossier


class LegacyFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"


class LegacyImport(models.Model):
    file_name = models.CharField("tên tệp", max_length=255)
    # The same file imported again is recognised by its digest (and creates nothing: codes are unique).
    sha256 = models.CharField("mã băm SHA-256 của tệp", max_length=64, db_index=True)
    source = models.CharField("hệ thống nguồn", max_length=100)
    format = models.CharField("định dạng", max_length=8, choices=LegacyFormat.choices)
    started_at = models.DateTimeField("bắt đầu")
    # Empty while running, or when the run was interrupted (the rows already imported stay).
    finished_at = models.DateTimeField("kết thúc", null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người thực hiện",
    )
    created = models.PositiveIntegerField("số hồ sơ đã tạo", default=0)
    skipped = models.PositiveIntegerField("số hồ sơ bỏ qua (đã có)", default=0)
    failed = models.PositiveIntegerField("số dòng lỗi", default=0)
    # The skipped and refused rows with their line numbers and Vietnamese reasons.
    report = models.JSONField("báo cáo", default=dict, blank=True)

    class Meta:
        verbose_name = "lô nhập hồ sơ cũ"
        verbose_name_plural = "lô nhập hồ sơ cũ"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name} ({self.source})"


class CloseOutOutcome(models.TextChoices):
    """How an officer ends a dossier left open in the old system (R-25, letter 522/UBND-HCC: "xử lý
    dứt điểm, không để tồn tại hồ sơ chưa xử lý, chưa kết thúc")."""

    RETURNED = "returned", "Đã giải quyết, đã trả kết quả"
    STOPPED = "stopped", "Dừng xử lý"
    WITHDRAWN = "withdrawn", "Người nộp đã rút hồ sơ"
    REJECTED = "rejected", "Không được tiếp nhận"


class LegacyDossier(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="legacy")
    batch = models.ForeignKey(LegacyImport, on_delete=models.PROTECT, related_name="dossiers")
    line = models.PositiveIntegerField("dòng trong tệp")
    # The old system's own words for the status (a DVCQG code 1..10 or an OpenCPS status name).
    legacy_status = models.CharField("trạng thái ở phần mềm cũ", max_length=64)
    legacy_id = models.CharField("mã hồ sơ nội bộ ở phần mềm cũ", max_length=64, blank=True)
    other_code = models.CharField("mã hồ sơ khác (MaHoSoKhac)", max_length=64, blank=True)
    # MaDonVi as written in the old system (the unit may since have merged into another).
    original_unit_code = models.CharField("mã đơn vị ở phần mềm cũ", max_length=35)
    raw = models.JSONField("dữ liệu gốc")
    closed_out_at = models.DateTimeField("kết thúc tồn đọng lúc", null=True, blank=True)
    closed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_out_outcome = models.CharField(
        "cách kết thúc", max_length=16, choices=CloseOutOutcome.choices, blank=True
    )

    class Meta:
        verbose_name = "hồ sơ chuyển từ phần mềm cũ"
        verbose_name_plural = "hồ sơ chuyển từ phần mềm cũ"
        indexes = [models.Index(fields=["legacy_id"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} ← {self.batch_id}:{self.line}"
