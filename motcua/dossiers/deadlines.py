"""The dossier's deadline as a budget: legal time from the clock start, minus paused intervals.

The stored dates (`Dossier.due_at`, `DossierStep.planned_end_at`) are projections of that budget on
the working calendar. They are written when the clock starts, when it runs again after a pause or a
supplement, when a step closes, and again for every open dossier when the calendar is edited
(`reproject_open_dossiers`, run by the `dossiers.tasks` task after the edit commits), so queues and
reports can filter on the stored values.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TypedDict

from django.db import transaction

from motcua.calendar.services import CalendarInputError, WorkingCalendar, get_calendar, load_calendar
from motcua.calendar.units import HOURS_PER_WORKING_DAY, DurationUnit
from motcua.dossiers.models import Dossier, DossierPause, DossierStep, Origin, PauseKind
from motcua.dossiers.states import FINAL_STATES

# REGULATIONS §2.3, §2.9: paper received after 15:00 moves with the next working day.
HANDOVER_CUTOFF = datetime.time(15, 0)

# (kind, started_at, ended_at or None while it lasts): a DossierPause row without the model around it.
PauseRow = tuple[str, datetime.datetime, datetime.datetime | None]

logger = logging.getLogger(__name__)

# Open dossiers re-projected per transaction: bounded memory, short row locks.
REPROJECT_BATCH = 500


def _pause_rows(dossier_id: int) -> list[PauseRow]:
    return list(
        DossierPause.objects.filter(dossier_id=dossier_id)
        .order_by("started_at", "pk")
        .values_list("kind", "started_at", "ended_at")
    )


def _dossier_pauses(
    clock_started_at: datetime.datetime, rows: Iterable[PauseRow]
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The lawful pauses (R-13) that stop the dossier's clock: ended, and after the clock started.

    Supplements are not among them: after a supplement the legal time restarts from completion
    (REGULATIONS §2.4; `effects.close_supplement` moves `clock_started_at`). A pause still running
    is left out too: until it ends its length is unknown, and the stored date stays the appointment
    as it stands (what it would be if the clock ran again now); resuming adds the paused time.
    """
    return [
        (a, b) for kind, a, b in rows if kind == PauseKind.PAUSE and b is not None and b > clock_started_at
    ]


def _due(
    clock_started_at: datetime.datetime | None,
    time_limit: Decimal,
    unit: str,
    rows: Iterable[PauseRow],
    calendar: WorkingCalendar,
) -> datetime.datetime | None:
    if clock_started_at is None:
        return None
    return calendar.due_at(clock_started_at, time_limit, unit, pauses=_dossier_pauses(clock_started_at, rows))


