"""R-16: late replies to consultations, per consulted unit and per person, with the reminders sent
— for the Department of Home Affairs' civil-service evaluation (letter 002, 2019: "nhắc lần 2 gửi
kèm Sở Nội vụ") and for the provincial office.

Which consultations. Those whose reply deadline (`due_at`) falls in the period: each is judged
once, in the period it was due. A reply is late when it came after the deadline
(`answered_late`, set by consultations.services.answer_consultation); a consultation still
unanswered is late once its deadline has passed (at the end of the period, or now if that comes
first) — unless its dossier had ended before the deadline (stopped, withdrawn): nobody was waiting.

Who. A reply is counted under the officer who gave it (`answered_by`); a consultation nobody has
answered is counted under its consulted unit only — the reminders went to the unit's officers who
answer consultations (consultations.services.ANSWERING_ROLES), none of whom took it up.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from motcua.consultations.models import Consultation
from motcua.index.reports import common
from motcua.index.reports.common import TOTAL, Figure, Listing, UnitRef, UnitRow, Window, rate
from motcua.sync.selectors import Period, UnitTree


def due_in(window: Window) -> QuerySet[Consultation]:
    return Consultation.objects.filter(due_at__gte=window.start, due_at__lt=window.end)


def _answered_late(_: Window) -> Q:
    return Q(answered_at__isnull=False, answered_at__gt=F("due_at"))


def _unanswered_late(w: Window) -> Q:
    nobody_waited = Q(dossier__finished_at__isnull=False, dossier__finished_at__lte=F("due_at"))
    return Q(answered_at__isnull=True, due_at__lt=w.cutoff) & ~nobody_waited


FIGURES: dict[str, Figure] = common.figure_table(
    Figure("due", "Yêu cầu xin ý kiến đến hạn trả lời trong kỳ", common.every),
    Figure(
        "answered_on_time",
        "Trả lời đúng hạn",
        lambda _: Q(answered_at__isnull=False, answered_at__lte=F("due_at")),
    ),
    Figure("answered", "Đã trả lời", lambda _: Q(answered_at__isnull=False)),
    Figure("answered_late", "Trả lời trễ hạn", _answered_late),
    Figure("unanswered_late", "Quá hạn chưa trả lời", _unanswered_late),
    Figure(
        "late",
        "Trễ hạn (trả lời trễ hoặc quá hạn chưa trả lời)",
        lambda w: _answered_late(w) | _unanswered_late(w),
    ),
    Figure(
        "waiting",
        "Chưa đến hạn, đang chờ trả lời",
        lambda w: Q(answered_at__isnull=True, due_at__gte=w.cutoff, dossier__finished_at__isnull=True),
    ),
    Figure("reminder1", "Đã nhắc lần 1", lambda _: Q(reminder1_at__isnull=False)),
    Figure("reminder2", "Đã nhắc lần 2 (gửi kèm Sở Nội vụ)", lambda _: Q(reminder2_at__isnull=False)),
)

LISTING = Listing(
    kind="consultation",
    records=due_in,
    figures=FIGURES,
    unit_field="to_unit_id",
    order=("due_at", "pk"),
    params={"officer": "answered_by_id"},
    related=("dossier", "from_unit", "to_unit", "answered_by"),
)


@dataclass(frozen=True)
class ConsultedUnitRow(UnitRow):
    due: int
    answered: int
    answered_on_time: int
    answered_late: int
    unanswered_late: int
    late: int
    waiting: int
    reminder1: int
    reminder2: int

    @property
    def late_share(self) -> Decimal | None:
        return rate(self.late, self.due)


@dataclass(frozen=True)
class OfficerRow:
    """The replies one officer gave for one consulted unit."""

    unit: UnitRef
    officer_id: int
    officer: str
    answered: int
    answered_on_time: int
    answered_late: int

    @property
    def link_params(self) -> dict[str, str]:
        return {"row": self.unit.code, "officer": str(self.officer_id)}


@dataclass(frozen=True)
class ConsultationReport:
    window: Window
    units: list[ConsultedUnitRow]
    total: ConsultedUnitRow
    officers: list[OfficerRow]


def consultation_report(
    period: Period,
    units: frozenset[int] | None,
    *,
    now: datetime.datetime,
    tree: UnitTree | None = None,
) -> ConsultationReport:
    """R-16 for the consulted units in `units` (None = all): three queries (per unit, per officer,
    the officers' names)."""
    window = Window(period, now)
    tree = tree or common.unit_tree()
    rows = common.unit_rows(ConsultedUnitRow, tree, LISTING.per_unit(window, units))
    replies = (
        LISTING.within(window, units)
        .filter(answered_at__isnull=False, answered_by__isnull=False)
        .order_by()
        .values("to_unit_id", "answered_by_id")
        .annotate(
            answered=Count("pk"),
            answered_on_time=Count("pk", filter=Q(answered_at__lte=F("due_at"))),
            answered_late=Count("pk", filter=Q(answered_at__gt=F("due_at"))),
        )
    )
    replies = list(replies)
    people = common.names_of(r["answered_by_id"] for r in replies)
    officers = sorted(
        (
            OfficerRow(
                unit=common.unit_ref(tree, r["to_unit_id"]),
                officer_id=r["answered_by_id"],
                officer=people.get(r["answered_by_id"], ""),
                answered=r["answered"],
                answered_on_time=r["answered_on_time"],
                answered_late=r["answered_late"],
            )
            for r in replies
        ),
        key=lambda r: (-r.answered_late, r.unit.code, r.officer),
    )
    return ConsultationReport(
        window=window, units=rows, total=common.summed(rows, ConsultedUnitRow, unit=TOTAL), officers=officers
    )
