"""R-22 with real workers: a `manage.py sync_national` process killed (SIGKILL) in the middle of a
batch loses nothing — its leases run out and another worker sends what it held, and the receiver
drops what it had applied already; several workers at once never send the same message at the
same time (on PostgreSQL they really run in parallel and meet on `FOR UPDATE SKIP LOCKED`; on
SQLite their claims are serialised by IMMEDIATE transactions, and the same assertions hold).

These tests need committed data visible to other connections and to another process: they are
transactional (the database is flushed after each), and on SQLite they run on a file copy of the
test database (`tests/concurrency/conftest.py`), which the worker process opens too.
"""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from motcua.calendar.units import DurationUnit
from motcua.catalog.models import CaseDuration, Channel, Field, OnlineLevel, Procedure, ProcedureCase
from motcua.catalog.services import add_reception_point
from motcua.dossiers import services
from motcua.dossiers.context import ActionInput
from motcua.dossiers.models import Dossier
from motcua.org.models import Applicant, ApplicantKind, Role, Unit, UnitKind, UnitLevel
from motcua.org.services import grant_role
from motcua.sync import delivery
from motcua.sync.tasks import deliver_national_outbox
from tests.concurrency.conftest import file_database_on_sqlite  # noqa: F401 (module fixture)
from tests.national_portal import CLIENT_ID, CLIENT_SECRET, PROVINCE_CODE
from tests.sync_outbound.kit import FAST_SYNC, applied_rows, expected_ids, national_messages

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keep_seeded_data")]

ROOT = Path(__file__).resolve().parents[2]
UNIT = "000.00.61.H19"
PROCEDURE = "1.001193"
DAY = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
WORKER_TIMEOUT = 2.0  # the killed worker's HTTP timeout: its lease is 3 s (timeout + 1)


