"""Signals from the apps below this one that the dossiers react to (connected in `apps.ready`)."""

from django.db import connections, transaction
from django.dispatch import receiver

from motcua.calendar.signals import calendar_edited
from motcua.dossiers import transfers
from motcua.org.signals import Handover, unit_merged


def _enqueue_reprojection(using: str) -> None:
    connection = connections[using]
    # Several rows edited in one transaction (an admin list page saves many) re-project once.
    if getattr(connection, "motcua_reprojection_pending", False):
        connection.motcua_reprojection_pending = False
        from motcua.dossiers.tasks import reproject_open_due_dates

        reproject_open_due_dates.enqueue()


@receiver(calendar_edited)
def reproject_after_calendar_edit(sender, using: str = "default", **kwargs) -> None:
    """Re-project the open dossiers' stored dates once the edit is committed: never from a calendar
    that may still be rolled back, and never before the worker can read it. A rolled-back edit
    drops its callback (the flag it leaves set only makes the next committed edit's callback run)."""
    connections[using].motcua_reprojection_pending = True
    transaction.on_commit(lambda: _enqueue_reprojection(using), using=using)


@receiver(unit_merged, dispatch_uid="dossiers.transfer_open_dossiers")
def transfer_open_dossiers(
    sender, *, predecessor, successor, effective_on, merger=None, actor=None, **kwargs
) -> list[Handover]:
    """REGULATIONS §0.2: the open work of a merged unit moves to its successor, in the merger's
    transaction (a failure here leaves the merger uncommitted). Finished dossiers stay as they were."""
    return transfers.transfer_open_dossiers(
        predecessor, successor, effective_on, actor, decision=merger.decision if merger is not None else ""
    )
