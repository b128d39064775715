"""Working-time arithmetic: when is a dossier due, how much of its budget is used (REGULATIONS §7.3–7.4).

DESIGN.md: "deadlines are a budget, not a stored guess" — the legal time limit, the paused intervals
and this calendar give `due_at`, and changing the calendar re-projects every running deadline. So the
calendar is rebuilt from the table whenever it changes (`get_calendar`) and each call is pure
arithmetic on precomputed arrays: no database access, O(log n), ≥ 200,000 calls/s (DESIGN.md).

How it works: every instant maps to a *working-time position* W, the working microseconds from the
start of the span to that instant (instants outside office hours map to the position of the next
opening). A budget in working hours is then `W(start) + budget`, mapped back to the earliest instant
with that position — so a budget that runs out exactly at 11:30 or 17:00 ends there, not at the
next opening.
"""

import datetime
import threading
import time
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from math import isfinite

from django.db.models import Count, Max
from django.utils import timezone

from motcua.calendar.models import (
    DAY_OFF_KINDS,
    DEFAULT_AFTERNOON_END,
    DEFAULT_AFTERNOON_START,
    DEFAULT_MORNING_END,
    DEFAULT_MORNING_START,
    CalendarDay,
    DayKind,
    WorkingHours,
)
from motcua.calendar.units import HOURS_PER_WORKING_DAY, DurationUnit
from motcua.core.errors import InvalidInput

Pauses = Sequence[tuple[datetime.datetime, datetime.datetime]]

_US = 1_000_000
_MINUTE_US = 60 * _US
_HOUR_US = 60 * _MINUTE_US
_DAY_US = 24 * _HOUR_US
# Microseconds of working time per unit; None = calendar time (handled separately).
_UNIT_US: dict[str, int | None] = {
    DurationUnit.WORKING_DAYS: HOURS_PER_WORKING_DAY * _HOUR_US,
    DurationUnit.WORKING_HOURS: _HOUR_US,
    DurationUnit.CALENDAR_DAYS: None,
}

# The span over which the arrays are built: wide enough for legacy imports and long procedures; years
# after the seeded data have no holidays until the province enters them (REGULATIONS §7.2).
SPAN_FIRST_YEAR = 2000
SPAN_MIN_LAST_YEAR = 2060

WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


class CalendarInputError(InvalidInput, ValueError):
    """Bad input to the calendar (naive datetime, unknown unit, negative amount): a 400, never a 500."""

    code = "calendar_input"


@dataclass(frozen=True, slots=True)
class OfficeHours:
    morning_start: datetime.time = DEFAULT_MORNING_START
    morning_end: datetime.time = DEFAULT_MORNING_END
    afternoon_start: datetime.time = DEFAULT_AFTERNOON_START
    afternoon_end: datetime.time = DEFAULT_AFTERNOON_END
    valid_from: datetime.date = datetime.date(SPAN_FIRST_YEAR, 1, 1)

    def windows_us(self) -> tuple[int, int, int, int]:
        def us(t: datetime.time) -> int:
            return ((t.hour * 60 + t.minute) * 60 + t.second) * _US + t.microsecond

        return (
            us(self.morning_start),
            us(self.morning_end),
            us(self.afternoon_start),
            us(self.afternoon_end),
        )


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _consume(pos: int, budget: int, pauses: list[tuple[int, int]]) -> int:
    """Position where `budget` runs out when counting from `pos` and skipping the sorted `pauses`."""
    for a, b in pauses:
        if b <= pos:
            continue
        if a > pos:
            if a - pos >= budget:
                break  # runs out before (or exactly when) the pause begins
            budget -= a - pos
        pos = b
    return pos + budget


