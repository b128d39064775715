"""Deadline arithmetic throughput (DESIGN.md target: ≥ 200,000 computations/s in one process).

Runs standalone: `python bench/bench_deadline.py`. Uses the installation's calendar read from the
database when it is migrated, otherwise the same calendar built in memory from the `holidays`
package. Prints the figure beside a baseline measured in the same run (a bare datetime + timedelta
loop over the same inputs), because these machines are noisy.
"""

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings_demo")  # a local calculation

import django

django.setup()

from django.db import DatabaseError  # noqa: E402

from motcua.calendar.models import DAY_OFF_KINDS, CalendarDay, DayKind  # noqa: E402
from motcua.calendar.seeding import seed_days  # noqa: E402
from motcua.calendar.services import WorkingCalendar, load_calendar  # noqa: E402

TARGET = 200_000
SECONDS = 1.0
REPEATS = 5
N_INPUTS = 10_000


def installation_calendar() -> tuple[WorkingCalendar, str]:
    try:
        if CalendarDay.objects.exists():
            return load_calendar(), "database rows"
    except DatabaseError:  # not migrated
        pass
    # No usable calendar table: the same data, straight from the package.
    days = seed_days()
    off = [d.date for d in days if d.kind in DAY_OFF_KINDS]
    make_up = [d.date for d in days if d.kind == DayKind.MAKE_UP_WORKING_DAY]
    return WorkingCalendar(off, make_up), "holidays package (no calendar rows in the database)"


def inputs() -> list[tuple[datetime.datetime, int, str]]:
    """Receipts at any minute of 2024–2026 (UTC, as the database returns them); limits as the
    catalogue publishes them — mostly working days, some hours and calendar days."""
    rng = random.Random(766)
    first = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    span_minutes = 3 * 365 * 24 * 60
    units = ["working_days"] * 8 + ["working_hours", "calendar_days"]
    out = []
    for _ in range(N_INPUTS):
        start = first + datetime.timedelta(minutes=rng.randrange(span_minutes))
        unit = rng.choice(units)
        amount = (
            rng.choice([1, 2, 3, 5, 7, 10, 15, 20, 30, 45])
            if unit != "working_hours"
            else rng.choice([4, 8, 24])
        )
        out.append((start, amount, unit))
    return out


def rate(fn, data) -> float:
    """Calls per second of fn over `data`, looped for about SECONDS."""
    done, began = 0, time.perf_counter()
    while True:
        fn(data)
        done += len(data)
        elapsed = time.perf_counter() - began
        if elapsed >= SECONDS:
            return done / elapsed


def main() -> int:
    calendar, source = installation_calendar()
    check = calendar.due_at(datetime.datetime(2026, 2, 13, 1, 0, tzinfo=datetime.UTC), 1, "working_days")
    assert check.isoformat() == "2026-02-23T08:00:00+07:00", check  # never benchmark a wrong answer
    data = inputs()
    due_at = calendar.due_at

    def deadlines(rows):
        for start, amount, unit in rows:
            due_at(start, amount, unit)

    def baseline(rows):
        for start, amount, _unit in rows:
            start + datetime.timedelta(days=amount)

    deadlines(data)  # warm-up
    ours, base = [], []
    for _ in range(REPEATS):  # interleaved, so both see the same machine noise
        ours.append(rate(deadlines, data))
        base.append(rate(baseline, data))
    best, median = max(ours), statistics.median(ours)
    print(f"calendar: {source}; {N_INPUTS} mixed inputs; {REPEATS} × ~{SECONDS:.0f} s")
    print(f"deadline computations/s: {best:,.0f} (median {median:,.0f})")
    print(f"baseline datetime + timedelta/s: {max(base):,.0f} (median {statistics.median(base):,.0f})")
    verdict = "met" if best >= TARGET else "NOT met"
    print(f"ratio to baseline: {best / max(base):.2f}; target ≥ {TARGET:,}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
