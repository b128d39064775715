"""Due dates against the official calendar (REGULATIONS §7.2–7.3), worked out by hand.

Office hours 07:00–11:30 and 13:30–17:00 (8 h); 1 working day = 8 working hours counted from the
minute of receipt, so a dossier received at 09:00 is due at 09:00 N working days later.
"""

import datetime
from decimal import Decimal

import pytest

from motcua.calendar.services import CalendarInputError, get_calendar
from motcua.calendar.units import DurationUnit
from tests.calendar.util import local, utc, wall

WD, WH, CD = DurationUnit.WORKING_DAYS, DurationUnit.WORKING_HOURS, DurationUnit.CALENDAR_DAYS

CASES = [
    # --- Tết 2025: off Sat 25/01 – Sun 02/02 (TB 6150/TB-BLĐTBXH); Fri 24/01 then Mon 03/02 work.
    ("2025-01-23T09:00", 2, WD, "2025-02-03T09:00"),  # Fri 24/01 is day 1, next working day Mon 03/02
    ("2025-01-24T15:00", 1, WD, "2025-02-03T15:00"),  # the whole Tết block is skipped
    ("2025-01-28T10:00", 1, WD, "2025-02-03T17:00"),  # received in Tết → from Mon 03/02 07:00, +8 h
    # --- Tết 2026: off Sat 14/02 – Sun 22/02 (TB 9441/TB-BNV; statutory 16–20/02).
    ("2026-02-13T08:00", 1, WD, "2026-02-23T08:00"),  # STYLE.md's example: 7 h on Fri 13, 1 h on Mon 23
    ("2026-02-12T14:00", 3, WD, "2026-02-24T14:00"),  # Fri 13 (1), Mon 23 (2), Tue 24 (3)
    ("2026-02-13T16:30", 4, WH, "2026-02-23T10:30"),  # 0.5 h on Fri, 3.5 h from Mon 07:00
    # --- 2024: Giỗ Tổ Thu 18/4; 27/4–01/5 off with 29/4 swapped for Sat 04/5 (CV 2450/VPCP-KGVX).
    ("2024-04-17T09:00", 1, WD, "2024-04-19T09:00"),  # Thu 18/4 skipped
    ("2024-04-26T09:00", 1, WD, "2024-05-02T09:00"),  # Sat 27 – Wed 01/5 off
    ("2024-05-02T10:00", 2, WD, "2024-05-04T10:00"),  # Fri 03 (1), make-up Sat 04/5 (2)
    ("2024-05-03T10:00", 3, WD, "2024-05-07T10:00"),  # Sat 04 (1), Mon 06 (2), Tue 07 (3)
    ("2024-05-04T10:00", 1, WD, "2024-05-06T10:00"),  # received on the make-up Saturday: it counts
    # --- 2025: Giỗ Tổ Mon 07/4; Sat 26/4 worked for Fri 02/5; 30/4–04/5 off.
    ("2025-04-04T09:00", 1, WD, "2025-04-08T09:00"),  # weekend + Mon 07/4 skipped
    ("2025-04-25T10:00", 1, WD, "2025-04-26T10:00"),  # make-up Saturday 26/4 is a working day
    ("2025-04-25T10:00", 2, WD, "2025-04-28T10:00"),  # Sat 26 (1), Mon 28 (2)
    ("2025-04-29T10:00", 1, WD, "2025-05-05T10:00"),  # Wed 30/4 – Sun 04/5 off
    # --- 2026: 01/01 + Fri 02/01 (CV 12729/VPCP-KGVX, added to the seed); Giỗ Tổ Sun 26/4 → Mon 27/4;
    #     30/4–03/5 off; Sat 22/8 worked for Mon 31/8; Quốc khánh 01–02/9; Tue 24/11 (NQ 28/2026/QH16).
    ("2025-12-31T10:00", 1, WD, "2026-01-05T10:00"),  # Thu 01, Fri 02 and the weekend skipped
    ("2026-04-24T10:00", 1, WD, "2026-04-28T10:00"),  # nghỉ bù Mon 27/4
    ("2026-04-28T10:00", 2, WD, "2026-05-04T10:00"),  # Wed 29 (1), Thu 30 – Sun 03/5 off, Mon 04 (2)
    ("2026-08-21T10:00", 1, WD, "2026-08-22T10:00"),  # make-up Saturday 22/8
    ("2026-08-28T10:00", 1, WD, "2026-09-03T10:00"),  # Sat 29 – Wed 02/9 off
    ("2026-11-23T10:00", 1, WD, "2026-11-25T10:00"),  # Ngày Văn hóa Việt Nam, Tue 24/11
    # --- Receipt outside office hours (REGULATIONS §7.3).
    ("2026-01-05T17:30", 1, WD, "2026-01-06T17:00"),  # after 17:00 → from Tue 07:00; 8 h end at 17:00
    ("2026-01-05T17:00", 1, WD, "2026-01-06T17:00"),  # at 17:00 the office is closed: the same
    ("2026-01-06T06:15", 1, WD, "2026-01-06T17:00"),  # before opening → from 07:00 the same day
    ("2026-01-06T12:00", 1, WD, "2026-01-07T11:30"),  # lunch → from 13:30: 3.5 h + 4.5 h ends at 11:30
    ("2026-01-06T12:00", 4, WH, "2026-01-07T07:30"),  # 3.5 h to 17:00, 0.5 h on Wed
    ("2026-01-04T10:00", 2, WD, "2026-01-06T17:00"),  # Sunday → from Mon 07:00; 16 h end Tue 17:00
    ("2026-01-10T10:00", 1, WD, "2026-01-12T17:00"),  # Saturday (no make-up day seeded) → Mon
    # --- A budget ending exactly at the end of a session ends there, not at the next opening.
    ("2026-01-05T08:00", Decimal("3.5"), WH, "2026-01-05T11:30"),
    ("2026-01-05T13:30", Decimal("3.5"), WH, "2026-01-05T17:00"),
    ("2026-01-05T10:00", Decimal("0.5"), WD, "2026-01-05T16:00"),  # 4 h: 1.5 h + 2.5 h after lunch
    ("2026-01-05T10:00", 1.5, WD, "2026-01-06T16:00"),  # 12 h: 5 h Mon, 4.5 h Tue morning, 2.5 h after
    ("2026-01-05T08:00:45", 1, WH, "2026-01-05T09:00"),  # counted from the minute on the receipt
    ("2026-01-05T08:00", 0, WD, "2026-01-05T08:00"),
    # --- Calendar days ("ngày"): every day counts, the last one moves off a day off (§7.3).
    ("2026-02-10T10:00", 3, CD, "2026-02-13T10:00"),  # Fri 13/02 is a working day
    # A last day that is a day off moves to the next working day at the same time of day (§7.3).
    ("2026-02-10T10:00", 5, CD, "2026-02-23T10:00"),  # Sun 15/02 in Tết → Mon 23/02 10:00
    ("2026-04-20T09:00", 7, CD, "2026-04-28T09:00"),  # Mon 27/4 (nghỉ bù) → Tue 28/4 09:00
    ("2026-03-06T17:30", 3, CD, "2026-03-12T07:00"),  # after hours → from Mon 09/3 07:00 → Thu 12/3
    ("2026-01-07T12:00", 2, CD, "2026-01-09T13:30"),  # lunch → counted from 13:30 → Fri 09/1 13:30
    ("2026-01-07T12:00", 3, CD, "2026-01-12T13:30"),  # ... and 3 days: Sat 10/1 → Mon 12/1 13:30
    # The date is monotonic, the time of day is kept: a later receipt may be due earlier that day.
    ("2026-01-08T16:00", 3, CD, "2026-01-12T16:00"),  # Sun 11/1 → Mon 12/1 16:00
    ("2026-01-09T08:00", 3, CD, "2026-01-12T08:00"),
]


