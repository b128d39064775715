"""Event rows are append-only in the database itself (issue 8 item 7, migration 0005): on
PostgreSQL a trigger refuses every UPDATE and DELETE of `dossiers_dossierevent`, whoever sends it;
SQLite (the single-user demo database) has no such trigger and relies on the HMAC chain alone.

The same test runs in both suites (as tests/concurrency does): `make test` on SQLite and
`DATABASE_URL=postgres://… make test` on PostgreSQL each assert what holds on that database."""

import importlib

import pytest
from django.db import DatabaseError, connection, transaction

from motcua.dossiers.models import DossierEvent
from tests.dossiers.kit import at, notary_processing
from tests.dossiers.tamper import event_table

migration = importlib.import_module("motcua.dossiers.migrations.0005_events_append_only")


@pytest.fixture
def event():
    return notary_processing(at("2026-03-02 08:00")).events.get(seq=2)


def _sql(statement: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: the test goes on
        cursor.execute(statement, params)


def test_update_and_delete_of_an_event_row_are_refused_by_the_database(event):
    update = f"UPDATE {event_table()} SET reason = %s WHERE id = %s"
    delete = f"DELETE FROM {event_table()} WHERE id = %s"
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="chỉ được ghi thêm: không được sửa sự kiện"):
            _sql(update, ["Sửa lén", event.pk])
        with pytest.raises(DatabaseError, match="chỉ được ghi thêm: không được xóa sự kiện"):
            _sql(delete, [event.pk])
        with pytest.raises(DatabaseError, match="không được sửa sự kiện"), transaction.atomic():
            DossierEvent.objects.filter(pk=event.pk).update(reason="Sửa qua ORM")
        assert DossierEvent.objects.get(pk=event.pk).reason == event.reason
    else:
        # SQLite: migration 0005 created nothing; the chain's HMAC is what detects such edits.
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            assert cursor.fetchall() == []
        _sql(update, ["Sửa lén", event.pk])
        assert DossierEvent.objects.get(pk=event.pk).reason == "Sửa lén"


def test_the_trigger_is_installed_on_postgresql_only():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [DossierEvent._meta.db_table],
            )
            assert [row[0] for row in cursor.fetchall()] == [migration.TRIGGER]
        else:
            assert migration.TRIGGER  # the operation exists, and did nothing here (see above)
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
            assert cursor.fetchone() == (0,)


def test_inserting_events_is_still_allowed(event):
    copy = DossierEvent.objects.get(pk=event.pk)
    copy.pk, copy.seq = None, 99
    copy.save(force_insert=True)
    assert DossierEvent.objects.filter(dossier_id=event.dossier_id, seq=99).exists()
