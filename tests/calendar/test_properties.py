"""Properties every deadline must have, over 2024–2026 and the seeded calendar (hypothesis)."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from motcua.calendar.units import HOURS_PER_WORKING_DAY, DurationUnit
from tests.calendar.util import VN

WORKING_UNITS = [DurationUnit.WORKING_DAYS, DurationUnit.WORKING_HOURS]
HOUR = datetime.timedelta(hours=1)

# Any instant from 2024 to 2026, to the second, in UTC as the database returns it.
instants = st.datetimes(
    min_value=datetime.datetime(2024, 1, 1), max_value=datetime.datetime(2026, 12, 31), timezones=st.just(VN)
).map(lambda d: d.replace(microsecond=0).astimezone(datetime.UTC))
# Amounts whose budgets are whole minutes (1/8 day = 1 h; 1/4 h = 15 min), as integers or Decimals.
day_amounts = st.one_of(st.integers(0, 40), st.integers(0, 320).map(lambda n: Decimal(n) / 8))
hour_amounts = st.one_of(st.integers(0, 200), st.integers(0, 800).map(lambda n: Decimal(n) / 4))
working = st.one_of(
    st.tuples(st.just(DurationUnit.WORKING_DAYS), day_amounts),
    st.tuples(st.just(DurationUnit.WORKING_HOURS), hour_amounts),
)
any_unit = st.one_of(working, st.tuples(st.just(DurationUnit.CALENDAR_DAYS), st.integers(0, 60)))


def assert_in_office_hours(calendar, instant: datetime.datetime) -> None:
    local = instant.astimezone(VN)
    assert calendar.is_working_day(local.date()), f"{local} is a day off"
    t = local.time()
    assert datetime.time(7) <= t <= datetime.time(11, 30) or datetime.time(13, 30) <= t <= datetime.time(
        17
    ), local


@given(start=instants, unit_amount=any_unit)
def test_never_due_on_a_day_off_or_outside_office_hours(calendar, start, unit_amount):
    unit, amount = unit_amount
    due = calendar.due_at(start, amount, unit)
    assert_in_office_hours(calendar, due)
    assert due >= start.replace(second=0)


@given(a=instants, b=instants, unit_amount=working)
def test_monotonic_in_start(calendar, a, b, unit_amount):
    unit, amount = unit_amount
    a, b = sorted((a, b))
    assert calendar.due_at(a, amount, unit) <= calendar.due_at(b, amount, unit)


@given(start=instants, unit=st.sampled_from(WORKING_UNITS), x=day_amounts, y=day_amounts)
def test_monotonic_in_amount(calendar, start, unit, x, y):
    x, y = sorted((x, y))
    assert calendar.due_at(start, x, unit) <= calendar.due_at(start, y, unit)


@given(a=instants, b=instants, x=day_amounts, y=day_amounts)
def test_calendar_days_due_date_is_monotonic(calendar, a, b, x, y):
    # Calendar days keep the time of day when the last day moves off a day off, so only the *date*
    # is monotonic (see WorkingCalendar._calendar_due): Thu 16:00 + 3 → Mon 16:00, Fri 08:00 + 3 → Mon 08:00.
    (a, b), (x, y) = sorted((a, b)), sorted((x, y))
    unit = DurationUnit.CALENDAR_DAYS
    assert calendar.due_at(a, x, unit).date() <= calendar.due_at(b, x, unit).date()
    assert calendar.due_at(a, x, unit).date() <= calendar.due_at(a, y, unit).date()


@given(start=instants, first=working, second=working)
def test_additive_for_working_units(calendar, start, first, second):
    # due(due(s, a), b) == due(s, a + b): a deadline split in two steps ends where the whole one does.
    (unit_a, a), (unit_b, b) = first, second
    to_hours = {DurationUnit.WORKING_DAYS: HOURS_PER_WORKING_DAY, DurationUnit.WORKING_HOURS: 1}
    if a == 0 or b == 0:
        return  # a zero budget only normalises the start
    total = Decimal(a) * to_hours[unit_a] + Decimal(b) * to_hours[unit_b]
    two_steps = calendar.due_at(calendar.due_at(start, a, unit_a), b, unit_b)
    assert two_steps == calendar.due_at(start, total, DurationUnit.WORKING_HOURS)


@given(start=instants, unit_amount=working)
def test_elapsed_until_due_is_the_budget(calendar, start, unit_amount):
    unit, amount = unit_amount
    due = calendar.due_at(start, amount, unit)
    hours = Decimal(amount) * (HOURS_PER_WORKING_DAY if unit == DurationUnit.WORKING_DAYS else 1)
    assert calendar.elapsed(start, due) == datetime.timedelta(hours=float(hours))
    assert calendar.remaining(start, amount, unit, due) == datetime.timedelta(0)


@given(start=instants, unit_amount=working, pause_start=instants, pause_hours=st.integers(0, 400))
def test_paused_time_is_not_counted(calendar, start, unit_amount, pause_start, pause_hours):
    unit, amount = unit_amount
    pauses = [(pause_start, pause_start + pause_hours * HOUR)]
    plain = calendar.due_at(start, amount, unit)
    paused = calendar.due_at(start, amount, unit, pauses)
    assert paused >= plain
    assert_in_office_hours(calendar, paused)
    # Excluding the pause, exactly the budget has been used at the (later) deadline.
    assert calendar.remaining(start, amount, unit, paused, pauses) == datetime.timedelta(0)


@given(instant=instants)
def test_normalize_is_idempotent_and_in_office_hours(calendar, instant):
    once = calendar.normalize(instant)
    assert calendar.normalize(once) == once
    assert calendar.is_working_time(once)
    assert once >= instant
