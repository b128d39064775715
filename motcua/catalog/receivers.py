"""Reactions of the catalogue to events of the unit tree (org owns the merger; REGULATIONS §0.2)."""

import datetime

from django.dispatch import receiver

from motcua.catalog import services
from motcua.org.models import Unit
from motcua.org.signals import Handover, unit_merged


@receiver(unit_merged, dispatch_uid="catalog.hand_over_to_successor")
def hand_over_procedures(
    sender, *, predecessor: Unit, successor: Unit, effective_on: datetime.date, **kwargs
) -> list[Handover]:
    """Runs inside the merger's transaction: if this fails, the merger is not recorded either."""
    return services.hand_over_to_successor(predecessor, successor, effective_on)
