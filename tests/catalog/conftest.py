"""Catalogue fixtures: the hand-written `LayThuTuc` sample and the units it names."""

import copy
import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from motcua.calendar.units import DurationUnit
from motcua.catalog import national_import
from motcua.catalog.models import CaseDuration, Channel, Field, Procedure, ProcedureCase
from motcua.org.models import Unit, UnitKind, UnitLevel

SAMPLE = Path(__file__).parent / "data" / "laythutuc_sample.json"
_PAYLOADS = json.loads(SAMPLE.read_text(encoding="utf-8"))["data"]


@pytest.fixture
def payloads() -> list[dict]:
    """A fresh copy each test: tests edit payloads to simulate a changed national record."""
    return copy.deepcopy(_PAYLOADS)


def payload_of(payloads: list[dict], code: str) -> dict:
    return next(p for p in payloads if code in (p.get("MaTTHC"), p.get("MATTHC")))


@pytest.fixture
def home_affairs_dept(province) -> Unit:
    return Unit.objects.create(
        code="000.00.04.H19",
        name="Sở Nội vụ",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
        parent=province,
    )


@pytest.fixture
def units(province, justice_dept, construction_dept, home_affairs_dept, provincial_centre) -> dict[str, Unit]:
    return {
        u.code: u for u in (province, justice_dept, construction_dept, home_affairs_dept, provincial_centre)
    }


@pytest.fixture
def imported(units, payloads) -> national_import.ImportReport:
    return national_import.import_catalog(payloads)


def make_case(*durations: tuple[str, str, str], code: str = "9.999001") -> ProcedureCase:
    """A procedure with one case and the given (channel, value, unit) durations."""
    field, _ = Field.objects.get_or_create(code="TEST", defaults={"name": "Lĩnh vực thử"})
    procedure = Procedure.objects.create(code=code, name="Thủ tục thử nghiệm quy trình", field=field)
    case = ProcedureCase.objects.create(procedure=procedure, code="TH1", name="Trường hợp chung")
    for channel, value, unit in durations:
        CaseDuration.objects.create(case=case, channel=channel, value=Decimal(value), unit=unit)
    return case


@pytest.fixture
def ten_day_case(db) -> ProcedureCase:
    """10 working days (80 working hours) on every channel."""
    return make_case(
        (Channel.COUNTER, "10", DurationUnit.WORKING_DAYS),
        (Channel.ONLINE, "80", DurationUnit.WORKING_HOURS),
        (Channel.POSTAL, "10", DurationUnit.WORKING_DAYS),
    )


@pytest.fixture
def start() -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 1, 5, 8, 0))


@pytest.fixture
def admin_user(db, django_user_model):
    """A superuser without a password: no slow hashing, logged in with force_login."""
    return django_user_model.objects.create_superuser("quantri", email="quantri@example.vn", password=None)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