@pytest.mark.parametrize(("received", "amount", "unit", "expected"), CASES)
def test_due_at_follows_the_official_calendar(calendar, received, amount, unit, expected):
    assert wall(calendar.due_at(local(received), amount, unit)) == expected


@pytest.mark.django_db
def test_installation_calendar_gives_the_same_answers_from_utc_database_values():
    # Django hands datetimes back in UTC; the answer is the same instant, shown in Vietnam time.
    due = get_calendar().due_at(utc("2026-02-13T08:00"), 1, "working_days")
    assert due == local("2026-02-23T08:00")
    assert due.utcoffset() == datetime.timedelta(hours=7)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-01-02", False),  # CV 12729/VPCP-KGVX (not in the holidays package; seeded by us)
        ("2026-02-16", False),  # Giao thừa 2026
        ("2026-02-23", True),
        ("2024-05-04", True),  # make-up Saturday
        ("2025-04-26", True),  # make-up Saturday
        ("2026-08-22", True),  # make-up Saturday
        ("2026-08-29", False),  # ordinary Saturday
        ("2026-08-31", False),  # swapped day off
        ("2026-04-27", False),  # Giỗ Tổ observed
        ("2026-11-24", False),  # Ngày Văn hóa Việt Nam
    ],
)
def test_is_working_day(calendar, day, working):
    assert calendar.is_working_day(datetime.date.fromisoformat(day)) is working


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-01-05T06:59", "2026-01-05T07:00"),  # before opening → opening
        ("2026-01-05T07:00", "2026-01-05T07:00"),
        ("2026-01-05T11:29", "2026-01-05T11:29"),
        ("2026-01-05T11:30", "2026-01-05T13:30"),  # lunch → afternoon start
        ("2026-01-05T12:45", "2026-01-05T13:30"),
        ("2026-01-05T16:59", "2026-01-05T16:59"),
        ("2026-01-05T17:00", "2026-01-06T07:00"),  # closing → next working day's opening
        ("2026-02-13T17:05", "2026-02-23T07:00"),  # Friday before Tết 2026 → after Tết
        ("2024-05-03T18:00", "2024-05-04T07:00"),  # Friday evening → make-up Saturday
        ("2025-12-31T17:30", "2026-01-05T07:00"),  # New Year 2026 + 02/01
    ],
)
def test_normalize(calendar, instant, expected):
    assert wall(calendar.normalize(local(instant))) == expected


