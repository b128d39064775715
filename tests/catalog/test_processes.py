"""Processes: configured per case, versioned with their decision (R-24), new dossiers only (R-04)."""

import datetime
from decimal import Decimal

import pytest

from motcua.calendar.units import DurationUnit
from motcua.catalog import selectors, services
from motcua.catalog.models import Channel, ProcessStep, ProcessVersion
from motcua.core.errors import InvalidInput, RuleViolation
from motcua.org.models import Role
from tests.catalog.conftest import make_case

DAY = datetime.timedelta(days=1)


def steps(*hours: str, role: str = Role.PROCESSING_OFFICER) -> list[services.StepSpec]:
    return [
        services.StepSpec(name=f"Bước {i}", role=role, budget_hours=Decimal(h))
        for i, h in enumerate(hours, 1)
    ]


def create(case, spec, start, **kwargs):
    kwargs.setdefault("approved_by", "123/QĐ-UBND")
    if start is not None:
        kwargs.setdefault("approved_on", start.date())
        kwargs.setdefault("effective_from", start)
    return services.create_process_version(case, steps=spec, **kwargs)


def test_r24_process_budget_must_equal_legal_time(ten_day_case, start):
    with pytest.raises(RuleViolation) as exc:
        create(ten_day_case, steps("4", "60", "8"), start)  # 72 h, the law gives 10 days = 80 h
    assert exc.value.rule == "R-24"
    assert exc.value.message == (
        "Tổng thời gian các bước (72 giờ làm việc) phải bằng thời hạn giải quyết theo quy định "
        "(80 giờ làm việc, tức 10 ngày làm việc)."
    )
    assert not ProcessVersion.objects.exists()


def test_r24_process_recorded_with_its_decision_and_ordered_steps(ten_day_case, justice_dept, start):
    spec = [
        services.StepSpec("Tiếp nhận hồ sơ", Role.COUNTER_OFFICER, Decimal("4")),
        services.StepSpec("Thẩm định", Role.PROCESSING_OFFICER, Decimal("60"), unit=justice_dept),
        services.StepSpec("Phê duyệt", Role.UNIT_LEADER, Decimal("12")),
        services.StepSpec("Trả kết quả", Role.COUNTER_OFFICER, Decimal("4")),
    ]
    version = create(ten_day_case, spec, start, approved_by="2156/QĐ-UBND ngày 30/12/2025")
    assert (version.number, version.channel, version.approved_by) == (1, "", "2156/QĐ-UBND ngày 30/12/2025")
    assert list(version.steps.values_list("order", "name", "role", "budget_hours")) == [
        (1, "Tiếp nhận hồ sơ", "counter_officer", Decimal("4")),
        (2, "Thẩm định", "processing_officer", Decimal("60")),
        (3, "Phê duyệt", "unit_leader", Decimal("12")),
        (4, "Trả kết quả", "counter_officer", Decimal("4")),
    ]
    assert version.steps.get(order=2).unit == justice_dept


def test_r24_half_hours_add_up(start, db):
    case = make_case((Channel.COUNTER, "0.5", DurationUnit.WORKING_DAYS))  # 4 working hours
    version = create(case, steps("0.5", "3", "0.5"), start, channel=Channel.COUNTER)
    assert version.number == 1


def test_r24_channels_with_different_times_need_one_process_per_channel(start, db):
    case = make_case(
        (Channel.COUNTER, "15", DurationUnit.WORKING_DAYS), (Channel.ONLINE, "10", DurationUnit.WORKING_DAYS)
    )
    with pytest.raises(RuleViolation) as exc:
        create(case, steps("80"), start)
    assert exc.value.rule == "R-24"
    assert "hãy lập một quy trình riêng cho từng cách thức" in exc.value.message
    assert "Trực tiếp: 15 ngày làm việc" in exc.value.message
    online = create(case, steps("40", "40"), start, channel=Channel.ONLINE)
    counter = create(case, steps("100", "20"), start, channel=Channel.COUNTER)
    assert (online.number, counter.number) == (1, 1)  # numbered per (case, channel)


def test_r24_channel_without_legal_time_refused(ten_day_case, start, db):
    case = make_case((Channel.COUNTER, "5", DurationUnit.WORKING_DAYS), code="9.999002")
    with pytest.raises(RuleViolation, match="chưa có thời hạn giải quyết cho cách thức trực tuyến"):
        create(case, steps("40"), start, channel=Channel.ONLINE)


