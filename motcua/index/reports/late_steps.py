"""R-27: the dossiers that became late, per step and per officer, month by month, and the apologies
issued (letter 004, 2025: late dossiers get an apology letter with a new appointment date; the
monthly report names the officers at whose step dossiers became late).

A step became late when its planned end (`DossierStep.planned_end_at`: its time budget from the
process, with lawful pauses and the applicant's supplement time added, dossiers.deadlines) passed
before the step was done. It is counted in the period that planned end falls in:
- a finished step judged late when it ended (`DossierStep.late`, set by dossiers.effects);
- a step still open whose planned end has passed (at the end of the period, or now), unless the
  dossier was paused, or waiting for the applicant, since before that planned end (its clock
  stands still; the planned end moves when it resumes).
The officer is the step's handler (whoever finished it, dossiers.effects._close_current_step); an
open step has none yet and is counted under its unit as "not yet taken up".

A dossier became late when its deadline (`due_at`) passed before it was finished, in the period the
deadline falls in (with the same exception for a clock stopped before the deadline). Beside each
unit's late dossiers: how many had their apology (action `apologise`, R-27), and the apologies
issued in the period, sent in time or not (at least one working day before the appointment,
REGULATIONS §2.5).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from motcua.dossiers.models import Dossier, DossierEvent, DossierPause, DossierStep
from motcua.dossiers.states import Action
from motcua.index.reports import common
from motcua.index.reports.common import NO_HANDLER, TOTAL, Figure, Listing, UnitRef, UnitRow, Window, rate
from motcua.sync.selectors import Period, UnitTree

NOT_TAKEN_UP = NO_HANDLER


# --- steps ---------------------------------------------------------------------------------------


def _clock_stopped_before(dossier: str, moment: str) -> Exists:
    """The dossier has been paused, or waiting for the applicant, since before `moment` (and still
    is): its clock stands still, it is not getting later. Paused after `moment`, it was late before
    the pause."""
    return Exists(
        DossierPause.objects.filter(
            dossier_id=OuterRef(dossier), ended_at__isnull=True, started_at__lt=OuterRef(moment)
        )
    )


def late_steps(w: Window) -> QuerySet[DossierStep]:
    ended_late = Q(late=True)
    # (The dossier's end is looked up for the open steps only, not joined for every step: a
    # finished dossier's open step is its result's return, which is not processing.)
    finished = Exists(Dossier.objects.filter(pk=OuterRef("dossier_id"), finished_at__isnull=False))
    open_late = (
        Q(ended_at__isnull=True, planned_end_at__lt=w.cutoff)
        & ~Q(finished)
        & ~Q(_clock_stopped_before("dossier_id", "planned_end_at"))
    )
    return DossierStep.objects.filter(planned_end_at__gte=w.start, planned_end_at__lt=w.end).filter(
        ended_late | open_late
    )


STEP_FIGURES: dict[str, Figure] = common.figure_table(
    Figure("late", "Bước xử lý trễ hạn", common.every),
    Figure("ended_late", "Đã xong, trễ hạn", lambda _: Q(ended_at__isnull=False)),
    Figure("still_open", "Chưa xong, đã quá hạn", lambda _: Q(ended_at__isnull=True)),
)

STEP_LISTING = Listing(
    kind="step",
    records=late_steps,
    figures=STEP_FIGURES,
    unit_field="unit_id",
    order=("planned_end_at", "pk"),
    params={"step": "name", "officer": "handler_id"},
    related=("dossier", "dossier__procedure", "unit", "handler"),
)


# --- dossiers and apologies ------------------------------------------------------------------------


def late_dossiers(w: Window) -> QuerySet[Dossier]:
    finished_late = Q(finished_at__isnull=False, finished_at__gt=F("due_at"))
    running_late = Q(finished_at__isnull=True) & ~Q(_clock_stopped_before("pk", "due_at"))
    return Dossier.objects.filter(due_at__gte=w.start, due_at__lt=w.cutoff).filter(
        finished_late | running_late
    )


def _apologised() -> Exists:
    return Exists(DossierEvent.objects.filter(dossier_id=OuterRef("pk"), action=Action.APOLOGISE))


DOSSIER_FIGURES: dict[str, Figure] = common.figure_table(
    Figure("late_dossiers", "Hồ sơ trễ hạn trong kỳ", common.every),
    Figure("with_apology", "Đã có phiếu xin lỗi", lambda _: Q(_apologised())),
    Figure("without_apology", "Chưa có phiếu xin lỗi", lambda _: ~Q(_apologised())),
)

DOSSIER_LISTING = common.dossier_listing(late_dossiers, DOSSIER_FIGURES, order=("due_at", "pk"))


def apologies(w: Window) -> QuerySet[DossierEvent]:
    return DossierEvent.objects.filter(action=Action.APOLOGISE, at__gte=w.start, at__lt=w.end)


APOLOGY_FIGURES: dict[str, Figure] = common.figure_table(
    Figure("apologies", "Phiếu xin lỗi đã ban hành trong kỳ", common.every),
    Figure("apologies_in_time", "Gửi trước hạn ít nhất 01 ngày làm việc", lambda _: Q(data__in_time=True)),
    Figure("apologies_late", "Gửi muộn (sát hoặc sau ngày hẹn)", lambda _: Q(data__in_time=False)),
)

APOLOGY_LISTING = Listing(
    kind="apology",
    records=apologies,
    figures=APOLOGY_FIGURES,
    unit_field="dossier__deciding_unit_id",
    order=("at", "pk"),
    related=("dossier", "dossier__procedure", "dossier__deciding_unit"),
)


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateUnitRow(UnitRow):
    late: int
    ended_late: int
    still_open: int
    late_dossiers: int
    with_apology: int
    without_apology: int
    apologies: int
    apologies_in_time: int
    apologies_late: int

    @property
    def apology_share(self) -> Decimal | None:
        return rate(self.with_apology, self.late_dossiers)


@dataclass(frozen=True)
class LateStepRow:
    unit: UnitRef
    step: str
    late: int
    ended_late: int
    still_open: int

    @property
    def link_params(self) -> dict[str, str]:
        return {"row": self.unit.code, "step": self.step}


@dataclass(frozen=True)
class LateOfficerRow:
    unit: UnitRef
    officer_id: int | None
    officer: str
    late: int
    ended_late: int
    still_open: int

    @property
    def link_params(self) -> dict[str, str]:
        return {"row": self.unit.code, "officer": str(self.officer_id) if self.officer_id else "-"}


@dataclass(frozen=True)
class LateReport:
    window: Window
    units: list[LateUnitRow]
    total: LateUnitRow
    steps: list[LateStepRow]
    officers: list[LateOfficerRow]


def late_report(
    period: Period,
    units: frozenset[int] | None,
    *,
    now: datetime.datetime,
    tree: UnitTree | None = None,
) -> LateReport:
    """R-27 within `units` (None = all): the late steps per unit, per step and per officer, the late
    dossiers with and without an apology, the apologies issued. Four queries whatever the number of
    dossiers (the late steps, the late dossiers, the apologies, the officers' names)."""
    window = Window(period, now)
    tree = tree or common.unit_tree()
    # One grouping of the late steps by (unit, step, officer); the three tables add its groups up
    # (groups are units × steps × officers, not dossiers).
    groups = STEP_LISTING.counts(window, units, ["unit_id", "name", "handler_id"])
    per_unit: dict[int, dict[str, int]] = {}
    per_step: dict[tuple, dict[str, int]] = {}
    per_officer: dict[tuple, dict[str, int]] = {}
    for (unit, name, handler), values in groups.items():
        for table, key in ((per_unit, unit), (per_step, (unit, name)), (per_officer, (unit, handler))):
            into = table.setdefault(key, dict.fromkeys(STEP_FIGURES, 0))
            for figure, n in values.items():
                into[figure] += n
    rows = common.unit_rows(
        LateUnitRow,
        tree,
        per_unit,
        DOSSIER_LISTING.per_unit(window, units),
        APOLOGY_LISTING.per_unit(window, units),
    )
    people = common.names_of(who for _, who in per_officer if who)
    return LateReport(
        window=window,
        units=rows,
        total=common.summed(rows, LateUnitRow, unit=TOTAL),
        steps=sorted(
            (
                LateStepRow(unit=common.unit_ref(tree, pk), step=name, **v)
                for (pk, name), v in per_step.items()
            ),
            key=lambda r: (-r.late, r.unit.code, r.step),
        ),
        officers=sorted(
            (
                LateOfficerRow(
                    unit=common.unit_ref(tree, pk),
                    officer_id=who,
                    officer=people.get(who, "") if who else NOT_TAKEN_UP,
                    **v,
                )
                for (pk, who), v in per_officer.items()
            ),
            key=lambda r: (-r.late, r.unit.code, r.officer),
        ),
    )
