"""Background work of the sync app (django-tasks; the backend is `settings.TASKS`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django_tasks import task, task_backends

from motcua.sync import delivery

# A task drains for at most this long, then hands over to the next run: one task never holds a
# worker for a whole backlog. A backend that runs the task in the process that enqueued it (the
# "immediate" one of `make run` and the tests) gets one round: the officer's request is not held up.
TASK_SECONDS = 20.0
_DB_BACKEND = "django_tasks_db.backend.DatabaseBackend"


@task()
def deliver_national_outbox() -> dict[str, Any]:
    """Deliver what the outbox holds for the national portal (R-22), bounded in time.

    Enqueued after each commit that wrote national-portal messages (`sync.receivers`). Safe to run
    concurrently with itself and with `manage.py sync_national`: messages are leased per round.
    When messages remain that wait for their back-off, the task schedules itself for the moment the
    earliest may be tried again (on a backend that can defer a run)."""
    backend = task_backends[deliver_national_outbox.backend]
    if backend.supports_defer:
        result = delivery.drain(max_seconds=TASK_SECONDS)
    else:
        result = delivery.drain(max_rounds=1)
    summary = {
        "rounds": result.rounds,
        "delivered": result.delivered,
        "retried": result.retried,
        "dead": result.dead,
    }
    if backend.supports_defer:
        if result.delivered and delivery.ready_count():
            enqueue_once()  # time budget spent with work left: continue at once
        else:
            later = delivery.next_available_at()
            if later is not None:
                enqueue_once(run_after=later)
                summary["next_run"] = later.isoformat()
    return summary


def _waiting_run(run_after: datetime.datetime | None) -> bool:
    """A run not started yet that will see what was committed before it starts (database backend
    only): enqueuing another would only add a run that finds nothing."""
    backend = task_backends[deliver_national_outbox.backend]
    if f"{type(backend).__module__}.{type(backend).__qualname__}" != _DB_BACKEND:
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    due = Q(run_after=get_date_max()) | Q(run_after__lte=run_after or timezone.now())
    return (
        DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=deliver_national_outbox.module_path
        )
        .filter(due)
        .exists()
    )


def enqueue_once(*, run_after: datetime.datetime | None = None) -> None:
    """Enqueue `deliver_national_outbox` unless a run that has not started yet will do the work."""
    if _waiting_run(run_after):
        return
    if run_after is not None:
        deliver_national_outbox.using(run_after=run_after).enqueue()
    else:
        deliver_national_outbox.enqueue()
