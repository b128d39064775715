"""Every saved dossier is marked for the index in the saving transaction (motcua.index.facts): the
dossier engine's one door saves the dossier on each action, and so do reception, forwarded
dossiers, mergers and the legacy import. Bulk writers send `dossiers.signals.bulk_written`; for
anything else, `manage.py compute_index --rebuild` recomputes from the dossiers."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from motcua.dossiers.models import Dossier
from motcua.dossiers.signals import bulk_written
from motcua.index import facts


@receiver(post_save, sender=Dossier, dispatch_uid="index_mark_dossier")
def mark_dossier(sender, instance: Dossier, raw: bool = False, **kwargs) -> None:
    # Only received dossiers count (no NgayTiepNhan, no indicator): an online submission costs
    # nothing here until its reception.
    if not raw and instance.received_at is not None:
        facts.mark([instance.pk])


@receiver(bulk_written, dispatch_uid="index_mark_bulk")
def mark_bulk(sender, dossier_ids: list[int], **kwargs) -> None:
    facts.mark(dossier_ids)