# --- Paused intervals [a, b) do not count (supplement requests; REGULATIONS §2.4, §7.3) ---------
PAUSE_CASES = [
    # Mon 08:00 + 2 days is Wed 08:00 without pauses. Paused Tue 10:00 → Thu 10:00 (16 working hours):
    # 10 h used before the pause, 6 h after it: Thu 10:00–11:30, 13:30–17:00 (5 h), Fri 07:00–08:00.
    ("2026-01-05T08:00", 2, WD, [("2026-01-06T10:00", "2026-01-08T10:00")], "2026-01-09T08:00"),
    # A pause beginning when the budget runs out does not move it (half-open, ends stay ends).
    ("2026-01-05T07:00", 1, WD, [("2026-01-05T17:00", "2026-01-06T12:00")], "2026-01-05T17:00"),
    # Half an hour paused before the end pushes the end into the next morning.
    ("2026-01-05T07:00", 1, WD, [("2026-01-05T16:00", "2026-01-05T16:30")], "2026-01-06T07:30"),
    # Pauses in the lunch break, at night, before receipt, and overlapping ones count once / not at all.
    (
        "2026-01-05T08:00",
        1,
        WD,
        [
            ("2026-01-05T11:45", "2026-01-05T13:00"),
            ("2026-01-05T18:00", "2026-01-06T06:00"),
            ("2026-01-02T08:00", "2026-01-05T08:00"),
            ("2026-01-05T09:00", "2026-01-05T10:00"),
            ("2026-01-05T09:30", "2026-01-05T10:30"),
        ],
        "2026-01-06T09:30",  # 1.5 h paused (09:00–10:30) → Tue 08:00 + 1.5 h
    ),
    # A pause spanning Tết 2026 costs only the working time in it: Fri 13/02 15:00–17:00 (2 h).
    ("2026-02-13T08:00", 1, WD, [("2026-02-13T15:00", "2026-02-22T12:00")], "2026-02-23T10:00"),
    # Calendar days: 5 days from Mon 05/01 09:00, 2 days paused → 7 days → Mon 12/01 09:00.
    ("2026-01-05T09:00", 5, CD, [("2026-01-07T09:00", "2026-01-09T09:00")], "2026-01-12T09:00"),
]


