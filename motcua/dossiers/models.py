"""A dossier (hồ sơ) and its history. State changes only through `services.apply` (STYLE.md)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from motcua.calendar.units import DurationUnit
from motcua.catalog.models import (
    Channel,
    FeeKind,
    Procedure,
    ProcedureCase,
    ProcessStep,
    ProcessVersion,
    ReceptionPoint,
)
from motcua.core.text import fold
from motcua.documents.models import Document
from motcua.dossiers.states import Action, State
from motcua.org.models import Applicant, Counter, Role, Unit

# Dossiers received before 01/7/2025 are judged by NĐ 61/2018 + TT 01/2018; from then on by
# NĐ 118/2025 + TT 03/2025 (REGULATIONS §0).
REFORM_DATE = datetime.date(2025, 7, 1)


class LegalBasis(models.TextChoices):
    BEFORE_2025_07 = "nd61_2018", "NĐ 61/2018/NĐ-CP (trước 01/7/2025)"
    FROM_2025_07 = "nd118_2025", "NĐ 118/2025/NĐ-CP (từ 01/7/2025)"


class ResultDelivery(models.TextChoices):
    COUNTER = "counter", "Trực tiếp tại Bộ phận Một cửa"
    POSTAL = "postal", "Qua dịch vụ bưu chính công ích"
    ONLINE = "online", "Trực tuyến"


class Origin(models.TextChoices):
    """Which door the dossier came in by (DESIGN.md: four doors; the legacy import is a fifth)."""

    LOCAL = "local", "Hệ thống một cửa của tỉnh"
    NATIONAL_PORTAL = "national_portal", "Cổng Dịch vụ công quốc gia chuyển về"
    LEGACY = "legacy", "Chuyển từ phần mềm một cửa cũ"


class Dossier(models.Model):
    code = models.CharField("mã hồ sơ", max_length=64, unique=True)
    origin = models.CharField("nguồn hồ sơ", max_length=16, choices=Origin.choices, default=Origin.LOCAL)
    # The dossier's id on the national portal (or in the old software) when it was created there:
    # the same forwarded dossier arriving twice is created once (issue 9, item 4).
    national_id = models.CharField("mã hồ sơ trên hệ thống nguồn", max_length=64, blank=True, default="")
    # Indicator fields the national portal scores (REGULATIONS §6.4): the applicant signed in with a
    # VNeID-verified account (TaiKhoanDuocXacThucVoiVNeID) and their DVCQG TechID (MaDoiTuong).
    vneid_verified = models.BooleanField("tài khoản xác thực VNeID", default=False)
    applicant_tech_id = models.CharField("TechID trên Cổng DVCQG", max_length=64, blank=True, default="")
    lookup_secret = models.CharField("mã tra cứu", max_length=16)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    case = models.ForeignKey(ProcedureCase, on_delete=models.PROTECT, related_name="dossiers")
    process_version = models.ForeignKey(
        ProcessVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers"
    )
    channel = models.CharField("cách thức nộp", max_length=16, choices=Channel.choices)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="dossiers")
    # What the applicant declared on this dossier (the applicant record may change later).
    applicant_name = models.CharField("người nộp", max_length=255)
    applicant_identifier = models.CharField("số định danh", max_length=35)
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=255, blank=True)
    summary = models.CharField("trích yếu", max_length=1000)
    reception_point = models.ForeignKey(
        ReceptionPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiving_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="received_dossiers")
    deciding_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="decided_dossiers")
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    result_delivery = models.CharField(
        "nhận kết quả tại", max_length=16, choices=ResultDelivery.choices, default=ResultDelivery.COUNTER
    )
    state = models.CharField("trạng thái", max_length=32, choices=State.choices, default=State.SUBMITTED)
    # The state to go back to after a supplement is handed in or a withdrawal request is dropped.
    resume_state = models.CharField(max_length=32, choices=State.choices, blank=True)
    # While paused: its lawful ground (guards.LAWFUL_PAUSE_REASONS), which decides the national status.
    pause_ground = models.CharField(max_length=32, blank=True)
    current_step = models.ForeignKey(
        "DossierStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_basis = models.CharField("căn cứ tiếp nhận", max_length=16, choices=LegalBasis.choices)
    # The legal time limit as published when the dossier was submitted (the dossier keeps it).
    time_limit = models.DecimalField("thời hạn giải quyết", max_digits=7, decimal_places=2)
    time_limit_unit = models.CharField("đơn vị thời hạn", max_length=16, choices=DurationUnit.choices)
    submitted_at = models.DateTimeField("ngày nộp")
    received_at = models.DateTimeField("ngày tiếp nhận", null=True, blank=True)
    # The deadline is a budget: the legal time from `clock_started_at`, minus paused intervals.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField("ngày hẹn trả", null=True, blank=True)
    original_due_at = models.DateTimeField("ngày hẹn trả ban đầu", null=True, blank=True)
    extended_due_at = models.DateTimeField("ngày hẹn trả mới (xin lỗi)", null=True, blank=True)
    finished_at = models.DateTimeField("ngày kết thúc xử lý", null=True, blank=True)
    returned_at = models.DateTimeField("ngày trả kết quả", null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    last_event_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The Idempotency-Key the submitting account sent (unique per account) and a digest of what it
    # submitted with it: a retry returns this dossier, a reuse for another submission is refused.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    submission_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Code, applicant's name and identification number folded (lower case, no diacritics), so
    # "nguyen van thu" finds "Nguyễn Văn Thử"; trigram-indexed on PostgreSQL (migration 0002).
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["deciding_unit", "state"]),
            models.Index(fields=["receiving_unit", "state"]),
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["applicant_identifier"]),
            # Reports by period of reception: sync health, indicator 1.4, the 766 index.
            models.Index(fields=["received_at"], name="dossier_received_at"),
            # The reports (motcua.index.reports) select by period of submission, of the end of
            # processing and of the handing over of results, over millions of dossiers (migration 0013).
            models.Index(fields=["submitted_at"], name="dossier_submitted_at"),
            models.Index(fields=["finished_at"], name="dossier_finished_at"),
            models.Index(fields=["returned_at"], name="dossier_returned_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "national_id"],
                condition=~models.Q(national_id=""),
                name="dossier_national_id_unique",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="dossier_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        # The national portal's own code of a forwarded dossier (or the old software's id) finds it
        # too: that is the code the citizen holds (issue 9).
        self.search_text = fold(
            f"{self.code} {self.national_id} {self.applicant_name} {self.applicant_identifier}"
        )
        super().save(*args, **kwargs)


class DossierDocument(models.Model):
    """A document attached to a dossier, and which required component it answers."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="dossier_links")
    required_document = models.ForeignKey(
        "catalog.RequiredDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attached_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "document"], name="dossier_document_unique"),
            # Item 4 of issue 8: a document belongs to one dossier only (it is cited by its owner
            # for one case; the same file for another dossier is uploaded again).
            models.UniqueConstraint(fields=["document"], name="dossier_document_attached_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.document_id}"


class Presentation(models.TextChoices):
    """How a component of the case was handed in at the counter (TT 03/2025 Điều 5 k1 điểm c)."""

    # The paper was handed in; its scan (if any) is a DossierDocument of the component.
    HANDED_IN = "handed_in", "Nộp giấy tờ"
    # TT 01/2023/TT-VPCP Điều 8 k2: papers only shown (xuất trình) are neither copied nor scanned.
    SHOWN = "shown", "Chỉ xuất trình"


class ComponentReceipt(models.Model):
    """A component of the case as the counter received it: handed in or only shown, and how many
    pages the paper has — its scan must have as many images (TT 01/2023/TT-VPCP Điều 8 k1)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="component_receipts")
    required_document = models.ForeignKey(
        "catalog.RequiredDocument", on_delete=models.PROTECT, related_name="+", verbose_name="thành phần"
    )
    presentation = models.CharField("hình thức", max_length=16, choices=Presentation.choices)
    pages = models.PositiveSmallIntegerField("số trang giấy", null=True, blank=True)
    recorded_at = models.DateTimeField("ghi nhận lúc")

    class Meta:
        verbose_name = "thành phần đã tiếp nhận"
        verbose_name_plural = "thành phần đã tiếp nhận"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "required_document"], name="component_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.required_document_id} ({self.presentation})"


class DossierFee(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(max_length=8, choices=FeeKind.choices)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    description = models.TextField(blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # How it was paid (R-29; DVCQG `DuocThanhToanTrucTuyen`: 1 on the national platform, 2 through
    # the province's own gateway). Set by motcua.payments when the platform confirms.
    paid_via = models.CharField(
        "hình thức thu",
        max_length=16,
        blank=True,
        default="",
        choices=[
            ("", "Chưa thu"),
            ("counter", "Thu tại Bộ phận Một cửa"),
            ("dvcqg_platform", "Thanh toán trực tuyến trên Cổng DVCQG"),
            ("local_gateway", "Thanh toán trực tuyến qua cổng thanh toán của tỉnh"),
        ],
    )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"


class DossierStep(models.Model):
    """One step of the dossier's process as it really happened (R-11 process-control sheet, R-27)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    process_step = models.ForeignKey(
        ProcessStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32, choices=Role.choices)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    planned_end_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late = models.BooleanField(null=True)

    class Meta:
        ordering = ["dossier", "started_at", "pk"]
        indexes = [
            models.Index(fields=["unit", "ended_at"]),
            # Late steps by period of their planned end (the Department of Home Affairs' report).
            models.Index(fields=["planned_end_at"], name="step_planned_end_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", "Chờ bổ sung hồ sơ"
    PAUSE = "pause", "Tạm dừng"


class DossierPause(models.Model):
    """An interval [started_at, ended_at) that does not count against the deadline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=16, choices=PauseKind.choices)
    reason = models.TextField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} từ {self.started_at:%d/%m/%Y %H:%M}"


class DossierEvent(models.Model):
    """Append-only history, each event chained to the previous one by an HMAC-SHA256 under a key
    kept outside the database (dossiers.audit, verify_audit); UPDATE and DELETE refused on
    PostgreSQL (migration 0005)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=255, blank=True)
    action = models.CharField(
        max_length=32,
        choices=[(a.value, a.label) for a in Action]
        + [
            ("submit", "Nộp hồ sơ"),
            # History carried over from the old software and moves of open dossiers to a
            # successor unit (REGULATIONS §0.2): recorded, never a change of state by an officer.
            ("legacy_history", "Lịch sử từ phần mềm cũ"),
            ("unit_transfer", "Chuyển đơn vị do sắp xếp, sáp nhập"),
        ],
    )
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32)
    step = models.ForeignKey(DossierStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    documents = models.JSONField(default=list, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, blank=True)  # which audit key signed it (rotation)

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="event_seq_unique")]
        # The reports count one action by period from the log (results issued, apologies…).
        indexes = [models.Index(fields=["action", "at"], name="event_action_at")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class DossierCounter(models.Model):
    """The per-unit daily sequence of dossier codes (REGULATIONS §3.3); gap-free, never reused."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="dossier_counter_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last}"


class RefusedAttempt(models.Model):
    """An in-person submission (at a counter or by post) of an internal procedure that must be
    submitted online, refused under R-19 — kept so that the provincial office can count them (R-21).
    The refusal itself writes nothing; this row is written after it, in its own transaction
    (`services.record_refused_attempt`), and is never changed."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="refused_attempts", verbose_name="thủ tục"
    )
    # Where the applicant was turned away: the unit of the reception point, i.e. of the counter.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị tiếp nhận"
    )
    counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="quầy"
    )
    channel = models.CharField("cách thức nộp", max_length=16, choices=Channel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="cán bộ tiếp nhận",
    )
    actor_name = models.CharField("tên cán bộ tiếp nhận", max_length=255, blank=True)
    at = models.DateTimeField("thời điểm", db_index=True)
    rule = models.CharField("quy tắc", max_length=8, default="R-19")
    reason = models.TextField("lý do từ chối")
    # Only what was typed before the refusal (the counter page refuses before anything is typed).
    applicant_identifier = models.CharField("số định danh người nộp", max_length=35, blank=True)

    class Meta:
        verbose_name = "lượt từ chối tiếp nhận trực tiếp"
        verbose_name_plural = "lượt từ chối tiếp nhận trực tiếp (R-19)"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        when = f" lúc {timezone.localtime(self.at):%H:%M %d/%m/%Y}" if self.at else ""
        return f"Lượt từ chối tiếp nhận trực tiếp ({self.rule}){when}"