class WorkingCalendar:
    """An immutable calendar: days off, make-up days and office hours, as arrays over a span of years."""

    def __init__(
        self,
        days_off: Iterable[datetime.date] = (),
        make_up_days: Iterable[datetime.date] = (),
        hours: Sequence[OfficeHours] = (),
        *,
        tz: datetime.tzinfo | None = None,
        first_year: int = SPAN_FIRST_YEAR,
        last_year: int = SPAN_MIN_LAST_YEAR,
    ) -> None:
        days_off, make_up_days = frozenset(days_off), frozenset(make_up_days)
        hours = sorted(hours or [OfficeHours()], key=lambda h: h.valid_from)
        self.tz = tz or timezone.get_default_timezone()
        self.first_day = datetime.date(first_year, 1, 1)
        self.last_day = datetime.date(last_year, 12, 31)
        # Wall-clock epoch: aware datetimes sharing this tzinfo subtract as wall time, without DST maths.
        self._epoch = datetime.datetime.combine(self.first_day, datetime.time(), tzinfo=self.tz)
        self._epoch_ordinal = self.first_day.toordinal()
        n_days = self._n_days = self.last_day.toordinal() - self._epoch_ordinal + 1
        self._epoch_utc = self._epoch.astimezone(datetime.UTC)
        # Asia/Ho_Chi_Minh has been UTC+7 since 1975: real and wall time then differ by a constant.
        midnights = (self._epoch + datetime.timedelta(days=k) for k in range(n_days + 1))
        self._fixed_offset = len({m.utcoffset() for m in midnights}) == 1

        # Per calendar day k: its windows (None = day off) and the working time before it (_cum[k]).
        self._win: list[tuple[int, int, int, int] | None] = []
        self._cum: list[int] = [0]
        # Per working day j: its day index and the position at its end, for the inverse map (bisect).
        self._work_k: list[int] = []
        self._work_end: list[int] = []
        version, windows = 0, hours[0].windows_us()
        for k in range(n_days):
            day = self.first_day + datetime.timedelta(days=k)
            while version + 1 < len(hours) and hours[version + 1].valid_from <= day:
                version += 1
                windows = hours[version].windows_us()
            # REGULATIONS §7.4: (weekday < 5 and not a day off) or a make-up day.
            working = day in make_up_days or (day.weekday() < 5 and day not in days_off)
            length = (windows[1] - windows[0] + windows[3] - windows[2]) if working else 0
            self._win.append(windows if working else None)
            self._cum.append(self._cum[-1] + length)
            if working:
                self._work_k.append(k)
                self._work_end.append(self._cum[-1])
        if not self._work_k:
            raise CalendarInputError("Lịch làm việc không có ngày làm việc nào.")

    # ----- conversions -------------------------------------------------------------------------
    def _wall(self, instant: datetime.datetime) -> tuple[int, int]:
        """(day index, µs of day) of an aware instant in local wall time; naive input is refused."""
        try:
            if self._fixed_offset:
                # Elapsed real time = elapsed wall time; subtracting two datetimes that share a tzinfo
                # (UTC from the database, or our own local results) is plain arithmetic, no zone lookup.
                # A naive instant raises TypeError here ("can't subtract offset-naive and offset-aware").
                delta = instant - (self._epoch if instant.tzinfo is self.tz else self._epoch_utc)
            elif instant.utcoffset() is None:  # astimezone() would read a naive time as the server's zone
                raise TypeError
            else:
                delta = instant.astimezone(self.tz) - self._epoch
        except (TypeError, AttributeError):
            raise CalendarInputError(
                "Thời điểm phải là datetime có múi giờ (aware); không nhận giờ không rõ múi giờ.",
                field="instant",
            ) from None
        k = delta.days
        if not 0 <= k < self._n_days:
            raise CalendarInputError(
                f"Thời điểm {instant:%d/%m/%Y} nằm ngoài phạm vi lịch làm việc "
                f"({self.first_day:%d/%m/%Y}–{self.last_day:%d/%m/%Y})."
            )
        return k, delta.seconds * _US + delta.microseconds

    def _position(self, k: int, sod: int) -> int:
        """Working-time position of wall instant (k, sod); outside the sessions = the next opening's."""
        win = self._win[k]
        if win is None:
            return self._cum[k]
        ms, me, as_, ae = win
        if sod <= ms:
            return self._cum[k]
        if sod < me:
            return self._cum[k] + sod - ms
        if sod <= as_:
            return self._cum[k] + me - ms
        if sod < ae:
            return self._cum[k] + me - ms + sod - as_
        return self._cum[k + 1]

    def _instant(self, k: int, sod: int) -> datetime.datetime:
        return self._epoch + datetime.timedelta(k, 0, sod)  # positional: the keyword form is 2× slower

    def _at_position(self, pos: int) -> datetime.datetime:
        """The earliest instant whose working-time position is `pos` (window ends stay window ends)."""
        j = bisect_left(self._work_end, pos)
        if j == len(self._work_end):
            raise self._beyond_span()
        k = self._work_k[j]
        ms, me, as_, _ae = self._win[k]  # type: ignore[misc]
        off = pos - self._cum[k]
        return self._instant(k, ms + off if off <= me - ms else as_ + off - (me - ms))

    def _beyond_span(self) -> CalendarInputError:
        return CalendarInputError(f"Thời hạn vượt quá phạm vi lịch làm việc (sau {self.last_day:%d/%m/%Y}).")

    def _next_working_k(self, k: int) -> int:
        j = bisect_left(self._work_k, k)
        if j == len(self._work_k):
            raise self._beyond_span()
        return self._work_k[j]

    # ----- public API --------------------------------------------------------------------------
    def is_working_day(self, day: datetime.date) -> bool:
        k = day.toordinal() - self._epoch_ordinal
        if not 0 <= k < self._n_days:
            raise CalendarInputError(f"Ngày {day:%d/%m/%Y} nằm ngoài phạm vi lịch làm việc.")
        return self._win[k] is not None

    def is_working_time(self, instant: datetime.datetime) -> bool:
        """True inside a session, end excluded: [07:00, 11:30) ∪ [13:30, 17:00) on a working day."""
        k, sod = self._wall(instant)
        win = self._win[k]
        return win is not None and (win[0] <= sod < win[1] or win[2] <= sod < win[3])

    def normalize(self, instant: datetime.datetime) -> datetime.datetime:
        """The instant from which a dossier received at `instant` is counted (REGULATIONS §7.3).

        Before opening → opening; in the lunch break → afternoon start; at/after closing or on a day
        off → the next working day's opening. Returned in local time (settings.TIME_ZONE).
        """
        return self._instant(*self._normalized(*self._wall(instant)))

    def _normalized(self, k: int, sod: int) -> tuple[int, int]:
        win = self._win[k]
        if win is not None:
            ms, me, as_, ae = win
            if sod < ms:
                return k, ms
            if sod < me or as_ <= sod < ae:
                return k, sod
            if sod < as_:
                return k, as_
        k = self._next_working_k(k + 1)
        return k, self._win[k][0]  # type: ignore[index]

    def due_at(
        self,
        start: datetime.datetime,
        amount: Decimal | int | float,
        unit: DurationUnit | str,
        pauses: Pauses = (),
    ) -> datetime.datetime:
        """The appointment for a dossier received at `start` with a time limit of `amount` `unit`.

        Working units: amount × 8 working hours (working days, Tân Dân / OpenCPS; REGULATIONS §7.3) or
        amount working hours, counted from the minute of receipt (the receipt shows "… giờ … phút",
        so seconds are dropped) after `normalize`. Paused intervals [a, b) do not count (supplement
        requests, §2.4). Calendar days: see `_calendar_due`.
        """
        per_unit = self._per_unit(unit)
        budget = self._budget(amount, per_unit if per_unit is not None else _DAY_US)
        k, sod = self._wall(start)
        sod -= sod % _MINUTE_US
        if per_unit is None:
            return self._calendar_due(k, sod, budget, pauses)
        if budget == 0:
            return self._instant(*self._normalized(k, sod))
        pos = self._position(k, sod)
        if pauses:
            return self._at_position(_consume(pos, budget, self._pause_positions(pauses)))
        return self._at_position(pos + budget)

    def elapsed(
        self, start: datetime.datetime, at: datetime.datetime, pauses: Pauses = ()
    ) -> datetime.timedelta:
        """Working time from `start` (its minute) to `at`, excluding paused intervals; never negative."""
        k, sod = self._wall(start)
        begin = self._position(k, sod - sod % _MINUTE_US)
        end = self._position(*self._wall(at))
        total = end - begin
        if total <= 0:
            return datetime.timedelta(0)
        for a, b in self._pause_positions(pauses):
            overlap = min(b, end) - max(a, begin)
            if overlap > 0:
                total -= overlap
        return datetime.timedelta(microseconds=total)

    def remaining(
        self,
        start: datetime.datetime,
        amount: Decimal | int | float,
        unit: DurationUnit | str,
        at: datetime.datetime,
        pauses: Pauses = (),
    ) -> datetime.timedelta:
        """Budget left at `at`: working time for working units, calendar time for calendar days.

        Negative when overdue ("quá hạn"); compare with a threshold for "sắp đến hạn".
        """
        per_unit = self._per_unit(unit)
        if per_unit is None:
            return self.due_at(start, amount, unit, pauses) - at
        budget = self._budget(amount, per_unit)
        return datetime.timedelta(microseconds=budget) - self.elapsed(start, at, pauses)

    # ----- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _per_unit(unit: DurationUnit | str) -> int | None:
        try:
            return _UNIT_US[unit]
        except (KeyError, TypeError):
            raise CalendarInputError(
                f"Đơn vị thời hạn không hợp lệ: {unit!r} "
                "(chỉ nhận working_days, working_hours, calendar_days).",
                field="unit",
            ) from None

    @staticmethod
    def _budget(amount: Decimal | int | float, per_unit: int) -> int:
        if type(amount) is int:  # bool is refused below: True days is a bug, not a limit
            budget = amount * per_unit
        elif isinstance(amount, Decimal) and amount.is_finite():
            budget = int((amount * per_unit).to_integral_value(ROUND_HALF_EVEN))
        elif isinstance(amount, float) and isfinite(amount):
            budget = round(amount * per_unit)
        else:
            raise CalendarInputError(f"Thời hạn phải là một số: {amount!r}.", field="amount")
        if budget < 0:
            raise CalendarInputError("Thời hạn không được âm.", field="amount")
        return budget

    def _pause_walls(self, pauses: Pauses) -> list[tuple[int, int]]:
        """Paused intervals [a, b) as wall-clock microseconds since the epoch."""
        out = []
        for a, b in pauses:
            if b < a:
                raise CalendarInputError("Khoảng tạm dừng có thời điểm kết thúc trước thời điểm bắt đầu.")
            (ka, sa), (kb, sb) = self._wall(a), self._wall(b)
            out.append((ka * _DAY_US + sa, kb * _DAY_US + sb))
        return out

    def _pause_positions(self, pauses: Pauses) -> list[tuple[int, int]]:
        return _merge(
            (self._position(*divmod(a, _DAY_US)), self._position(*divmod(b, _DAY_US)))
            for a, b in self._pause_walls(pauses)
        )

    def _calendar_due(self, k: int, sod: int, budget: int, pauses: Pauses) -> datetime.datetime:
        """Calendar-day limits ("ngày"; REGULATIONS §7.3, Tân Dân): count every day, move off days off.

        Choices made here:
        - the count starts from the normalised receipt, like every other limit (§7.3 "late-day
          receipt": after 17:00 or on a day off, counting starts at the next opening);
        - it runs in wall-clock time, skipping paused intervals (Tân Dân shifts by the paused span),
          and lands at the same time of day; a last day that is a day off moves to the next working
          day, still at that time of day (Tân Dân; the receipt-time convention REGULATIONS §7.3
          makes the default, where the Civil Code would say "end of that day");
        - the time is clamped into the landing day's office hours without leaving the day: before
          opening → opening, lunch break → afternoon start, after closing → closing (the limit is
          a *day*, so it never spills into the next one).
        Keeping the time of day means the due *date* is monotonic in the receipt and the amount, but
        the time within a day is not: Thu 16:00 + 3 days lands on Sunday → Mon 16:00, while Fri 08:00
        + 3 days → Mon 08:00. Any rule that keeps the time of day has this; working units do not.
        """
        k, sod = self._normalized(k, sod)
        if budget == 0:
            return self._instant(k, sod)
        pos = k * _DAY_US + sod
        end = _consume(pos, budget, _merge(self._pause_walls(pauses))) if pauses else pos + budget
        k, sod = divmod(end, _DAY_US)
        k = self._next_working_k(k)
        ms, me, as_, ae = self._win[k]  # type: ignore[misc]
        if sod < ms:
            sod = ms
        elif me < sod < as_:
            sod = as_
        elif sod > ae:
            sod = ae
        return self._instant(k, sod)


