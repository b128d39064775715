"""Writing the applicants' notifications in the change's transaction, and queueing them again.

`notify_event` runs inside the transaction of the state change (the `post_save` of the event,
`receivers`), so the message and the change commit or roll back together; once that transaction
commits, one delivery run is enqueued (`wake_after_commit`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations import registry
from motcua.notifications import messages
from motcua.notifications.models import Channel, Notification, NotificationState

logger = logging.getLogger(__name__)


def sms_connected() -> bool:
    """An SMS gateway is configured: without one (no SMS contract) no SMS is written at all."""
    return bool(registry.config("sms").get("base_url"))


def notify_event(event: DossierEvent, dossier: Dossier | None = None) -> list[Notification]:
    """The messages of `event` for its applicant: an e-mail if they gave an address, an SMS if they
    gave a phone number and a gateway is configured; none for a change that is not theirs.
    Must run in the change's transaction. Writing the same event twice writes nothing more (one
    message per event and channel, enforced by the database)."""
    if not messages.concerns_applicant(event):
        return []
    dossier = dossier or event.dossier
    email, phone = dossier.applicant_email.strip(), dossier.applicant_phone.strip()
    if not email and not (phone and sms_connected()):
        return []
    text = messages.compose(dossier, event)
    now = timezone.now()
    rows = []
    common = {"dossier": dossier, "event": event, "action": event.action, "created_at": now}
    if email:
        rows.append(
            Notification(
                channel=Channel.EMAIL, recipient=email, subject=text.subject, body=text.body, **common
            )
        )
    if phone and sms_connected():
        rows.append(Notification(channel=Channel.SMS, recipient=phone, body=text.sms, **common))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    wake_after_commit()
    return rows


def _wake(using: str) -> None:
    connection = connections[using]
    if not getattr(connection, "motcua_notifications_pending", False):
        return
    connection.motcua_notifications_pending = False
    from motcua.notifications.tasks import enqueue_once

    try:
        enqueue_once()
    except Exception:  # the change is committed: a task queue down must not fail it; the loop sends
        logger.exception("Không đưa được lượt gửi thông báo vào hàng đợi tác vụ")


def wake_after_commit(using: str | None = None) -> None:
    """Enqueue one delivery run when the current transaction commits (once, however many messages
    it wrote); a rolled-back transaction enqueues nothing."""
    using = using or router.db_for_write(Notification) or DEFAULT_DB_ALIAS
    # Every call registers a callback; the first to run clears the flag, the others find it clear.
    connections[using].motcua_notifications_pending = True
    transaction.on_commit(lambda: _wake(using), using=using)


def _who(actor) -> str:
    if actor is None:
        return "hệ thống"
    return (actor.get_full_name() or actor.get_username())[:100]


def resend(ids: Iterable[int], *, actor) -> int:
    """Queue messages again (after the address or the server was fixed): sent at once, attempts
    from zero, the previous error kept in `last_error` with who asked."""
    ids = [int(i) for i in ids]
    stamp = timezone.localtime(timezone.now()).strftime("%d/%m/%Y %H:%M")
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(pk__in=ids)
            .exclude(state=NotificationState.PENDING, claimed_until__isnull=True)
        )
        for n in rows:
            before = f" Lỗi trước: {n.last_error}" if n.last_error else ""
            n.last_error = f"Gửi lại theo yêu cầu của {_who(actor)} lúc {stamp}.{before}"[:2000]
            n.state = NotificationState.PENDING
            n.attempts = 0
            n.next_attempt_at = None
            n.claimed_by, n.claimed_until = "", None
        Notification.objects.bulk_update(
            rows, ["last_error", "state", "attempts", "next_attempt_at", "claimed_by", "claimed_until"]
        )
        if rows:
            wake_after_commit()
    for n in rows:
        logger.info("Thông báo %s được gửi lại theo yêu cầu của %s", n.pk, _who(actor))
    return len(rows)
