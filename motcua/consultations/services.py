"""Opening, answering and chasing consultations (R-12, R-13, R-16).

Opening and answering are called by the dossier lifecycle (never directly by views). Reminders are
sent by `send_reminders`, run periodically (`manage.py send_consultation_reminders`).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from motcua.calendar.services import get_calendar
from motcua.calendar.units import DurationUnit
from motcua.consultations.models import Consultation, ReplyTimeLimit
from motcua.core.errors import InvalidInput, RuleViolation
from motcua.org.models import Role, RoleAssignment, Unit
from motcua.org.services import resolve_unit_code

# REGULATIONS §2.7 [R]: where the procedure sets no time, not more than 05 working days.
DEFAULT_MAX_REPLY_DAYS = 5
# the second reminder follows the first after this many working days (settings may change it).
DEFAULT_SECOND_REMINDER_WORKING_DAYS = 1
# Who answers for the consulted unit (and so receives its reminders).
ANSWERING_ROLES = (Role.PROCESSING_OFFICER, Role.DIVISION_HEAD, Role.UNIT_LEADER)


def max_reply_days(dossier, to_unit: Unit, *, on: datetime.date | None = None) -> int:
    """The lead's maximum: the dossier's process step budget for that agency, else the lead unit's
    configured limit in force on `on` (default today), else the default."""
    if dossier.process_version_id:
        step = dossier.process_version.steps.filter(unit=to_unit).first()
        if step is not None:
            return max(1, int(step.budget_hours // 8))
    limit = (
        ReplyTimeLimit.objects.valid_on(on or timezone.localdate())
        .filter(lead_unit=dossier.deciding_unit)
        .order_by(F("valid_from").desc(nulls_last=True), "-pk")  # the most recent limit in force
        .first()
    )
    return limit.max_working_days if limit else DEFAULT_MAX_REPLY_DAYS


def validate_request(
    dossier, *, to_unit_code: str, content: str, reply_days: int | None, on: datetime.date | None = None
) -> Unit:
    """R-12: content and a reply deadline are required; the deadline is within the lead's maximum."""
    # An old unit code (merged away, REGULATIONS §0.2) names the unit that answers for it today.
    to_unit = resolve_unit_code(to_unit_code)
    if to_unit is None:
        raise InvalidInput("Không tìm thấy cơ quan được xin ý kiến.", field="to_unit")
    if to_unit.pk == dossier.deciding_unit_id:
        raise InvalidInput("Không xin ý kiến chính cơ quan đang giải quyết hồ sơ.", field="to_unit")
    if len((content or "").strip()) < 10:
        raise RuleViolation("R-12", "Phải nêu rõ nội dung xin ý kiến.", field="content")
    if not reply_days or reply_days < 1:
        raise RuleViolation("R-12", "Phải nêu thời hạn trả lời (số ngày làm việc).", field="reply_days")
    limit = max_reply_days(dossier, to_unit, on=on)
    if reply_days > limit:
        raise RuleViolation(
            "R-12",
            f"Thời hạn trả lời không được quá {limit} ngày làm việc do đơn vị chủ trì đề xuất.",
            field="reply_days",
        )
    return to_unit


def open_consultation(
    dossier, *, actor, to_unit_code: str, content: str, reply_days: int, now
) -> Consultation:
    to_unit = validate_request(
        dossier,
        to_unit_code=to_unit_code,
        content=content,
        reply_days=reply_days,
        on=timezone.localdate(now),
    )
    return Consultation.objects.create(
        dossier=dossier,
        from_unit=dossier.deciding_unit,
        to_unit=to_unit,
        content=content.strip(),
        reply_days=reply_days,
        requested_by=actor,
        requested_at=now,
        due_at=get_calendar().due_at(now, reply_days, DurationUnit.WORKING_DAYS),
    )


def answer_consultation(consultation: Consultation, *, actor, answer: str, now) -> Consultation:
    """R-16: a late answer is recorded against the consulted unit and the officer who gave it."""
    consultation.answer = answer.strip()
    consultation.answered_by = actor
    consultation.answered_at = now
    consultation.answered_late = now > consultation.due_at
    consultation.save(update_fields=["answer", "answered_by", "answered_at", "answered_late"])
    return consultation


