"""Consultation reminders leave through the outbox (R-12).

`consultations.services.send_reminders` decides which reminders are due and to whom; this module
writes each one as a `notification` message in the outbox, in the transaction that stamps the
reminder on the consultation. The consultations app cannot import the outbox (it sits below the
dossiers app), so the dossiers app registers `enqueue_reminder` with it at start-up (apps.py).
"""

import datetime

from motcua.consultations import services as consultations
from motcua.consultations.services import Reminder
from motcua.dossiers.models import OutboxMessage, OutboxTopic

TEMPLATES = {1: "consultation_reminder_1", 2: "consultation_reminder_2_home_affairs"}


def _person(user) -> dict:
    return {"username": user.get_username(), "name": user.get_full_name(), "email": user.email}


def _unit(unit) -> dict:
    return {"code": unit.code, "name": unit.name, "email": unit.email}


def enqueue_reminder(reminder: Reminder) -> OutboxMessage:
    c = reminder.consultation
    return OutboxMessage.objects.create(
        topic=OutboxTopic.NOTIFICATION,
        dossier_id=c.dossier_id,
        created_at=reminder.at,
        payload={
            "template": TEMPLATES[reminder.number],
            "reminder": reminder.number,
            "dossier": c.dossier.code,
            "consultation": c.pk,
            "content": c.content,
            "from_unit": _unit(c.from_unit),
            "to_unit": _unit(c.to_unit),
            "requested_at": c.requested_at.isoformat(),
            "due_at": c.due_at.isoformat(),
            "to": [_person(u) for u in reminder.recipients],
            "cc": [_person(u) for u in reminder.copy_to],
        },
    )


def send_consultation_reminders(now: datetime.datetime) -> list[Reminder]:
    return consultations.send_reminders(now, notify=enqueue_reminder)
