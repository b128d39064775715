"""The dossier's deadline as a budget: legal time from the clock start, minus paused intervals."""

import datetime

from motcua.calendar.services import get_calendar
from motcua.calendar.units import HOURS_PER_WORKING_DAY, DurationUnit
from motcua.dossiers.models import Dossier, DossierPause, PauseKind

# REGULATIONS §2.3, §2.9: paper received after 15:00 moves with the next working day.
HANDOVER_CUTOFF = datetime.time(15, 0)


def paused_intervals(
    dossier: Dossier, *, until: datetime.datetime
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Pauses (not supplements: a supplement restarts the clock instead) since the clock started."""
    pauses = DossierPause.objects.filter(dossier=dossier, kind=PauseKind.PAUSE)
    if dossier.clock_started_at:
        pauses = pauses.exclude(ended_at__lte=dossier.clock_started_at)
    return [(p.started_at, p.ended_at or until) for p in pauses]


def project_due(dossier: Dossier, *, now: datetime.datetime) -> datetime.datetime | None:
    if dossier.clock_started_at is None:
        return None
    far = now + datetime.timedelta(days=3650)
    return get_calendar().due_at(
        dossier.clock_started_at,
        dossier.time_limit,
        dossier.time_limit_unit,
        pauses=paused_intervals(dossier, until=far),
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
