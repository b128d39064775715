"""Real parallel connections need a real database file on SQLite.

The default SQLite test database is in memory with a shared cache, where SQLite locks whole tables
and answers a second writer "database table is locked" at once instead of waiting (the busy timeout
does not apply to shared-cache locks). The installation's SQLite is a file in WAL mode with a 20 s
busy timeout and IMMEDIATE transactions, so writers queue; these tests run against a copy of the
test database in a temporary file to measure exactly that. PostgreSQL needs nothing.
"""

import sqlite3

import pytest
from django.db import connection


@pytest.fixture(scope="module", autouse=True)
def file_database_on_sqlite(django_db_setup, django_db_blocker, tmp_path_factory):
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    settings = connection.settings_dict  # the same dict every thread's new connection is made from
    memory_name = settings["NAME"]
    path = tmp_path_factory.mktemp("concurrency") / "test.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        # Keeps the in-memory database alive while no Django connection points at it.
        keepalive = sqlite3.connect(memory_name, uri=True)
        copy = sqlite3.connect(path)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        settings["NAME"] = path
        connection.close()  # a file name now, so this really closes the in-memory handle
        try:
            yield
        finally:
            connection.close()
            settings["NAME"] = memory_name
            connection.ensure_connection()
            keepalive.close()
