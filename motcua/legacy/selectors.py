"""R-25: the dossiers the old one-stop software left open, by unit, for letter 522/UBND-HCC (seed 004):
"rà soát hồ sơ đã tiếp nhận, đang tiếp tục xử lý … trên phần mềm Một cửa điện tử - Egov (Hệ thống
cũ) để xử lý dứt điểm, không để tồn tại hồ sơ chưa xử lý, chưa kết thúc trên hệ thống"."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.dossiers.models import Dossier, Origin
from motcua.dossiers.states import FINAL_STATES
from motcua.org.models import Role, Unit
from motcua.org.selectors import active_assignments, units_where

# Who reads the report: the provincial office and administrators for the whole province, a unit's
# leaders for their own unit, as the letter is addressed to them.
PROVINCE_READERS = frozenset({Role.PROVINCIAL_OFFICE, Role.ADMINISTRATOR})
# Age buckets of the summary, in days past the appointment: (upper bound inclusive, label).
AGE_BUCKETS: tuple[tuple[int | None, str], ...] = (
    (30, "Đến 30 ngày"),
    (90, "31–90 ngày"),
    (365, "91–365 ngày"),
    (None, "Trên 1 năm"),
)


@dataclass(frozen=True)
class OpenLegacyRow:
    dossier: Dossier
    # The appointment the old system gave (or the reception, or the submission, when it gave none).
    reference: datetime.datetime
    reference_kind: str  # "hẹn trả" | "tiếp nhận" | "nộp"
    age_days: int  # whole days from the reference day to `today`
    legacy_status: str


@dataclass
class UnitGroup:
    unit: Unit
    rows: list[OpenLegacyRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def oldest_days(self) -> int:
        return max(r.age_days for r in self.rows)

    @property
    def average_days(self) -> int:
        return round(sum(r.age_days for r in self.rows) / len(self.rows))

    @property
    def buckets(self) -> list[int]:
        return [sum(1 for r in self.rows if bucket_of(r.age_days) == i) for i in range(len(AGE_BUCKETS))]

    @property
    def bucket_cells(self) -> list[tuple[str, int]]:
        """(label, count) per age bucket, as the page's table shows them."""
        return [(label, n) for (_, label), n in zip(AGE_BUCKETS, self.buckets, strict=True)]


@dataclass
class OpenLegacyReport:
    cutoff: datetime.date
    today: datetime.date
    groups: list[UnitGroup]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def rows(self) -> list[OpenLegacyRow]:
        return [r for g in self.groups for r in g.rows]

    @property
    def bucket_totals(self) -> list[int]:
        return [sum(g.buckets[i] for g in self.groups) for i in range(len(AGE_BUCKETS))]


def bucket_of(age_days: int) -> int:
    for i, (limit, _) in enumerate(AGE_BUCKETS):
        if limit is None or age_days <= limit:
            return i
    raise AssertionError("unreachable")


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def open_legacy_queryset(cutoff: datetime.date, units: Iterable[Unit] | QuerySet | None = None) -> QuerySet:
    """Legacy dossiers not final whose appointment (or, without one, reception, or submission) falls
    before the cut-off day; with `units`, only those the units decide. One query."""
    qs = (
        Dossier.objects.filter(origin=Origin.LEGACY)
        .exclude(state__in=sorted(FINAL_STATES))
        .annotate(reference=Coalesce("original_due_at", "due_at", "received_at", "submitted_at"))
        .filter(reference__lt=_start_of(cutoff))
    )
    if units is not None:
        qs = qs.filter(deciding_unit__in=units)
    return qs


def open_legacy_dossiers(
    cutoff: datetime.date,
    units: Iterable[Unit] | QuerySet | None = None,
    *,
    today: datetime.date | None = None,
) -> OpenLegacyReport:
    """R-25: the legacy dossiers still open past `cutoff`, grouped by the unit that must close them out
    (the deciding unit, after mergers), oldest first; ages in days to `today`. Two queries whatever
    the number of dossiers (the dossiers with their units, procedure and provenance)."""
    today = today or timezone.localdate()
    qs = (
        open_legacy_queryset(cutoff, units)
        .select_related("deciding_unit", "receiving_unit", "procedure", "legacy")
        .order_by("deciding_unit__code", "reference", "code")
    )
    groups: dict[int, UnitGroup] = {}
    for d in qs:
        if d.original_due_at or d.due_at:
            kind = "hẹn trả"
        elif d.received_at:
            kind = "tiếp nhận"
        else:
            kind = "nộp"
        row = OpenLegacyRow(
            dossier=d,
            reference=d.reference,
            reference_kind=kind,
            age_days=max(0, (today - timezone.localdate(d.reference)).days),
            legacy_status=getattr(getattr(d, "legacy", None), "legacy_status", ""),
        )
        groups.setdefault(d.deciding_unit_id, UnitGroup(d.deciding_unit)).rows.append(row)
    return OpenLegacyReport(cutoff=cutoff, today=today, groups=list(groups.values()))


def report_units(user) -> QuerySet[Unit] | None:
    """The units whose legacy dossiers `user` may list: None = the whole province (the provincial
    office, administrators, superusers); a unit leader's units (with their divisions); an empty
    queryset for anybody else."""
    if getattr(user, "is_superuser", False):
        return None
    roles = {a.role for a in active_assignments(user)}
    if roles & PROVINCE_READERS:
        return None
    if Role.UNIT_LEADER in roles:
        return units_where(user, Role.UNIT_LEADER)
    return Unit.objects.none()


def may_read_report(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    units = report_units(user)
    return units is None or units.exists()
