"""The demo province (Tỉnh Đồng Nai after the 2025 reform): complete, consistent, idempotent.

The demo is loaded once per module inside a transaction that is rolled back at the end; each test
still runs in its own savepoint, so tests cannot see each other's writes.
"""

import csv
import datetime
import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import models, transaction
from django.test import override_settings

from motcua.calendar.units import DurationUnit
from motcua.catalog.models import (
    AgencyRole,
    CaseDuration,
    Channel,
    Fee,
    Field,
    LegalBasis,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ProcedureUnit,
    ProcessStep,
    ProcessVersion,
    ReceptionPoint,
    RequiredDocument,
    ResultDocument,
)
from motcua.demo.loader import DATA_DIR, load_demo
from motcua.org.models import (
    Applicant,
    ApplicantKind,
    Counter,
    RoleAssignment,
    Unit,
    UnitKind,
    UnitLevel,
    UnitMerger,
    validate_agency_code,
)

User = get_user_model()
# The GSO list of wards after 1/7/2025 (Decision 19/2025/QĐ-TTg), shipped with the project's
# reference data; the cross-check is skipped where the reference folder is not mounted.
WARDS_CSV = Path("/work/shared/data/vn_wards_2025.csv")
COUNTED = [
    Unit,
    Counter,
    UnitMerger,
    User,
    RoleAssignment,
    Applicant,
    Field,
    Procedure,
    ProcedureUnit,
    ProcedureCase,
    CaseDuration,
    Fee,
    RequiredDocument,
    ResultDocument,
    LegalBasis,
    ReceptionPoint,
    ProcessVersion,
    ProcessStep,
]


def _json(name: str):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # MD5 only for the test run: ~80 PBKDF2 checks would dominate the suite's time.
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        summary = load_demo()
        yield summary
        transaction.set_rollback(True)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.django_db
def test_second_load_changes_nothing(demo):
    assert demo.changed
    assert demo.warnings == []
    before = _counts()
    stamps = list(Procedure.objects.order_by("code").values_list("code", "updated_at"))
    hashes = dict(User.objects.values_list("username", "password"))

    again = load_demo()

    assert not again.changed, again.lines()
    assert _counts() == before
    assert list(Procedure.objects.order_by("code").values_list("code", "updated_at")) == stamps
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert "không có gì thay đổi" in again.lines()[-1]


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unit_tree_of_dong_nai(demo):
    province = Unit.objects.get(code="000.00.00.H19")
    assert province.kind == UnitKind.PEOPLES_COMMITTEE and province.level == UnitLevel.PROVINCE
    assert Unit.objects.filter(kind=UnitKind.PROVINCIAL_OFFICE, parent=province).exists()
    departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT, parent=province)
    assert departments.count() >= 8
    names = set(departments.values_list("name", flat=True))
    for required in (
        "Sở Ngoại vụ",
        "Sở Tư pháp",
        "Sở Nội vụ",
        "Sở Xây dựng",
        "Sở Tài chính",
        "Sở Khoa học và Công nghệ",
    ):
        assert required in names
    for department in departments:
        assert 1 <= department.children.filter(kind=UnitKind.DIVISION).count() <= 2, department
    assert Unit.objects.filter(kind=UnitKind.OTHER_BODY, name="Công an tỉnh Đồng Nai").exists()
    centre = Unit.objects.get(kind=UnitKind.SERVICE_CENTRE, level=UnitLevel.PROVINCE, valid_to__isnull=True)
    assert centre.counters.count() >= 6
    served = {unit.pk for counter in centre.counters.all() for unit in counter.serves.all()}
    assert {d.pk for d in departments} <= served
    for unit in Unit.objects.all():
        validate_agency_code(unit.code)


@pytest.mark.django_db
def test_communes_are_real_wards_each_with_a_centre(demo):
    wards = {}
    if WARDS_CSV.exists():
        with WARDS_CSV.open(encoding="utf-8") as f:
            wards = {r["ward_code"]: r["ward_name"] for r in csv.DictReader(f) if r["province_code"] == "75"}
    communes = Unit.objects.filter(kind=UnitKind.COMMUNE)
    assert communes.count() >= 6
    for commune in communes:
        assert commune.level == UnitLevel.COMMUNE
        assert re.fullmatch(r"\d{5}", commune.area_code), commune
        if wards:
            # "Ủy ban nhân dân phường Trấn Biên" ↔ "Phường Trấn Biên" (province 75) in the GSO list.
            assert commune.name.lower().endswith(wards[commune.area_code].lower()), commune
        centre = commune.children.get(kind=UnitKind.SERVICE_CENTRE)
        assert centre.level == UnitLevel.COMMUNE
        assert 1 <= centre.counters.count() <= 2
        assert all(list(c.serves.all()) == [commune] for c in centre.counters.all())


