"""Dossier codes `<agency code>-<YYMMDD>-<NNNN>` (REGULATIONS §3.3): per receiving unit and day,
gap-free and never duplicated — the counter row is locked and incremented in the transaction that
inserts the dossier, so a rolled-back submission gives its number back."""

import datetime
import secrets

from django.db import IntegrityError, transaction

from motcua.dossiers.models import DossierCounter
from motcua.org.models import Unit

# No 0/O/1/I/L: the secret is read off paper and typed on a phone.
_SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def next_code(unit: Unit, day: datetime.date) -> str:
    """Must run inside the submitting transaction."""
    counter = DossierCounter.objects.select_for_update().filter(unit=unit, day=day).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = DossierCounter.objects.create(unit=unit, day=day, last=0)
        except IntegrityError:  # another submitter created today's row first
            counter = DossierCounter.objects.select_for_update().get(unit=unit, day=day)
        else:
            counter = DossierCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{unit.code}-{day:%y%m%d}-{counter.last:04d}"


def new_lookup_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(8))
