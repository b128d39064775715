"""Several workers at once (threads, each its own database connection) against a real SMTP server:
every message is sent exactly once. On PostgreSQL they really run in parallel and meet on the
conditional UPDATE of the claim; on SQLite (a file copy of the test database, WAL, IMMEDIATE
transactions) their claims are serialised, and the same assertions hold.

Transactional (other connections must see the committed dossiers): the database is flushed after
the module and its seed put back (`keep_seeded_data`).
"""

import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.test import override_settings

from motcua.demo.loader import load_demo
from motcua.notifications import delivery
from motcua.notifications.models import Notification, NotificationState
from tests.concurrency.conftest import file_database_on_sqlite  # noqa: F401 (module fixture)
from tests.dossiers.kit import at
from tests.notifications.kit import received

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keep_seeded_data")]

DOSSIERS = 8
WORKERS = 4


def test_four_workers_at_once_send_each_message_exactly_once(smtp, no_sms, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    # The commits enqueue runs that a dummy backend only records: the workers under test send.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        load_demo()
    addresses = [f"nguoi.nop.{n}@example.vn" for n in range(DOSSIERS)]
    for n, address in enumerate(addresses):
        received(at(f"2026-03-02 08:{n:02d}"), email=address)
    assert Notification.objects.filter(state=NotificationState.PENDING).count() == DOSSIERS
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def work(n: int) -> None:
        try:
            start.wait()
            for _ in range(100):
                delivery.drain(worker_id=f"w{n}", batch_size=2)
                if not Notification.objects.exclude(state=NotificationState.SENT).exists():
                    return
                time.sleep(0.01)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert not errors, errors
    assert sorted(a for rcpts, _ in smtp.inbox.messages for a in rcpts) == sorted(addresses)
    assert set(Notification.objects.values_list("state", "attempts")) == {(NotificationState.SENT, 1)}
    assert len(set(Notification.objects.values_list("message_id", flat=True))) == DOSSIERS