@pytest.mark.django_db
def test_history_legacy_districts_and_binh_phuoc_merger(demo):
    end = datetime.date(2025, 6, 30)
    districts = Unit.objects.filter(kind=UnitKind.LEGACY_DISTRICT)
    assert districts.count() >= 2
    assert all(d.level == UnitLevel.DISTRICT and d.valid_to == end for d in districts)
    justice_bp = Unit.objects.get(name="Sở Tư pháp tỉnh Bình Phước")
    assert justice_bp.code.endswith(".H10") and justice_bp.valid_to == end
    assert justice_bp.successor.name == "Sở Tư pháp"
    merger = justice_bp.mergers_out.get()
    assert merger.effective_on == datetime.date(2025, 7, 1)
    assert "202/2025/QH15" in merger.decision
    for unit in Unit.objects.filter(code__endswith=".H10"):
        assert unit.valid_to == end
    assert UnitMerger.objects.count() >= 2
    for merger in UnitMerger.objects.all():
        assert all(p.successor_id == merger.successor_id for p in merger.predecessors.all())


# ---------------------------------------------------------------------------------------------
# Procedures
# ---------------------------------------------------------------------------------------------


def _by_name(prefix: str) -> Procedure:
    return Procedure.objects.get(name__startswith=prefix)


def _levels(procedure: Procedure) -> set[str]:
    return set(procedure.levels.values_list("level", flat=True))


def _consulted_units(procedure: Procedure) -> set[str]:
    owners = set(
        procedure.unit_links.filter(role=AgencyRole.IMPLEMENTING).values_list("unit__code", flat=True)
    )
    steps = ProcessStep.objects.filter(version__case__procedure=procedure, unit__isnull=False)
    return set(steps.values_list("unit__code", flat=True)) - owners


@pytest.mark.django_db
def test_catalogue_has_the_required_procedures(demo):
    assert Procedure.objects.count() >= 40
    assert {"province", "commune"} <= set(
        Procedure.objects.values_list("levels__level", flat=True).distinct()
    )

    permit = _by_name("Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II")
    assert permit.unit_links.filter(role=AgencyRole.IMPLEMENTING, unit__name="Sở Xây dựng").exists()
    assert _consulted_units(permit)  # another department gives its opinion

    record = _by_name("Cấp Phiếu lý lịch tư pháp")
    assert _consulted_units(record)
    assert record.cases.count() == 2
    assert Fee.objects.filter(case__procedure=record, amount__gt=0).exists()

    birth = Procedure.objects.get(name="Đăng ký khai sinh")
    assert _levels(birth) == {"commune"}

    copy = _by_name("Chứng thực bản sao từ bản chính")
    assert copy.on_the_spot and _levels(copy) == {"commune"}

    foreign = Procedure.objects.filter(unit_links__unit__name="Sở Ngoại vụ").distinct()
    assert foreign.filter(name__contains="hội nghị, hội thảo quốc tế").exists()


@pytest.mark.django_db
def test_flag_mix_internal_on_the_spot_fees_online_levels(demo):
    internal = Procedure.objects.filter(internal=True)
    assert internal.count() >= 4
    assert internal.filter(online_level=OnlineLevel.NONE).exists()
    online_internal = internal.exclude(online_level=OnlineLevel.NONE)
    assert online_internal.count() >= 2
    for procedure in online_internal:
        # only the online reception point exists.
        assert set(procedure.reception_points.values_list("channel", flat=True)) == {Channel.ONLINE}
    for procedure in internal:
        assert procedure.national_payload["DOITUONGTHUCHIEN"][0]["TENDOITUONG"] == "Cơ quan nhà nước"

    on_the_spot = Procedure.objects.filter(on_the_spot=True)
    assert on_the_spot.count() >= 3
    for procedure in on_the_spot:
        for duration in CaseDuration.objects.filter(case__procedure=procedure):
            assert duration.working_hours is not None and duration.working_hours <= 8, procedure

    assert Procedure.objects.filter(cases__fees__amount__gt=0).distinct().count() >= 10
    for level in OnlineLevel.values:
        assert Procedure.objects.filter(online_level=level, internal=False).exists(), level
    assert Procedure.objects.filter(has_result_document=False).exists()


@pytest.mark.django_db
def test_reception_points_follow_r01_r02(demo):
    for point in ReceptionPoint.objects.select_related("unit", "on_behalf_of", "counter"):
        if point.channel == Channel.ONLINE:
            assert point.on_behalf_of is None and point.unit.kind != UnitKind.SERVICE_CENTRE
        if point.channel == Channel.COUNTER and not point.procedure.internal:
            assert point.unit.kind == UnitKind.SERVICE_CENTRE
            assert point.counter.serves.filter(pk=point.on_behalf_of_id).exists()
    # Every public procedure can be handed in at a counter of a service centre.
    for procedure in Procedure.objects.filter(internal=False):
        assert procedure.reception_points.filter(channel=Channel.COUNTER).exists(), procedure


