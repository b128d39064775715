"""The province's units, their counters, and who holds which role where (R-04, R-07, R-26).

Units are versioned reference data (REGULATIONS §0): the 2025 reform abolished districts and
merged units, so a unit is never deleted — it gets `valid_to` and, after a merger, a `successor`.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from motcua.core.models import ValidityPeriod
from motcua.core.text import fold, nfc

# QĐ 20/2020/QĐ-TTg Điều 4: at most 35 characters, dot-separated groups of digits and capital
# letters; the level-1 group is a letter A–Y plus two digits (H19 = Đồng Nai). Both the legacy
# padded form (000.00.19.H19) and the 2025 style (G12.18.92, H19.12) occur.
AGENCY_CODE_RE = re.compile(r"^(?=.{3,35}$)[0-9A-Z]+(\.[0-9A-Z]+)*$")
LEVEL1_GROUP_RE = re.compile(r"(^|\.)[A-Y]\d{2}(\.|$)")


def validate_agency_code(value: str) -> None:
    if not AGENCY_CODE_RE.match(value) or not LEVEL1_GROUP_RE.search(value):
        raise ValidationError(
            "Mã định danh không đúng định dạng QĐ 20/2020/QĐ-TTg (tối đa 35 ký tự, các nhóm chữ số/chữ in "
            "hoa cách nhau bởi dấu chấm, có mã cấp 1 dạng chữ cái + 2 chữ số, ví dụ 000.00.19.H19).",
            code="agency_code",
        )


class UnitKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", "Ủy ban nhân dân"
    PROVINCIAL_OFFICE = "provincial_office", "Văn phòng UBND"
    DEPARTMENT = "department", "Sở, ban, ngành"
    OTHER_BODY = "other_body", "Cơ quan, tổ chức khác"
    DIVISION = "division", "Phòng, bộ phận chuyên môn"
    SERVICE_CENTRE = "service_centre", "Trung tâm Phục vụ hành chính công"
    COMMUNE = "commune", "Xã, phường, đặc khu"
    LEGACY_DISTRICT = "legacy_district", "Huyện, thị xã, thành phố (trước 01/7/2025)"


class UnitLevel(models.TextChoices):
    # Two tiers since 01/7/2025 (REGULATIONS §0.1); "district" is kept for history only.
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"
    DISTRICT = "district", "Cấp huyện (trước 01/7/2025)"


class Unit(ValidityPeriod):
    code = models.CharField("mã định danh", max_length=35, unique=True, validators=[validate_agency_code])
    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    kind = models.CharField("loại", max_length=32, choices=UnitKind.choices)
    level = models.CharField("cấp", max_length=16, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # GSO code of the administrative area (province 2 digits, ward 5 digits; Decision 19/2025/QĐ-TTg).
    area_code = models.CharField("mã đơn vị hành chính", max_length=10, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name="đơn vị kế thừa",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=50, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = "cơ quan, đơn vị"
        verbose_name_plural = "cơ quan, đơn vị"
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "level"]), models.Index(fields=["parent"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.short_name = nfc(self.short_name)
        self.search_text = fold(f"{self.name} {self.short_name} {self.code}")
        super().save(*args, **kwargs)

    def ancestors(self) -> list["Unit"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class MergerStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo (chưa thực hiện)"
    COMMITTED = "committed", "Đã thực hiện"
    CANCELLED = "cancelled", "Đã huỷ"


class UnitMerger(models.Model):
    """A merger or take-over decision: each predecessor now answers to `successor` (REGULATIONS §0).

    Two phases (issue 9 item 7): a draft is planned and previewed without moving anything, then
    committed — units end, officers, open dossiers, procedures and reception points move in one
    transaction — or cancelled. A committed merger is history and is never undone.
    """

    successor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="mergers_in", verbose_name="đơn vị kế thừa"
    )
    predecessors = models.ManyToManyField(Unit, related_name="mergers_out", verbose_name="đơn vị bị sáp nhập")
    effective_on = models.DateField("ngày có hiệu lực")
    decision = models.CharField("quyết định", max_length=255, help_text="Số, ký hiệu và trích yếu quyết định")
    status = models.CharField(
        "trạng thái", max_length=16, choices=MergerStatus.choices, default=MergerStatus.DRAFT
    )
    recorded_at = models.DateTimeField("ngày lập", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người lập",
    )
    committed_at = models.DateTimeField("thời điểm thực hiện", null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người thực hiện",
    )
    cancelled_at = models.DateTimeField("thời điểm huỷ", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người huỷ",
    )
    # What the commit moved, per predecessor code: {"000.00.11.H19": {"dossiers": 12, …}} (the
    # keys of org.signals.Handover), so the record says what happened without re-reading history.
    moved = models.JSONField("kết quả thực hiện", default=dict, blank=True)

    class Meta:
        verbose_name = "sáp nhập đơn vị"
        verbose_name_plural = "sáp nhập đơn vị"
        ordering = ["-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.decision} → {self.successor}"

    @property
    def is_draft(self) -> bool:
        return self.status == MergerStatus.DRAFT


class Counter(ValidityPeriod):
    """A one-stop counter (quầy) of a service centre, receiving on behalf of some units (R-01, R-07)."""

    centre = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="counters",
        limit_choices_to={"kind": UnitKind.SERVICE_CENTRE},
        verbose_name="trung tâm",
    )
    number = models.PositiveSmallIntegerField("số quầy")
    name = models.CharField("tên quầy", max_length=255)
    serves = models.ManyToManyField(
        Unit, related_name="served_at_counters", blank=True, verbose_name="tiếp nhận thay cho các đơn vị"
    )

    class Meta:
        verbose_name = "quầy tiếp nhận"
        verbose_name_plural = "quầy tiếp nhận"
        ordering = ["centre", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="counter_number_unique_per_centre")
        ]

    def __str__(self) -> str:
        return f"Quầy {self.number} — {self.name}"

    def clean(self):
        if self.centre_id and self.centre.kind != UnitKind.SERVICE_CENTRE:
            raise ValidationError(
                {"centre": "Quầy tiếp nhận phải thuộc một Trung tâm Phục vụ hành chính công."}
            )


class Role(models.TextChoices):
    COUNTER_OFFICER = "counter_officer", "Cán bộ tiếp nhận (một cửa)"
    PROCESSING_OFFICER = "processing_officer", "Chuyên viên xử lý"
    DIVISION_HEAD = "division_head", "Lãnh đạo phòng"
    UNIT_LEADER = "unit_leader", "Lãnh đạo đơn vị"
    CENTRE_STAFF = "centre_staff", "Cán bộ Trung tâm Phục vụ hành chính công"
    PROVINCIAL_OFFICE = "provincial_office", "Văn phòng UBND tỉnh"
    HOME_AFFAIRS = "home_affairs", "Sở Nội vụ (đánh giá cán bộ)"
    ADMINISTRATOR = "administrator", "Quản trị hệ thống"


class RoleAssignment(ValidityPeriod):
    """R-26: officers' permissions are granted per unit and role; a role on a unit covers its sub-units."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="role_assignments", verbose_name="đơn vị"
    )
    role = models.CharField("vai trò", max_length=32, choices=Role.choices)
    counter = models.ForeignKey(
        Counter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officers",
        verbose_name="quầy",
    )

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="role_assignment_unique")
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", "Công dân"
    BUSINESS = "business", "Doanh nghiệp, tổ chức"
    STATE_BODY = "state_body", "Cơ quan nhà nước (thủ tục nội bộ)"