def appointment_text(instant: datetime.datetime) -> str:
    """The appointment as the receipt form prints it: "08 giờ 00 phút, thứ Hai, ngày 23/02/2026"."""
    local = timezone.localtime(instant)
    return f"{local:%H} giờ {local:%M} phút, {WEEKDAYS_VI[local.weekday()]}, ngày {local:%d/%m/%Y}"


# ----- the installation's calendar, from the database ------------------------------------------
def load_calendar() -> WorkingCalendar:
    """Build the calendar from the CalendarDay and WorkingHours rows (one query each)."""
    days_off, make_up, last_year = [], [], SPAN_MIN_LAST_YEAR
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        if kind in DAY_OFF_KINDS:
            days_off.append(day)
        elif kind == DayKind.MAKE_UP_WORKING_DAY:
            make_up.append(day)
        last_year = max(last_year, day.year + 1)
    hours = [
        OfficeHours(h.morning_start, h.morning_end, h.afternoon_start, h.afternoon_end, h.valid_from)
        for h in WorkingHours.objects.all()
    ]
    first_year = min([SPAN_FIRST_YEAR, *(d.year for d in days_off + make_up)])
    return WorkingCalendar(days_off, make_up, hours, first_year=first_year, last_year=last_year)


# Another process's edit is noticed within this many seconds (DESIGN.md: editing the calendar
# re-projects running deadlines); edits in this process are seen at once through the signals.
REVISION_CHECK_SECONDS = 2.0

