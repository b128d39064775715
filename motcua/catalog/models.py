"""The catalogue of administrative procedures (TTHC) and their processes (R-04, R-07, R-18–R-20, R-24).

Field names follow the national catalogue (`LayThuTuc`, reference/vn-code-and-data.md §3.1); the
raw national payload is kept so nothing published is lost in translation.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from motcua.calendar.units import HOURS_PER_WORKING_DAY, DurationUnit
from motcua.core.models import ValidityPeriod
from motcua.core.text import fold, nfc, vietnamese_number
from motcua.org.models import Counter, Role, Unit


class Channel(models.TextChoices):
    # DVCQG `KENH`: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích (REGULATIONS §2.1).
    COUNTER = "counter", "Trực tiếp"
    ONLINE = "online", "Trực tuyến"
    POSTAL = "postal", "Qua dịch vụ bưu chính công ích"


CHANNEL_FROM_KENH = {"1": Channel.COUNTER, "2": Channel.ONLINE, "3": Channel.POSTAL}


class OnlineLevel(models.TextChoices):
    NONE = "none", "Không có dịch vụ công trực tuyến"
    PARTIAL = "partial", "Dịch vụ công trực tuyến một phần"
    FULL = "full", "Dịch vụ công trực tuyến toàn trình"


class ProcedureLevel(models.TextChoices):
    MINISTRY = "ministry", "Cấp Bộ"
    PROVINCE = "province", "Cấp Tỉnh"
    DISTRICT = "district", "Cấp Huyện (trước 01/7/2025)"
    COMMUNE = "commune", "Cấp Xã"


class Field(models.Model):
    """Lĩnh vực (field of procedures), coded as in the national catalogue."""

    code = models.CharField("mã lĩnh vực", max_length=50, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=255)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        super().save(*args, **kwargs)


class Procedure(models.Model):
    code = models.CharField(
        "mã TTHC", max_length=50, unique=True, help_text="Mã trên CSDLQG về TTHC, ví dụ 1.001612"
    )
    name = models.CharField("tên thủ tục", max_length=1000)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name="lĩnh vực"
    )
    # The seven published components (khoản 2 Điều 8 NĐ 63/2010; 766 indicator 1.3): name, steps,
    # ways of submission (channels + durations), documents, time limit, applicants, implementing agency.
    steps_text = models.TextField("trình tự thực hiện", blank=True)
    methods_text = models.TextField("cách thức thực hiện", blank=True)
    applicants_text = models.TextField("đối tượng thực hiện", blank=True)
    agency_text = models.TextField("cơ quan thực hiện", blank=True)
    conditions_text = models.TextField("yêu cầu, điều kiện", blank=True)
    result_text = models.CharField("kết quả thực hiện", max_length=1000, blank=True)
    has_result_document = models.BooleanField("có văn bản kết quả", default=True)
    online_level = models.CharField(
        "mức độ trực tuyến", max_length=16, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    internal = models.BooleanField(
        "thủ tục nội bộ", default=False, help_text="R-18: cơ quan nhà nước nộp cho cơ quan nhà nước"
    )
    on_the_spot = models.BooleanField(
        "giải quyết tại chỗ", default=False, help_text="R-08: tiếp nhận, thẩm định, phê duyệt ngay tại quầy"
    )
    published = models.BooleanField("đang công khai", default=True)
    publication_decision = models.CharField("quyết định công bố", max_length=255, blank=True)
    publication_decided_on = models.DateField("ngày quyết định công bố", null=True, blank=True)
    made_public_on = models.DateField("ngày công khai trên CSDLQG", null=True, blank=True)
    national_payload = models.JSONField("gói tin thủ tục quốc gia", null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]
        indexes = [models.Index(fields=["internal", "online_level"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        for attr in (
            "name",
            "steps_text",
            "methods_text",
            "applicants_text",
            "agency_text",
            "conditions_text",
            "result_text",
        ):
            setattr(self, attr, nfc(getattr(self, attr)))
        self.search_text = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)


class ProcedureLevelLink(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="levels")
    level = models.CharField("cấp thực hiện", max_length=16, choices=ProcedureLevel.choices)

    class Meta:
        verbose_name = "cấp thực hiện"
        verbose_name_plural = "cấp thực hiện"
        constraints = [models.UniqueConstraint(fields=["procedure", "level"], name="procedure_level_unique")]
        indexes = [models.Index(fields=["level", "procedure"])]

    def __str__(self) -> str:
        return self.get_level_display()


class AgencyRole(models.TextChoices):
    # LayThuTuc: COQUANTHUCHIEN / COQUANCOTHAMQUYEN / COQUANDUOCUYQUYEN / COQUANPHOIHOP.
    IMPLEMENTING = "implementing", "Cơ quan thực hiện"
    COMPETENT = "competent", "Cơ quan có thẩm quyền quyết định"
    AUTHORISED = "authorised", "Cơ quan được ủy quyền"
    COORDINATING = "coordinating", "Cơ quan phối hợp"


class ProcedureUnit(models.Model):
    """Which units own (implement, decide, coordinate) a procedure."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="procedure_links", verbose_name="đơn vị"
    )
    role = models.CharField(
        "vai trò", max_length=16, choices=AgencyRole.choices, default=AgencyRole.IMPLEMENTING
    )

    class Meta:
        verbose_name = "cơ quan thực hiện"
        verbose_name_plural = "cơ quan thực hiện"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "unit", "role"], name="procedure_unit_unique")
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"