def test_r24_calendar_day_limit_skips_the_equality_check(start, db):
    # 30 calendar days contain a number of working hours that depends on the receipt date.
    case = make_case((Channel.ONLINE, "30", DurationUnit.CALENDAR_DAYS))
    version = create(case, steps("16", "80", "8"), start)
    assert version.steps.count() == 3


@pytest.mark.parametrize(
    ("kwargs", "error", "rule", "text"),
    [
        ({"approved_by": "  "}, RuleViolation, "R-24", "quyết định phê duyệt"),
        ({"spec": []}, RuleViolation, "R-24", "ít nhất một bước"),
        ({"spec": steps("80", role="tea_lady")}, InvalidInput, None, "vai trò “tea_lady” không hợp lệ"),
        ({"spec": steps("90", "-10")}, InvalidInput, None, "lớn hơn 0"),
        ({"channel": "fax"}, InvalidInput, None, "Cách thức “fax”"),
    ],
)
def test_r24_invalid_process_refused(ten_day_case, start, kwargs, error, rule, text):
    spec = kwargs.pop("spec", steps("80"))
    with pytest.raises(error) as exc:
        create(ten_day_case, spec, start, **kwargs)
    assert exc.value.rule == rule
    assert text in exc.value.message
    assert not ProcessVersion.objects.exists()


def test_r24_step_at_a_unit_ended_before_the_process_starts_is_refused(ten_day_case, justice_dept, start):
    justice_dept.valid_to = start.date() - DAY
    justice_dept.save()
    spec = [services.StepSpec("Thẩm định", Role.PROCESSING_OFFICER, Decimal("80"), unit=justice_dept)]
    with pytest.raises(InvalidInput, match="đã hết hiệu lực"):
        create(ten_day_case, spec, start)


def test_r04_new_version_never_alters_the_old_one(ten_day_case, start):
    first = create(ten_day_case, steps("8", "64", "8"), start)
    before = list(first.steps.values_list("pk", "order", "name", "budget_hours"))
    second = create(
        ten_day_case, steps("4", "72", "4"), start, approved_by="45/QĐ-UBND", effective_from=start + 30 * DAY
    )
    assert second.number == 2
    first.refresh_from_db()
    assert (first.number, first.approved_by, first.effective_from) == (1, "123/QĐ-UBND", start)
    assert list(first.steps.values_list("pk", "order", "name", "budget_hours")) == before
    assert ProcessStep.objects.count() == 6


def test_r04_back_dated_version_refused(ten_day_case, start):
    create(ten_day_case, steps("80"), start)
    with pytest.raises(RuleViolation) as exc:
        create(ten_day_case, steps("80"), start, effective_from=start - DAY)
    assert exc.value.rule == "R-04"


def test_r04_active_process_version_by_date(ten_day_case, start):
    v1 = create(ten_day_case, steps("80"), start)
    v2 = create(ten_day_case, steps("40", "40"), start, effective_from=start + 30 * DAY)
    assert selectors.active_process_version(ten_day_case, Channel.COUNTER, start - DAY) is None
    assert selectors.active_process_version(ten_day_case, Channel.COUNTER, start) == v1
    assert selectors.active_process_version(ten_day_case, Channel.COUNTER, start + 29 * DAY) == v1
    assert selectors.active_process_version(ten_day_case, Channel.ONLINE, start + 30 * DAY) == v2


def test_r04_channel_specific_process_and_the_general_one(ten_day_case, start):
    general = create(ten_day_case, steps("80"), start)
    online = create(ten_day_case, steps("8", "72"), start, channel=Channel.ONLINE, effective_from=start + DAY)
    at = start + 2 * DAY
    assert selectors.active_process_version(ten_day_case, Channel.ONLINE, at) == online
    assert selectors.active_process_version(ten_day_case, Channel.COUNTER, at) == general
    # A general process approved later supersedes the older channel-specific one.
    newer = create(ten_day_case, steps("80"), start, effective_from=start + 10 * DAY)
    assert selectors.active_process_version(ten_day_case, Channel.ONLINE, start + 10 * DAY) == newer


def test_naive_effective_time_is_read_in_local_time(ten_day_case):
    version = create(
        ten_day_case,
        steps("80"),
        None,
        approved_on=datetime.date(2026, 1, 2),
        effective_from=datetime.datetime(2026, 1, 5, 8),
    )
    version.refresh_from_db()
    assert version.effective_from == datetime.datetime(2026, 1, 5, 1, tzinfo=datetime.UTC)