class Applicant(models.Model):
    """Who applies: a citizen (12-digit personal id), a business (tax code) or a state body (R-18)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="applicant"
    )
    kind = models.CharField("loại", max_length=16, choices=ApplicantKind.choices)
    identifier = models.CharField("số định danh / mã số thuế / mã định danh cơ quan", max_length=35)
    name = models.CharField("họ tên / tên tổ chức", max_length=255)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="cơ quan (nếu là cơ quan nhà nước)",
    )
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = "tổ chức, cá nhân nộp hồ sơ"
        verbose_name_plural = "tổ chức, cá nhân nộp hồ sơ"
        constraints = [
            models.UniqueConstraint(fields=["kind", "identifier"], name="applicant_identifier_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.address = nfc(self.address)
        self.search_text = fold(f"{self.name} {self.identifier}")
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.kind == ApplicantKind.CITIZEN and not re.fullmatch(r"\d{12}", self.identifier or ""):
            errors["identifier"] = "Số định danh cá nhân gồm đúng 12 chữ số."
        if self.kind == ApplicantKind.BUSINESS and not re.fullmatch(
            r"\d{10}(-\d{3})?", self.identifier or ""
        ):
            errors["identifier"] = "Mã số doanh nghiệp gồm 10 chữ số (chi nhánh: 10 chữ số-3 chữ số)."
        if self.kind == ApplicantKind.STATE_BODY and not self.unit_id:
            errors["unit"] = "Cơ quan nhà nước nộp hồ sơ phải là một đơn vị trong danh mục."
        if errors:
            raise ValidationError(errors)


PERSONAL_ID_RE = re.compile(r"\d{12}")


def validate_personal_id(value: str) -> None:
    if not PERSONAL_ID_RE.fullmatch(value or ""):
        raise ValidationError("Số định danh cá nhân gồm đúng 12 chữ số.", code="personal_id")


class OfficerIdentity(models.Model):
    """An officer's personal identification number (số định danh cá nhân, 12 digits): signing in
    with VNeID under this number opens this officer's account (R-26). Recorded by an administrator,
    never taken from what an identity provider says."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_identity"
    )
    personal_id = models.CharField(
        "số định danh cá nhân", max_length=12, unique=True, validators=[validate_personal_id]
    )

    class Meta:
        verbose_name = "định danh cán bộ"
        verbose_name_plural = "định danh cán bộ"

    def __str__(self) -> str:
        return f"{self.user} — {self.personal_id}"