class ProcedureCase(models.Model):
    """Trường hợp: the deadline, fees and documents are defined per case, not per procedure."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="cases")
    code = models.CharField("mã trường hợp", max_length=50)
    name = models.CharField("tên trường hợp", max_length=1000)
    order = models.PositiveSmallIntegerField("thứ tự", default=1)

    class Meta:
        verbose_name = "trường hợp"
        verbose_name_plural = "trường hợp"
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "code"], name="case_code_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        super().save(*args, **kwargs)


class CaseDuration(models.Model):
    """Thời hạn giải quyết of a case on one channel (online may be shorter than at the counter)."""

    case = models.ForeignKey(ProcedureCase, on_delete=models.CASCADE, related_name="durations")
    channel = models.CharField("cách thức", max_length=16, choices=Channel.choices)
    value = models.DecimalField("thời hạn", max_digits=7, decimal_places=2)
    unit = models.CharField(
        "đơn vị tính", max_length=16, choices=DurationUnit.choices, default=DurationUnit.WORKING_DAYS
    )
    description = models.TextField("mô tả", blank=True)

    class Meta:
        verbose_name = "thời hạn giải quyết"
        verbose_name_plural = "thời hạn giải quyết"
        constraints = [models.UniqueConstraint(fields=["case", "channel"], name="case_duration_unique")]

    def __str__(self) -> str:
        return (
            f"{self.get_channel_display()}: {vietnamese_number(self.value)} {self.get_unit_display().lower()}"
        )

    @property
    def working_hours(self) -> Decimal | None:
        """The legal time in working hours (8 h = 1 working day); None for calendar-day limits."""
        if self.unit == DurationUnit.WORKING_DAYS:
            return self.value * HOURS_PER_WORKING_DAY
        if self.unit == DurationUnit.WORKING_HOURS:
            return self.value
        return None


class FeeKind(models.TextChoices):
    FEE = "fee", "Phí"
    CHARGE = "charge", "Lệ phí"


class Fee(models.Model):
    case = models.ForeignKey(ProcedureCase, on_delete=models.CASCADE, related_name="fees")
    channel = models.CharField(
        "cách thức", max_length=16, choices=Channel.choices, blank=True, help_text="Để trống: mọi cách thức"
    )
    kind = models.CharField("loại", max_length=8, choices=FeeKind.choices)
    code = models.CharField("mã phí, lệ phí", max_length=50, blank=True)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    description = models.TextField("mô tả", blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount:,} đồng".replace(",", ".")


class RequiredDocument(models.Model):
    """Thành phần hồ sơ: per case (TRUONGHOP of THANHPHANHOSO)."""

    case = models.ForeignKey(ProcedureCase, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField("mã giấy tờ", max_length=50, blank=True)
    name = models.TextField("tên giấy tờ")
    form_name = models.CharField("mẫu đơn, tờ khai", max_length=500, blank=True)
    form_url = models.URLField("đường dẫn mẫu", max_length=1000, blank=True)
    originals = models.PositiveSmallIntegerField("số bản chính", default=0)
    copies = models.PositiveSmallIntegerField("số bản sao", default=0)
    mandatory = models.BooleanField("bắt buộc", default=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=1)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["case", "order"]

    def __str__(self) -> str:
        return self.name[:120]

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        super().save(*args, **kwargs)


class ResultDocument(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="results")
    code = models.CharField("mã kết quả", max_length=50, blank=True)
    name = models.CharField("tên kết quả", max_length=1000)

    class Meta:
        verbose_name = "kết quả thực hiện"
        verbose_name_plural = "kết quả thực hiện"

    def __str__(self) -> str:
        return self.name


class LegalBasis(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="legal_bases")
    number = models.CharField("số ký hiệu", max_length=100)
    title = models.TextField("trích yếu")
    issuer = models.CharField("cơ quan ban hành", max_length=255, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    effective_on = models.DateField("ngày hiệu lực", null=True, blank=True)
    url = models.URLField("địa chỉ truy cập", max_length=1000, blank=True)

    class Meta:
        verbose_name = "căn cứ pháp lý"
        verbose_name_plural = "căn cứ pháp lý"

    def __str__(self) -> str:
        return self.number


class ProcessVersion(models.Model):
    """R-24: a procedure's internal/electronic process, versioned with the decision that approved it.

    A dossier keeps the version it started with; a new version applies to new dossiers only (R-04).
    `channel` empty means the process serves every channel of the case.
    """

    case = models.ForeignKey(ProcedureCase, on_delete=models.CASCADE, related_name="process_versions")
    channel = models.CharField("cách thức", max_length=16, choices=Channel.choices, blank=True)
    number = models.PositiveIntegerField("phiên bản")
    approved_by = models.CharField("quyết định phê duyệt", max_length=255)
    approved_on = models.DateField("ngày phê duyệt")
    effective_from = models.DateTimeField("áp dụng từ")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "quy trình nội bộ, điện tử"
        verbose_name_plural = "quy trình nội bộ, điện tử"
        ordering = ["case", "channel", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "channel", "number"], name="process_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case} — quy trình v{self.number}"


class ProcessStep(models.Model):
    version = models.ForeignKey(ProcessVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("bước")
    name = models.CharField("tên bước", max_length=255)
    role = models.CharField("vai trò thực hiện", max_length=32, choices=Role.choices)
    # Empty: the dossier's deciding unit; set: another agency (inter-connected one-stop, R-12).
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="đơn vị thực hiện",
    )
    budget_hours = models.DecimalField("thời gian (giờ làm việc)", max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="process_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class ReceptionPoint(ValidityPeriod):
    """Đầu mối tiếp nhận: who receives a procedure's dossiers on a channel (R-01, R-02, R-04).

    At the centre's counter the receiving unit is the centre and `on_behalf_of` the department;
    online dossiers go to the deciding unit's own point, never an on-behalf one (R-02).
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="reception_points")
    channel = models.CharField("cách thức", max_length=16, choices=Channel.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="reception_points", verbose_name="đơn vị tiếp nhận"
    )
    counter = models.ForeignKey(
        Counter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reception_points",
        verbose_name="quầy",
    )
    on_behalf_of = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_on_behalf",
        verbose_name="tiếp nhận thay cho",
    )

    class Meta:
        verbose_name = "đầu mối tiếp nhận"
        verbose_name_plural = "đầu mối tiếp nhận"
        indexes = [models.Index(fields=["procedure", "channel"])]

    def __str__(self) -> str:
        suffix = f" (nhận thay {self.on_behalf_of})" if self.on_behalf_of_id else ""
        return f"{self.get_channel_display()}: {self.unit}{suffix}"