# --- reminders (R-12) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """One reminder to send: to the consulted unit's officers; the second one copied to the
    Department of Home Affairs for the civil-service evaluation (R-12, R-16)."""

    consultation: Consultation
    number: int
    at: datetime.datetime
    recipients: list = field(default_factory=list)  # users answering for the consulted unit
    copy_to: list = field(default_factory=list)  # users holding Role.HOME_AFFAIRS (reminder 2)


ReminderSink = Callable[[Reminder], None]

# How reminders leave the system. The consultations app decides *when* a reminder is due and to
# whom; delivery belongs to the outbox, which the dossiers app owns and which this app may not
# import (dossiers sits above consultations). The dossiers app registers its outbox writer here
# when Django starts (DossiersConfig.ready); tests may pass their own `notify`.
_sink: ReminderSink | None = None


def register_reminder_sink(sink: ReminderSink | None) -> None:
    global _sink
    _sink = sink


def second_reminder_delay() -> Decimal:
    return Decimal(
        str(getattr(settings, "MOTCUA_SECOND_REMINDER_WORKING_DAYS", DEFAULT_SECOND_REMINDER_WORKING_DAYS))
    )


def second_reminder_due(reminder1_at: datetime.datetime, delay_days: Decimal | int) -> datetime.datetime:
    return get_calendar().due_at(reminder1_at, Decimal(str(delay_days)), DurationUnit.WORKING_DAYS)


def _open_for_reminders():
    return Consultation.objects.awaiting()


def _users(assignments) -> list:
    seen, users = set(), []
    for assignment in assignments.select_related("user").order_by("user__username"):
        if assignment.user_id not in seen and assignment.user.is_active:
            seen.add(assignment.user_id)
            users.append(assignment.user)
    return users


def send_reminders(
    now: datetime.datetime,
    *,
    notify: ReminderSink | None = None,
    second_after_days: Decimal | int | None = None,
) -> list[Reminder]:
    """Send the reminders due at `now`; each at most once (idempotent, safe to run concurrently).

    - reminder 1: an unanswered consultation past its reply deadline → the consulted unit;
    - reminder 2: still unanswered `second_after_days` working days (default 1, setting
      MOTCUA_SECOND_REMINDER_WORKING_DAYS) after reminder 1 → the consulted unit, copied to every
      user holding the home-affairs role (Sở Nội vụ) for the civil-service evaluation.
    Each reminder is stamped on the consultation and handed to `notify` in one transaction, so a
    reminder is recorded if and only if its message is written.
    """
    notify = notify or _sink
    if notify is None:
        raise ImproperlyConfigured("Chưa đăng ký nơi gửi thông báo nhắc xin ý kiến (register_reminder_sink).")
    delay = Decimal(str(second_after_days)) if second_after_days is not None else second_reminder_delay()
    day = timezone.localdate(now)
    sent: list[Reminder] = []

    first = _open_for_reminders().filter(reminder1_at__isnull=True, due_at__lt=now)
    for pk in first.order_by("due_at", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            consultation = _lock(first.filter(pk=pk))
            if consultation is None:
                continue
            consultation.reminder1_at = now
            consultation.save(update_fields=["reminder1_at"])
            sent.append(_remind(consultation, 1, now, day, notify))

    second = _open_for_reminders().filter(
        reminder1_at__isnull=False, reminder1_at__lt=now, reminder2_at__isnull=True
    )
    for pk, reminder1_at in second.order_by("reminder1_at", "pk").values_list("pk", "reminder1_at"):
        if second_reminder_due(reminder1_at, delay) > now:
            continue
        with transaction.atomic():
            consultation = _lock(second.filter(pk=pk))
            if consultation is None:
                continue
            consultation.reminder2_at = now
            consultation.save(update_fields=["reminder2_at"])
            sent.append(_remind(consultation, 2, now, day, notify))
    return sent


def _lock(qs) -> Consultation | None:
    """The consultation, locked, if it still needs this reminder and no other sender holds it."""
    return (
        qs.select_for_update(skip_locked=True, of=("self",))
        .select_related("dossier", "from_unit", "to_unit")
        .first()
    )


def _remind(consultation: Consultation, number: int, now, day, notify: ReminderSink) -> Reminder:
    active = RoleAssignment.objects.valid_on(day)
    reminder = Reminder(
        consultation=consultation,
        number=number,
        at=now,
        recipients=_users(active.filter(unit=consultation.to_unit, role__in=ANSWERING_ROLES)),
        copy_to=_users(active.filter(role=Role.HOME_AFFAIRS)) if number == 2 else [],
    )
    notify(reminder)
    return reminder