@pytest.mark.django_db
def test_every_process_adds_up_to_the_legal_time(demo):
    """R-24, re-checked here without the catalogue service's own arithmetic."""
    checked = 0
    cases = ProcedureCase.objects.prefetch_related("durations", "process_versions__steps")
    for case in cases:
        versions = list(case.process_versions.all())
        assert versions, f"{case.procedure_id} “{case}” has no process"
        own_channels = {v.channel for v in versions if v.channel}
        for version in versions:
            total = sum((step.budget_hours for step in version.steps.all()), Decimal(0))
            durations = [
                d
                for d in case.durations.all()
                if (d.channel == version.channel if version.channel else d.channel not in own_channels)
            ]
            assert durations, version
            for duration in durations:
                if duration.unit == DurationUnit.WORKING_DAYS:
                    assert total == duration.value * 8, (case.procedure.code, version.channel, total)
                    checked += 1
                elif duration.unit == DurationUnit.WORKING_HOURS:
                    assert total == duration.value, (case.procedure.code, version.channel, total)
                    checked += 1
    assert checked >= 100


@pytest.mark.django_db
def test_every_step_has_someone_to_do_it(demo):
    """Each step's role is held on the unit that does it (the deciding unit or the consulted one)."""
    held = {(a.unit_id, a.role) for a in RoleAssignment.objects.all()}
    for step in ProcessStep.objects.select_related("version__case__procedure", "unit"):
        procedure = step.version.case.procedure
        targets = (
            [step.unit]
            if step.unit
            else [link.unit for link in procedure.unit_links.filter(role=AgencyRole.IMPLEMENTING)]
        )
        assert targets, procedure
        for unit in targets:
            scope = [unit, *unit.ancestors()]
            assert any((u.pk, step.role) in held for u in scope), (procedure.code, step.name, unit.code)


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_account_signs_in_with_demo(demo):
    usernames = [spec["username"] for spec in _json("accounts.json")["accounts"]]
    assert len(usernames) == len(set(usernames))
    for username in usernames:
        assert re.fullmatch(r"[a-z0-9.]+", username)
        assert authenticate(None, username=username, password="demo") is not None, username
    admin = User.objects.get(username="quantri")
    assert admin.is_superuser and admin.is_staff
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles >= {
        "counter_officer",
        "processing_officer",
        "division_head",
        "unit_leader",
        "centre_staff",
        "provincial_office",
        "home_affairs",
        "administrator",
    }
    for centre in Unit.objects.filter(kind=UnitKind.SERVICE_CENTRE, valid_to__isnull=True):
        for counter in centre.counters.all():
            assert counter.officers.filter(role="counter_officer").exists(), counter


@pytest.mark.django_db
def test_demo_identity_numbers_are_synthetic(demo):
    applicants = Applicant.objects.all()
    assert applicants.filter(kind=ApplicantKind.CITIZEN).count() == 2
    assert applicants.filter(kind=ApplicantKind.BUSINESS).count() == 1
    for applicant in applicants:
        applicant.full_clean(exclude=["search_text"])
        if applicant.kind == ApplicantKind.CITIZEN:
            # 12 digits, Đồng Nai prefix 075, and a run of zeros no real serial would have.
            assert re.fullmatch(r"0750\d{2}0000\d{2}", applicant.identifier)
        elif applicant.kind == ApplicantKind.BUSINESS:
            assert re.fullmatch(r"369999990\d", applicant.identifier)
        else:
            assert applicant.unit.kind == UnitKind.COMMUNE and applicant.identifier == applicant.unit.code
        assert applicant.user is not None


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.django_db
def test_all_text_is_nfc(demo):
    for name in ("units.json", "accounts.json", "procedures.json"):
        for text in _strings(_json(name)):
            assert unicodedata.normalize("NFC", text) == text, (name, text)
    for model in COUNTED:
        fields = model._meta.concrete_fields
        text_fields = [f for f in fields if isinstance(f, models.CharField | models.TextField)]
        json_fields = [f for f in fields if isinstance(f, models.JSONField)]
        for row in model.objects.all():
            for f in text_fields:
                value = getattr(row, f.attname)
                assert unicodedata.normalize("NFC", value) == value, (model.__name__, f.name, value)
            for f in json_fields:
                for text in _strings(getattr(row, f.attname)):
                    assert unicodedata.normalize("NFC", text) == text, (model.__name__, f.name, text)
    # Vietnamese really is there (not stripped to ASCII somewhere on the way).
    assert Procedure.objects.filter(name="Đăng ký khai sinh").exists()