# --- Catalogue sync with the national TTHC database (R-07, R-09) ------------------------------


class CatalogSyncRun(models.Model):
    """One review of the national catalogue against ours (R-09): what was read, what differs, and
    what an administrator chose to apply. Nothing changes in the catalogue until a run is applied,
    and a run whose differences no longer hold is refused (`national_sync.apply_run`)."""

    class Source(models.TextChoices):
        PORTAL = "portal", "Cổng DVCQG"
        FILE = "file", "Tệp gói tin"

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ duyệt"
        APPLIED = "applied", "Đã áp dụng"
        CANCELLED = "cancelled", "Đã huỷ"

    fetched_at = models.DateTimeField("thời điểm lấy", default=timezone.now)
    fetched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người lấy",
    )
    source = models.CharField("nguồn", max_length=8, choices=Source.choices)
    source_name = models.CharField("địa chỉ, tên tệp", max_length=500, blank=True)
    # MaTTHC → the LayThuTuc payload as read, for the new and changed procedures: what an apply
    # imports, whatever the portal says later.
    payloads = models.JSONField("gói tin đã lấy", default=dict, blank=True)
    # One entry per procedure: {"code", "name", "kind", "changes": [{"key", "label", "current",
    # "national"}], "warnings", "error"} (national_sync.compare).
    differences = models.JSONField("khác biệt", default=list, blank=True)
    notes = models.JSONField("ghi chú", default=list, blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices, default=Status.PENDING)
    applied_at = models.DateTimeField("thời điểm áp dụng", null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người áp dụng",
    )
    applied_codes = models.JSONField("thủ tục đã áp dụng", default=list, blank=True)
    apply_errors = models.JSONField("lỗi khi áp dụng", default=dict, blank=True)
    cancelled_at = models.DateTimeField("thời điểm huỷ", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người huỷ",
    )

    class Meta:
        verbose_name = "lượt đồng bộ danh mục TTHC"
        verbose_name_plural = "đồng bộ danh mục TTHC từ Cổng DVCQG"
        ordering = ["-fetched_at", "-pk"]

    def __str__(self) -> str:
        return f"Lượt đồng bộ #{self.pk} ({self.get_source_display()})"

    def count(self, kind: str) -> int:
        return sum(1 for entry in self.differences if entry.get("kind") == kind)
