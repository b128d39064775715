"""Reads of consultations for reports (R-16: the Department of Home Affairs' evaluation)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from motcua.consultations.models import Consultation


@dataclass(frozen=True)
class UnitLateReplies:
    unit_code: str
    unit_name: str
    late_answers: int  # answered in the period, after the reply deadline
    unanswered_overdue: int  # deadline fell in the period, still unanswered
    second_reminders: int  # reminders copied to the Department of Home Affairs in the period


@dataclass(frozen=True)
class OfficerLateReplies:
    user_id: int
    username: str
    full_name: str
    unit_code: str
    unit_name: str
    late_answers: int


@dataclass(frozen=True)
class LateReplies:
    period_start: datetime.datetime
    period_end: datetime.datetime
    units: list[UnitLateReplies]
    officers: list[OfficerLateReplies]


def _bound(value: datetime.date | datetime.datetime, *, end: bool) -> datetime.datetime:
    """A date is a whole local day (the end day included); a datetime is taken as it is."""
    if isinstance(value, datetime.datetime):
        return value
    day = value + datetime.timedelta(days=1) if end else value
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def late_replies(
    period_start: datetime.date | datetime.datetime, period_end: datetime.date | datetime.datetime
) -> LateReplies:
    """R-16: late consultation replies per consulted unit and per officer, over [start, end].

    Two aggregate queries, whatever the number of units or officers.
    """
    start, end = _bound(period_start, end=False), _bound(period_end, end=True)
    late_answer = Q(answered_late=True, answered_at__gte=start, answered_at__lt=end)
    # Unanswered at its deadline: the dossier had not ended by then (a withdrawn dossier's
    # consultation is not owed an answer any more, but one already overdue stays overdue).
    unanswered = Q(answered_at__isnull=True, due_at__gte=start, due_at__lt=end) & (
        Q(dossier__finished_at__isnull=True) | Q(dossier__finished_at__gt=F("due_at"))
    )
    reminded = Q(reminder2_at__gte=start, reminder2_at__lt=end)
    rows = (
        Consultation.objects.filter(late_answer | unanswered | reminded)
        .values("to_unit__code", "to_unit__name")
        .annotate(
            late_answers=Count("pk", filter=late_answer),
            unanswered_overdue=Count("pk", filter=unanswered),
            second_reminders=Count("pk", filter=reminded),
        )
        .order_by("-late_answers", "-unanswered_overdue", "to_unit__code")
    )
    units = [
        UnitLateReplies(
            unit_code=r["to_unit__code"],
            unit_name=r["to_unit__name"],
            late_answers=r["late_answers"],
            unanswered_overdue=r["unanswered_overdue"],
            second_reminders=r["second_reminders"],
        )
        for r in rows
    ]
    people = (
        Consultation.objects.filter(late_answer, answered_by__isnull=False)
        .values(
            "answered_by",
            "answered_by__username",
            "answered_by__first_name",
            "answered_by__last_name",
            "to_unit__code",
            "to_unit__name",
        )
        .annotate(late_answers=Count("pk"))
        .order_by("-late_answers", "to_unit__code", "answered_by__username")
    )
    officers = [
        OfficerLateReplies(
            user_id=r["answered_by"],
            username=r["answered_by__username"],
            # as get_full_name(): the demo keeps the whole Vietnamese name in first_name
            full_name=f"{r['answered_by__first_name']} {r['answered_by__last_name']}".strip(),
            unit_code=r["to_unit__code"],
            unit_name=r["to_unit__name"],
            late_answers=r["late_answers"],
        )
        for r in people
    ]
    return LateReplies(period_start=start, period_end=end, units=units, officers=officers)
