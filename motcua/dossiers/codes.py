"""Dossier codes `<agency code>-<YYMMDD>-<NNNN>` (REGULATIONS §3.3): per receiving unit and day,
gap-free and never duplicated — the counter row is incremented in the transaction that inserts the
dossier, so a rolled-back submission gives its number back."""

import datetime
import secrets

from django.db import connection

from motcua.dossiers.models import DossierCounter
from motcua.org.models import Unit

# No 0/O/1/I/L: the secret is read off paper and typed on a phone.
_SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

_TABLE = DossierCounter._meta.db_table
# One statement creates today's row or takes the next number, and the row stays locked until the
# submitting transaction ends (PostgreSQL and SQLite ≥ 3.35 both speak ON CONFLICT … RETURNING).
# Concurrent submitters to one unit queue here, so the caller runs it as late as it can: the lock
# is then held only for the inserts that follow and the commit.
_NEXT = (
    f'INSERT INTO "{_TABLE}" ("unit_id", "day", "last") VALUES (%s, %s, 1) '
    f'ON CONFLICT ("unit_id", "day") DO UPDATE SET "last" = "{_TABLE}"."last" + 1 '
    'RETURNING "last"'
)


def next_code(unit: Unit, day: datetime.date) -> str:
    """Must run inside the submitting transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT, [unit.pk, connection.ops.adapt_datefield_value(day)])
        (number,) = cursor.fetchone()
    return f"{unit.code}-{day:%y%m%d}-{number:04d}"


def new_lookup_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(8))