@pytest.mark.parametrize(("received", "amount", "unit", "pauses", "expected"), PAUSE_CASES)
def test_paused_intervals_do_not_count(calendar, received, amount, unit, pauses, expected):
    intervals = [(local(a), utc(b)) for a, b in pauses]  # mixed zones: instants are what matter
    assert wall(calendar.due_at(local(received), amount, unit, intervals)) == expected


# --- Elapsed and remaining working time ("sắp đến hạn" / "quá hạn") -----------------------------
H = datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("start", "at", "pauses", "expected"),
    [
        ("2026-01-05T08:00", "2026-01-06T08:00", [], 8 * H),
        ("2026-01-05T08:00", "2026-01-05T12:30", [], 3.5 * H),  # lunch does not count
        ("2026-02-13T16:00", "2026-02-23T08:00", [], 2 * H),  # 1 h before Tết, 1 h after
        ("2026-01-05T08:00", "2026-01-07T08:00", [("2026-01-06T07:00", "2026-01-06T17:00")], 8 * H),
        ("2026-01-05T17:30", "2026-01-05T23:00", [], 0 * H),  # after hours: nothing yet
        ("2026-01-06T08:00", "2026-01-05T08:00", [], 0 * H),  # before receipt: nothing, not negative
    ],
)
def test_elapsed(calendar, start, at, pauses, expected):
    intervals = [(local(a), local(b)) for a, b in pauses]
    assert calendar.elapsed(local(start), local(at), intervals) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Received Mon 05/01/2026 08:00 with 2 working days: due Wed 07/01 08:00.
        ("2026-01-05T08:00", 16 * H),
        ("2026-01-06T16:00", 2 * H),  # "sắp đến hạn": Tue 16:00–17:00 and Wed 07:00–08:00 left
        ("2026-01-07T08:00", 0 * H),  # exactly due
        ("2026-01-08T08:00", -8 * H),  # "quá hạn" by one working day
        ("2026-01-10T12:00", -23 * H),  # Wed 08:00–17:00 (7 h) + Thu + Fri; Saturday adds nothing
    ],
)
def test_remaining_in_working_time(calendar, at, expected):
    assert calendar.remaining(local("2026-01-05T08:00"), 2, WD, local(at)) == expected


def test_remaining_in_calendar_days_is_calendar_time(calendar):
    # Due Fri 13/02/2026 10:00 (3 calendar days from Tue 10/02 10:00).
    start = local("2026-02-10T10:00")
    assert calendar.remaining(start, 3, CD, local("2026-02-12T10:00")) == 24 * H
    assert calendar.remaining(start, 3, CD, local("2026-02-14T10:00")) == -24 * H


# --- Bad input is refused with a Vietnamese message (a 400 in the API, never a 500) -------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": datetime.datetime(2026, 1, 5, 8)}, "múi giờ"),
        ({"unit": "weeks"}, "Đơn vị thời hạn không hợp lệ"),
        ({"amount": -1}, "không được âm"),
        ({"amount": Decimal("NaN")}, "phải là một số"),
        ({"amount": "5"}, "phải là một số"),
        ({"start": local("1990-01-01T08:00")}, "ngoài phạm vi"),
        ({"pauses": [(local("2026-01-06T08:00"), local("2026-01-05T08:00"))]}, "tạm dừng"),
    ],
)
def test_bad_input_raises_value_error(calendar, kwargs, message):
    args = {"start": local("2026-01-05T08:00"), "amount": 1, "unit": WD, "pauses": ()} | kwargs
    with pytest.raises(ValueError, match=message) as exc:
        calendar.due_at(**args)
    assert isinstance(exc.value, CalendarInputError)