class OutboxTopic(models.TextChoices):
    NATIONAL_PORTAL = "national_portal", "Đồng bộ Cổng DVCQG"
    NOTIFICATION = "notification", "Thông báo"


class OutboxMessage(models.Model):
    """Written in the transaction of the change it reports, so it can never be lost (R-22).

    Delivery (`motcua.sync`) is at least once: a worker leases a message (`claimed_by` until
    `claimed_until`), sends it outside any transaction and marks it delivered; a crashed worker's
    lease runs out and another sends it again with the same `message_id`, which the receiver uses
    to drop the duplicate. A message's dossier-mates wait behind it (per-dossier order)."""

    message_id = models.UUIDField("mã bản tin", default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(max_length=32, choices=OutboxTopic.choices)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField()
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Not to be tried before (retry back-off with jitter); null = at once.
    available_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Parked after a permanent refusal or too many attempts (the dead-letter list); the reason is
    # `last_error`. Re-sending from the admin clears it. Later messages of the dossier wait.
    dead_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "bản tin gửi đi (outbox)"
        verbose_name_plural = "bản tin gửi đi (outbox)"
        indexes = [
            models.Index(
                fields=["topic", "id"], name="outbox_pending", condition=models.Q(delivered_at__isnull=True)
            ),
            models.Index(
                fields=["topic", "dossier", "id"],
                name="outbox_pending_dossier",
                condition=models.Q(delivered_at__isnull=True),
            ),
            models.Index(
                fields=["topic", "dead_at"], name="outbox_dead", condition=models.Q(dead_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"
