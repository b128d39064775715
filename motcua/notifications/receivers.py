"""Signals from the apps below this one that the notifications react to (connected in `apps.ready`).

Every change of a dossier appends a `DossierEvent` with `save()` inside the change's transaction
(`dossiers.services.apply` / `submit`), so its `post_save` is where the applicant's messages are
written in that same transaction. Events inserted in bulk (unit transfers, the legacy import) are
never changes the applicant is told about.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from motcua.dossiers.models import DossierEvent
from motcua.notifications import services


@receiver(post_save, sender=DossierEvent, dispatch_uid="notifications.notify_applicant")
def notify_applicant(sender, instance: DossierEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        services.notify_event(instance)