@pytest.fixture
def history(transactional_db, settings):
    """`make(n)`: n online dossiers of one commune, each with four state changes (submit, a
    supplement asked for and handed in, receipt) — four national-portal messages each. Their
    commits enqueue no delivery run here (a task backend that only records them): the workers under
    test deliver."""
    settings.MOTCUA_SYNC = FAST_SYNC
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    province = Unit.objects.create(
        code="000.00.00.H19",
        name="Ủy ban nhân dân tỉnh Đồng Nai",
        kind=UnitKind.PEOPLES_COMMITTEE,
        level=UnitLevel.PROVINCE,
    )
    unit = Unit.objects.create(
        code=UNIT,
        name="Ủy ban nhân dân phường Trấn Biên",
        kind=UnitKind.COMMUNE,
        level=UnitLevel.COMMUNE,
        parent=province,
    )
    field, _ = Field.objects.get_or_create(code="HOTICH", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(
        code=PROCEDURE, name="Đăng ký khai sinh", field=field, online_level=OnlineLevel.PARTIAL
    )
    case = ProcedureCase.objects.create(procedure=procedure, code="TH1", name="Trường hợp chung")
    CaseDuration.objects.create(
        case=case, channel=Channel.ONLINE, value=Decimal("8"), unit=DurationUnit.WORKING_HOURS
    )
    add_reception_point(procedure, channel=Channel.ONLINE, unit=unit)
    users = get_user_model().objects
    officer = users.create_user("tiepnhan.tranbien", password=None)
    grant_role(officer, unit, Role.COUNTER_OFFICER)
    citizen = users.create_user("congdan.thu", password=None)
    Applicant.objects.create(
        user=citizen, kind=ApplicantKind.CITIZEN, identifier="075088000009", name="Công dân thử"
    )

    def act(d: Dossier, action: str, actor, minutes: int, **fields) -> Dossier:
        data = ActionInput(version=d.version, **fields)
        return services.apply(d.code, action, actor, data, now=DAY + datetime.timedelta(minutes=minutes))

    def make(count: int) -> list[Dossier]:
        dossiers = []
        for n in range(count):
            d = services.submit(
                services.SubmissionInput(
                    procedure_code=PROCEDURE,
                    channel=Channel.ONLINE,
                    unit_code=UNIT,
                    applicant=services.ApplicantInput(),
                    summary=f"Đăng ký khai sinh cho con (hồ sơ {n})",
                ),
                actor=citizen,
                now=DAY + datetime.timedelta(minutes=n),
            )
            d = act(
                d, "request_supplement", officer, 100 + n, reason="Thiếu giấy tờ", items=["Giấy chứng sinh"]
            )
            d = act(d, "submit_supplement", citizen, 200 + n)
            dossiers.append(act(d, "receive", officer, 300 + n))
        return dossiers

    return make


def assert_each_applied_once_in_order(state: dict, dossiers: list[Dossier]) -> None:
    for d in dossiers:
        ids = [r["MaBanTin"] for r in applied_rows(state, d)]
        assert ids == expected_ids(d), d.code
    assert state["out_of_order"] == 0
    assert not national_messages().filter(delivered_at__isnull=True).exists()


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(portal, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.settings_demo",
        "DATABASE_URL": _database_url(),
        "MOTCUA_DVCQG_URL": portal.url,
        "MOTCUA_DVCQG_PROTOCOL": portal.protocol,
        "MOTCUA_DVCQG_CLIENT_ID": CLIENT_ID,
        "MOTCUA_DVCQG_CLIENT_SECRET": CLIENT_SECRET,
        "MOTCUA_DVCQG_PROVINCE_CODE": PROVINCE_CODE,
        "MOTCUA_DVCQG_TIMEOUT": str(WORKER_TIMEOUT),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "manage.py", "sync_national", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.parametrize("national_portal", ["rest", "service"], indirect=True)
def test_r22_a_worker_killed_mid_batch_loses_nothing(national_portal, history):
    dossiers = history(10)
    national_portal.control(delay_ms=300)  # slow enough to be killed between two calls
    worker = start_worker(national_portal, "--workers", "1", "--batch-size", "4", "--lease", "3")
    try:
        # Killed once the portal applied part of a batch: some records are in, their rows are not.
        wait_for(lambda: national_portal.state()["applied"] >= 1, 60, "the worker's first call")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stdout.close()
    held = national_messages().filter(delivered_at__isnull=True).exclude(claimed_by="")
    assert held.exists()  # it died holding leases
    until = max(held.values_list("claimed_until", flat=True))
    national_portal.control(delay_ms=0)

    # Another worker: the dossiers nobody holds go at once; the dead worker's wait for its lease.
    delivery.drain(worker_id="second")
    assert national_messages().filter(pk__in=held.values("pk"), delivered_at__isnull=True).exists()
    wait_for(lambda: timezone.now() > until, 10, "the dead worker's leases to run out")
    delivery.drain(worker_id="second")
    delivery.drain(worker_id="second")

    state = national_portal.state()
    assert_each_applied_once_in_order(state, dossiers)
    assert sum(len(applied_rows(state, d)) for d in dossiers) == national_messages().count() == 40


class Watch:
    """The simulator's adapter, watched: no message may be in flight in two calls at once."""

    def __init__(self, portal):
        self.portal, self.protocol = portal, portal.protocol
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []
        self.sent = 0

    def _call(self, method, items):
        ids = [item["MaBanTin"] for item in items]
        with self.lock:
            self.overlaps.extend(i for i in ids if i in self.in_flight)
            self.in_flight.update(ids)
            self.sent += 1
        try:
            return method(items)
        finally:
            with self.lock:
                self.in_flight.difference_update(ids)

    def add_dossiers(self, records):
        return self._call(self.portal.add_dossiers, records)

    def update_dossiers(self, records):
        return self._call(self.portal.update_dossiers, records)

    def push_progress(self, rows):
        return self._call(self.portal.push_progress, rows)


def test_r22_four_workers_at_once_never_send_the_same_message_twice(national_portal, history):
    dossiers = history(24)
    national_portal.control(delay_ms=5)
    portal = Watch(national_portal.adapter())
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def work(n: int) -> None:
        try:
            start.wait()
            for _ in range(200):
                delivery.drain(portal=portal, worker_id=f"w{n}", batch_size=3)
                if not national_messages().filter(delivered_at__isnull=True).exists():
                    return
                time.sleep(0.01)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert not errors, errors
    assert portal.overlaps == []
    state = national_portal.state()
    assert state["duplicates"] == 0  # nothing was sent twice at all
    assert_each_applied_once_in_order(state, dossiers)
    assert sum(len(applied_rows(state, d)) for d in dossiers) == 24 * 4
    assert portal.sent >= 8  # the work was shared out in many calls, not one worker's single batch


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_tasks() -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_r22_commits_queue_one_delivery_run_and_the_task_worker_delivers(national_portal, history, settings):
    settings.TASKS = DATABASE_TASKS
    dossiers = history(2)  # eight committed changes
    waiting = DBTaskResult.objects.filter(task_path=deliver_national_outbox.module_path, status="READY")
    assert waiting.count() == 1  # a run not started yet sees every later commit: one is enough

    run_tasks()

    assert_each_applied_once_in_order(national_portal.state(), dossiers)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_r22_during_an_outage_the_task_schedules_itself_for_the_end_of_the_back_off(
    national_portal, history, settings
):
    settings.TASKS = DATABASE_TASKS
    settings.MOTCUA_SYNC = {"backoff_base": 5.0, "backoff_cap": 5.0}
    national_portal.control(outage=True)
    history(1)

    run_tasks()

    later = DBTaskResult.objects.filter(status="READY").get()
    assert later.task_path == deliver_national_outbox.module_path
    assert later.run_after > timezone.now()
    earliest = national_messages().exclude(available_at=None).order_by("available_at").first().available_at
    assert later.run_after == earliest


def test_r22_the_relay_delivers_as_changes_come_and_stops_cleanly_on_sigterm(national_portal, history):
    worker = start_worker(national_portal, "--workers", "2")
    try:
        dossiers = history(3)  # committed while the relay polls
        wait_for(lambda: not national_messages().filter(delivered_at__isnull=True).exists(), 60, "the relay")
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0].decode()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0
    assert "Đã dừng. Đã gửi 12 bản tin" in output
    assert_each_applied_once_in_order(national_portal.state(), dossiers)
