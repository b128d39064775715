"""Every saved dossier is marked for the index in the saving transaction (motcua.index.facts): the
dossier engine's one door saves the dossier on each action, and so do reception, forwarded
dossiers, mergers and the legacy import. Bulk writers send `dossiers.signals.bulk_written`; for
anything else, `manage.py compute_index --rebuild` recomputes from the dossiers.

What issue 11 records about a dossier without saving it marks it too: a fee paid (3.4, 3.6 — the
payment platform marks fees paid in bulk, so its settled transaction is what is seen), a rating
(5.4) and a PAKN about it (5.4)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from motcua.dossiers.models import Dossier, DossierFee
from motcua.dossiers.signals import bulk_written
from motcua.feedback.models import DossierRating, Petition
from motcua.index import facts
from motcua.payments.models import PaymentState, PaymentTransaction


@receiver(post_save, sender=Dossier, dispatch_uid="index_mark_dossier")
def mark_dossier(sender, instance: Dossier, raw: bool = False, **kwargs) -> None:
    # Only received dossiers count (no NgayTiepNhan, no indicator): an online submission costs
    # nothing here until its reception.
    if not raw and instance.received_at is not None:
        facts.mark([instance.pk])


@receiver(bulk_written, dispatch_uid="index_mark_bulk")
def mark_bulk(sender, dossier_ids: list[int], **kwargs) -> None:
    facts.mark(dossier_ids)


@receiver(post_save, sender=DossierFee, dispatch_uid="index_mark_fee")
@receiver(post_delete, sender=DossierFee, dispatch_uid="index_mark_fee_deleted")
def mark_fee(sender, instance: DossierFee, raw: bool = False, **kwargs) -> None:
    # R-29 (3.4, 3.6): a fee recorded, paid (at the counter or online) or removed.
    if not raw:
        facts.mark([instance.dossier_id])


@receiver(post_save, sender=PaymentTransaction, dispatch_uid="index_mark_payment")
def mark_payment(sender, instance: PaymentTransaction, raw: bool = False, **kwargs) -> None:
    # `payments.services._settle` marks the fees paid with a queryset update (no save of
    # theirs is seen); the paid transaction, saved in the same transaction, is.
    if not raw and instance.state == PaymentState.PAID:
        facts.mark([instance.dossier_id])


@receiver(post_save, sender=DossierRating, dispatch_uid="index_mark_rating")
def mark_rating(sender, instance: DossierRating, raw: bool = False, **kwargs) -> None:
    # R-32 (5.4): a "not satisfied" rating takes the dossier out of the satisfied ones.
    if not raw:
        facts.mark([instance.dossier_id])


@receiver(post_save, sender=Petition, dispatch_uid="index_mark_petition")
def mark_petition(sender, instance: Petition, raw: bool = False, **kwargs) -> None:
    # R-31 (5.4): a PAKN about a dossier, or its classification as "not a PAKN", changes the verdict.
    if not raw and instance.dossier_id is not None:
        facts.mark([instance.dossier_id])