_clock = time.monotonic  # module attribute, so that tests can move time forward
_lock = threading.Lock()
_cached: WorkingCalendar | None = None
_cached_revision: tuple | None = None
_checked_at = 0.0


def calendar_revision() -> tuple:
    """A cheap fingerprint of the calendar tables. The count catches deletions (which leave no
    updated_at behind); the latest updated_at catches edits and inserts, including bulk ones."""
    return (
        tuple(CalendarDay.objects.aggregate(n=Count("id"), last=Max("updated_at")).values()),
        tuple(WorkingHours.objects.aggregate(n=Count("id"), last=Max("updated_at")).values()),
    )


def get_calendar() -> WorkingCalendar:
    """The installation's calendar, cached per process and rebuilt when the tables change."""
    global _cached, _cached_revision, _checked_at
    now = _clock()
    calendar = _cached
    if calendar is not None and now - _checked_at < REVISION_CHECK_SECONDS:
        return calendar
    with _lock:
        revision = calendar_revision()  # read before the rows: a concurrent edit forces one more rebuild
        if _cached is None or revision != _cached_revision:
            _cached, _cached_revision = load_calendar(), revision
        _checked_at = now
        return _cached


def invalidate_calendar() -> None:
    """Drop the cached calendar (signal receiver for CalendarDay/WorkingHours saves and deletes)."""
    global _cached
    _cached = None