def project_due(dossier: Dossier, *, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The dossier's appointment: its legal time from the clock start, minus its ended pauses."""
    rows = _pause_rows(dossier.pk) if dossier.pk else []
    return _due(dossier.clock_started_at, dossier.time_limit, dossier.time_limit_unit, rows, get_calendar())


def _step_end(
    started_at: datetime.datetime,
    budget_hours: Decimal,
    rows: Iterable[PauseRow],
    calendar: WorkingCalendar,
    *,
    open_until: datetime.datetime | None,
) -> datetime.datetime:
    """A step's planned end: its budget of working hours from its start, the clock stopped while
    the dossier was lawfully paused (R-13), restarted after a supplement.

    Why a supplement restarts the step's budget rather than only pausing it: the law restarts the
    dossier's legal time from the day the complete dossier is received ("thời hạn giải quyết được
    tính lại từ đầu sau khi nhận đủ hồ sơ", NĐ 61/2018 Điều 19 as amended by NĐ 107/2021;
    REGULATIONS §2.4), and the dossier's appointment does so (`effects.close_supplement`). The step
    that asked for the supplement appraised an incomplete dossier; it appraises the complete one
    from the start, with its whole budget, inside the dossier's renewed time (its budgets add up to
    the legal time, R-24). Only pausing it would leave the officer less than the law gives the
    office, and mark them late on a dossier that is on time. So the step's budget counts from the
    completion, and a lawful pause after it stops the step's clock as it stops the dossier's.

    `open_until`: when the step ends while the dossier still waits (stopped or withdrawn while
    paused, or waiting for a supplement), the running wait counts as paused until then — the officer
    is never late for time the law does not count. Without it, a running wait is left out (see
    `_dossier_pauses`).
    """
    start, pauses = started_at, []
    for kind, a, b in sorted(rows, key=lambda r: r[1]):
        if b is None:
            if open_until is None:
                continue
            b = open_until  # a wait still running when the step ends: paused until then
        elif kind == PauseKind.SUPPLEMENT and a >= started_at:
            start = max(start, b)  # completed during this step: the budget restarts (see above)
            continue
        if b > started_at:
            pauses.append((a, b))
    pauses = [(a, b) for a, b in pauses if b > start]
    return calendar.due_at(start, budget_hours, DurationUnit.WORKING_HOURS, pauses=pauses)


def project_step_end(
    step: DossierStep, *, open_until: datetime.datetime | None = None
) -> datetime.datetime | None:
    """The stored planned end `step` should have now (None keeps a step without a budget as it is)."""
    if step.process_step_id is None:
        return step.planned_end_at
    return _step_end(
        step.started_at,
        step.process_step.budget_hours,
        _pause_rows(step.dossier_id),
        get_calendar(),
        open_until=open_until,
    )


def apology_in_time(due_at: datetime.datetime, at: datetime.datetime) -> bool:
    """REGULATIONS §2.5: the apology is due no later than one working day before the due date.
    A later one is still accepted (the citizen must be told), but reported as late."""
    return get_calendar().elapsed(at, due_at) >= datetime.timedelta(hours=HOURS_PER_WORKING_DAY)


def step_end(start: datetime.datetime, budget_hours) -> datetime.datetime:
    return get_calendar().due_at(start, budget_hours, DurationUnit.WORKING_HOURS)


def paper_transfer_due(received_at: datetime.datetime) -> datetime.date:
    """The day the paper dossier must reach the deciding unit (REGULATIONS §2.3)."""
    calendar = get_calendar()
    start = calendar.normalize(received_at)
    received_local = received_at.astimezone(start.tzinfo)
    if start.date() != received_local.date():
        # Received after closing or on a day off: the next working day is already "the next
        # working day" — pushing it once more for the 15:00 cut-off would lose a day.
        return start.date()
    if received_local.time() >= HANDOVER_CUTOFF:
        start = calendar.normalize(start.replace(hour=23, minute=59))
    return start.date()


# --- re-projection after a calendar edit (DESIGN.md: "changing the calendar re-projects running
# deadlines") -------------------------------------------------------------------------------------


class Reprojection(TypedDict):
    dossiers: int  # open dossiers looked at
    due_changed: int
    steps_changed: int


def reproject_open_dossiers(*, batch_size: int = REPROJECT_BATCH) -> Reprojection:
    """Recompute and store `due_at` and the running step's planned end of every open dossier on the
    calendar as it is now.

    Open = not in a final state. A dossier whose processing has finished (result ready) keeps its
    appointment: it was judged on time or late against it. The first appointment
    (`original_due_at`) and the head's new date after an apology (`extended_due_at`, R-27) are
    decisions already communicated, not projections: never rewritten.

    In batches by primary key, each in its own transaction with its dossiers locked (an action on
    one of them waits, then stores its own projection on the new calendar): three reads and at most
    two bulk updates per batch, whatever the number of dossiers.
    """
    # Built afresh from the tables, not the process's cached calendar: in a worker process that
    # cache may be up to calendar.services.REVISION_CHECK_SECONDS older than the edit that
    # enqueued this run.
    calendar = load_calendar()
    result: Reprojection = {"dossiers": 0, "due_changed": 0, "steps_changed": 0}
    last_pk = 0
    while True:
        with transaction.atomic():
            dossiers = list(
                Dossier.objects.select_for_update()
                .exclude(state__in=sorted(FINAL_STATES))
                # A dossier migrated from the old software keeps the appointment that software
                # gave it: it was computed on that software's calendar and communicated.
                .exclude(origin=Origin.LEGACY)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only(
                    "pk",
                    "clock_started_at",
                    "time_limit",
                    "time_limit_unit",
                    "due_at",
                    "finished_at",
                    "current_step",
                )[:batch_size]
            )
            if not dossiers:
                return result
            last_pk = dossiers[-1].pk
            ids = [d.pk for d in dossiers]
            rows: dict[int, list[PauseRow]] = defaultdict(list)
            for dossier_id, *row in DossierPause.objects.filter(dossier_id__in=ids).values_list(
                "dossier_id", "kind", "started_at", "ended_at"
            ):
                rows[dossier_id].append(tuple(row))  # type: ignore[arg-type]

            changed = []
            for d in dossiers:
                if d.finished_at is not None or d.clock_started_at is None:
                    continue
                try:
                    due = _due(d.clock_started_at, d.time_limit, d.time_limit_unit, rows[d.pk], calendar)
                except CalendarInputError:
                    # Beyond the calendar's span (a legacy import, say): keep its date, move the rest.
                    logger.warning("could not re-project the due date of dossier %s", d.pk, exc_info=True)
                    continue
                if due != d.due_at:
                    d.due_at = due
                    changed.append(d)
            Dossier.objects.bulk_update(changed, ["due_at"])

            steps = DossierStep.objects.filter(
                pk__in=[d.current_step_id for d in dossiers if d.current_step_id],
                ended_at__isnull=True,
                process_step__isnull=False,
            ).select_related("process_step")
            moved = []
            for step in steps:
                try:
                    end = _step_end(
                        step.started_at,
                        step.process_step.budget_hours,
                        rows[step.dossier_id],
                        calendar,
                        open_until=None,
                    )
                except CalendarInputError:
                    logger.warning("could not re-project the planned end of step %s", step.pk, exc_info=True)
                    continue
                if end != step.planned_end_at:
                    step.planned_end_at = end
                    moved.append(step)
            DossierStep.objects.bulk_update(moved, ["planned_end_at"])
        result["dossiers"] += len(dossiers)
        result["due_changed"] += len(changed)
        result["steps_changed"] += len(moved)
        if len(dossiers) < batch_size:
            return result
