"""Background work of the notifications (django-tasks; the backend is `settings.TASKS`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django_tasks import task, task_backends

from motcua.notifications import delivery

# One run sends for at most this long, then hands over to the next run. A backend that runs the task
# in the process that enqueued it (the "immediate" one of `make run`) gets one round: the officer's
# request is not held up by a backlog.
TASK_SECONDS = 20.0
_DB_BACKEND = "django_tasks_db.backend.DatabaseBackend"


@task()
def send_notifications() -> dict[str, Any]:
    """Send the applicants' messages that are due. Enqueued after each commit that wrote some
    (`services.wake_after_commit`); safe to run twice at once and beside `manage.py
    send_notifications` (messages are leased). When messages wait for their back-off, it schedules
    itself for the earliest (on a backend that can defer a run)."""
    backend = task_backends[send_notifications.backend]
    if backend.supports_defer:
        result = delivery.drain(max_seconds=TASK_SECONDS)
    else:
        result = delivery.drain(max_rounds=1)
    summary: dict[str, Any] = {"sent": result.sent, "retried": result.retried, "dead": result.dead}
    if backend.supports_defer:
        if result.sent and delivery.ready_count():
            enqueue_once()
        else:
            later = delivery.next_attempt_at()
            if later is not None:
                enqueue_once(run_after=later)
                summary["next_run"] = later.isoformat()
    return summary


def _waiting_run(run_after: datetime.datetime | None) -> bool:
    """A run not started yet will see what was committed before it starts (database backend only)."""
    backend = task_backends[send_notifications.backend]
    if f"{type(backend).__module__}.{type(backend).__qualname__}" != _DB_BACKEND:
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    due = Q(run_after=get_date_max()) | Q(run_after__lte=run_after or timezone.now())
    return (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=send_notifications.module_path)
        .filter(due)
        .exists()
    )


def enqueue_once(*, run_after: datetime.datetime | None = None) -> None:
    """Enqueue `send_notifications` unless a run that has not started yet will do the work."""
    if _waiting_run(run_after):
        return
    if run_after is not None:
        send_notifications.using(run_after=run_after).enqueue()
    else:
        send_notifications.enqueue()
