"""Signals from the apps below this one that the sync app reacts to (connected in `apps.ready`)."""

from django.dispatch import receiver

from motcua.dossiers.outbox import national_outbox_written
from motcua.integrations import registry


@receiver(national_outbox_written)
def wake_national_delivery(sender, using: str = "default", **kwargs) -> None:
    """R-22 "in real time": a committed transaction wrote national-portal messages (the signal comes
    once per transaction, after the commit), so a delivery run is enqueued — only when a portal is
    configured; without one the outbox keeps everything until there is."""
    if registry.get("dvcqg") is None:
        return
    from motcua.sync.tasks import enqueue_once

    enqueue_once()
