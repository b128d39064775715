"""How a database owner tampers with the event log: plain SQL, with the append-only trigger of
migration 0005 switched off first (the owner of a PostgreSQL table may do that; SQLite has no
trigger). The HMAC key kept outside the database and the signed digests are what catch it."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from motcua.dossiers.models import Dossier, DossierEvent, OutboxMessage
from motcua.notifications.models import Notification


def event_table() -> str:
    return connection.ops.quote_name(DossierEvent._meta.db_table)


@contextmanager
def owner_cursor() -> Iterator:
    """A cursor with the event table's user triggers disabled for its duration (PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check: run them as each statement ends.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {event_table()} DISABLE TRIGGER USER")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {event_table()} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def delete_event(cursor, event: DossierEvent) -> None:
    """Remove one event row and the rows that point at it (its outbox message, the notifications
    it caused) with `cursor`, as a database owner would."""
    for model in (OutboxMessage, Notification):
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"DELETE FROM {table} WHERE event_id = %s", [event.pk])
    cursor.execute(f"DELETE FROM {event_table()} WHERE id = %s", [event.pk])


def delete_last_event_and_fix_the_dossier(dossier: Dossier) -> None:
    """Remove the dossier's last event and make its row agree (version and last hash): the chain
    left behind is internally consistent, so only a digest taken earlier shows the loss."""
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    with owner_cursor() as cursor:
        delete_event(cursor, last)
    Dossier.objects.filter(pk=dossier.pk).update(version=last.seq - 1, last_event_hash=last.prev_hash)


def delete_dossier(dossier: Dossier) -> None:
    """Remove a dossier and every row that points at it, directly or not (events, outbox, steps…),
    with plain SQL: no PROTECT, no signal, no trace."""
    Dossier.objects.filter(pk=dossier.pk).update(current_step=None)  # the dossier ↔ step cycle
    with owner_cursor() as cursor:
        _purge(cursor, Dossier, {dossier.pk}, set())


def _purge(cursor, model, pks: set, seen: set) -> None:
    pks = {pk for pk in pks if (model, pk) not in seen}
    if not pks:
        return
    seen.update((model, pk) for pk in pks)
    for rel in model._meta._get_fields(forward=False, reverse=True, include_hidden=True):
        if rel.many_to_many:
            continue
        children = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": pks})
        _purge(cursor, rel.related_model, set(children.values_list("pk", flat=True)), seen)
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.pk.column)
    cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(pks))})", list(pks))
