"""Seed the editable calendar table from the `holidays` package (REGULATIONS §7.2, reference §5.2).

The package is read once, here, never at run time: its swap data lags the yearly decisions, so the
table it fills is the province's to correct. Classification follows
`/work/shared/data/vn_holidays_2020_2030.csv` (its README, "Column notes").
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import holidays

from motcua.calendar.models import DayKind, DayOrigin

SEED_YEARS = range(2020, 2031)


@dataclass(frozen=True, slots=True)
class SeedDay:
    date: datetime.date
    kind: str
    name: str
    source: str


# Days the package does not know, from instruments cited in REGULATIONS §7.2 [V].
# 02/01/2026: CV 12729/VPCP-KGVX gives civil servants Friday 02/01/2026 off after New Year's Day;
# `holidays` 0.109 lacks it. Leaving the day as working would count 8 working hours while the
# offices are shut, and make every deadline spanning it a day early against the official
# calendar, so it is added. The matching make-up day was not retrieved (REGULATIONS §10 item 8):
# it is NOT seeded as a fact; the administrator adds it once the dispatch text is checked. Until
# then a deadline spanning both days is one working day later than the official one at most.
EXTRA_DAYS: tuple[SeedDay, ...] = (
    SeedDay(
        datetime.date(2026, 1, 2),
        DayKind.SWAPPED_DAY_OFF,
        "Nghỉ Tết Dương lịch (hoán đổi ngày làm việc)",
        "CV 12729/VPCP-KGVX; ngày làm bù chưa xác minh, cần bổ sung",
    ),
)

# Instruments for the package's swaps where REGULATIONS names them; otherwise the package is the source.
_SOURCES = {
    datetime.date(2024, 4, 29): "CV 2450/VPCP-KGVX",
    datetime.date(2024, 5, 4): "CV 2450/VPCP-KGVX",
}
_SUBSTITUTED_MARK = "thay cho ngày"  # the package's "Ngày nghỉ (thay cho ngày %s)" label in Vietnamese
_MAKE_UP_NAME = "Ngày làm việc bù (thứ Bảy đi làm)"


def _package_source(kind: str) -> str:
    law = {
        DayKind.PUBLIC_HOLIDAY: "BLLĐ 2019 Điều 112",
        DayKind.OBSERVED_DAY_OFF: "BLLĐ 2019 Điều 111 khoản 3",
    }.get(kind, "hoán đổi ngày làm việc")
    return f"Gói holidays {holidays.__version__}; {law}"


def seed_days(years: Iterable[int] = SEED_YEARS) -> list[SeedDay]:
    """The exceptions to the Monday–Friday week for `years`, classified like the shared CSV."""
    years = list(years)
    full = holidays.VN(years=years, language="vi")
    # Without observed days the package still lists the statutory days and the swapped days off.
    statutory = holidays.VN(years=years, language="vi", observed=False)
    out: dict[datetime.date, SeedDay] = {}
    for day, name in sorted(full.items()):
        if _SUBSTITUTED_MARK in name:
            kind = DayKind.SWAPPED_DAY_OFF
        elif day in statutory:
            kind = DayKind.PUBLIC_HOLIDAY
        else:  # "… (nghỉ bù)", "29 Tết", "Mùng năm Tết": moved off a weekend (Điều 111 k3)
            kind = DayKind.OBSERVED_DAY_OFF
        out[day] = SeedDay(day, kind, name, _SOURCES.get(day, _package_source(kind)))
    for day in sorted(full.weekend_workdays):
        if day.year in years:
            out[day] = SeedDay(
                day, DayKind.MAKE_UP_WORKING_DAY, _MAKE_UP_NAME, _SOURCES.get(day, _package_source(""))
            )
    for extra in EXTRA_DAYS:
        if extra.date.year in years:
            out.setdefault(extra.date, extra)
    return [out[d] for d in sorted(out)]


def apply_seed(model, days: Iterable[SeedDay]) -> dict[str, int]:
    """Write `days` into `model` (the real or the migration's historical CalendarDay); idempotent.

    Missing dates are created, rows still as seeded are refreshed, and rows an administrator created
    or edited (origin "manual") are never touched. Returns counts by outcome.
    """
    days = list(days)
    existing = {row.date: row for row in model.objects.filter(date__in=[d.date for d in days])}
    counts = {"created": 0, "updated": 0, "kept": 0}
    to_create = []
    for day in days:
        row = existing.get(day.date)
        if row is None:
            to_create.append(
                model(date=day.date, kind=day.kind, name=day.name, source=day.source, origin=DayOrigin.SEED)
            )
            counts["created"] += 1
        elif row.origin == DayOrigin.SEED and (row.kind, row.name, row.source) != (
            day.kind,
            day.name,
            day.source,
        ):
            row.kind, row.name, row.source = day.kind, day.name, day.source
            row.save(update_fields=["kind", "name", "source", "updated_at"])
            counts["updated"] += 1
        else:
            counts["kept"] += 1
    model.objects.bulk_create(to_create)
    return counts
