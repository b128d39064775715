"""Delivery to the national portal: end-to-end lag with the portal up, and the drain rate of a
1-hour backlog, against the simulator over real HTTP.

DESIGN.md target: "Status change → delivered to the national portal: p99 ≤ 5 s when the portal is
up; after a 1-hour outage the backlog drains at ≥ 1,000 events/s; nothing lost, nothing applied
twice."

Runs standalone: `python bench/bench_sync.py [--seconds 10] [--rate 20] [--backlog 120000]
[--per-dossier 6] [--workers 2]`. On SQLite by default (a fresh database file in a temporary
folder); on PostgreSQL when DATABASE_URL is a postgres:// URL (a fresh database `motcua_bench_sync`
is created on that server, and dropped at the end).

1. migrates a fresh database and loads the demo; starts the simulator (`manage.py
   national_portal_sim`, REST generation) on a free loopback port;
2. baseline, same run: one dossier's sync with nothing of ours around it — an add of its record
   and a push of its progress row straight through the adapter — timed 200 times (p50/p99): the
   floor the lag cannot go under on this machine;
3. (a) lag: `manage.py sync_national --workers N` runs as a separate process (the relay loop,
   idle poll 0.2 s) while this process submits online dossiers through `services.submit` at
   `--rate` per second for `--seconds` — each a state change that writes its outbox message in
   its transaction; lag = the message's `delivered_at` (stamped once the portal acknowledged it)
   − its `created_at` (the state change); p50/p99 over every message;
4. (b) drain: the relay stopped, a backlog is written in bulk — `manage.py generate_dossiers`
   makes the dossiers, then `--per-dossier` messages per dossier are inserted interleaved in time
   order, as an hour's changes would have queued them — and `--workers` threads of this process
   drain it (`delivery.drain`, the code path of `sync_national --once`); events/s = messages /
   seconds. Baseline, same run: the wire alone — the same kind of rows pushed through the adapter
   by as many threads, in chunks of 10, with no database — rows/s;
5. checks nothing was lost or applied twice (the simulator's counters: every message's row
   applied once, `out_of_order` 0), prints the figures beside the baselines, "met"/"NOT met", the
   machine (CPUs, model), stops what it started and removes the database. Exits 0 even when a
   target is missed.

Backlog size: DESIGN.md's scenario is a one-hour outage. A province handling 2.5 million dossiers
a year at ~8 state changes each averages ~10,000 changes per working hour; the default 120,000
(20,000 dossiers × 6) is twelve such hours' worth — the peak hour of a large merged province
(2025 reform) with margin, and large enough that the drain runs for a while (not a warm-cache
burst). `--backlog` changes it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import AUDIT_KEY, ROOT, free_port, load_average, percentile, verdict

TARGET_P99_S = 5.0
TARGET_RATE = 1000.0
BENCH_DB = "motcua_bench_sync"
PROCEDURE = "1.001193"  # Đăng ký khai sinh, online at the demo's communes
COMMUNE = "000.00.61.H19"
CLIENT_ID, CLIENT_SECRET = "motcua-demo", "motcua-demo-secret"


# --- the database ----------------------------------------------------------------------------------


class Database:
    """A fresh bench database: a file on SQLite, or `motcua_bench_sync` on the PostgreSQL server of
    DATABASE_URL."""

    def __init__(self) -> None:
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
        if self.postgres:
            parts = urlsplit(url)
            self.server = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
            self.url = urlunsplit((parts.scheme, parts.netloc, f"/{BENCH_DB}", parts.query, ""))
        else:
            self.url = f"sqlite:///{self.tmp / 'bench.sqlite3'}"

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.postgres else "SQLite"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def create(self) -> None:
        if self.postgres:
            self._admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            self._admin(f"CREATE DATABASE {BENCH_DB}")

    def drop(self) -> None:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        if self.postgres:
            with contextlib.suppress(Exception):
                self._admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        shutil.rmtree(self.tmp, ignore_errors=True)


def environment(db: Database, portal_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "DATABASE_URL": db.url,
            "MOTCUA_DEBUG": "0",
            "MOTCUA_SECRET_KEY": secrets.token_urlsafe(40),
            "MOTCUA_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MOTCUA_AUDIT_KEY": AUDIT_KEY,
            "MOTCUA_LOG_LEVEL": "WARNING",
            # The demo's signed papers verify against its (test-only) CA, as in `make run`.
            "MOTCUA_SIGNATURE_TRUST_ROOTS": str(
                ROOT / "motcua" / "demo" / "data" / "signing" / "demo-ca.pem"
            ),
            # Commits wake nobody in this process: the relay (a) and the drain threads (b) deliver.
            "MOTCUA_TASKS_BACKEND": "dummy",
            "MOTCUA_DVCQG_URL": portal_url,
            "MOTCUA_DVCQG_PROTOCOL": "rest",
            "MOTCUA_DVCQG_CLIENT_ID": CLIENT_ID,
            "MOTCUA_DVCQG_CLIENT_SECRET": CLIENT_SECRET,
            "MOTCUA_DVCQG_PROVINCE_CODE": "000.00.00.H19",
            "MOTCUA_DVCQG_TIMEOUT": "10",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


class Process:
    """A manage.py command in its own process group, stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log_file = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log_file.close()


def wait_for_portal(url: str, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/_sim/state", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("the simulator did not start")


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs, {model or 'unknown model'}"


# --- measurements (run with Django set up in this process) -----------------------------------------


def wire_latency(samples: int = 200) -> list[float]:
    """One dossier's add + one progress row, straight through the adapter: seconds each."""
    from motcua.integrations import registry

    portal = registry.get("dvcqg")
    times = []
    for n in range(samples):
        code = f"BASELINE-{uuid.uuid4().hex[:12]}"
        record = {"MaHoSo": code, "MaTTHC": PROCEDURE, "TrangThaiHoSo": "1", "MaBanTin": str(uuid.uuid4())}
        row = {
            "MaHoSo": code,
            "NguoiXuLy": "Đo hiệu năng",
            "TrangThai": "1",
            "MaBanTin": str(uuid.uuid4()),
            "SoThuTu": 1,
        }
        began = time.perf_counter()
        ok = portal.add_dossiers([record]).ok and portal.push_progress([row]).ok
        times.append(time.perf_counter() - began)
        if not ok:
            raise RuntimeError(f"baseline call {n} refused")
    return times


def submit_at_rate(rate: float, seconds: float) -> int:
    """Online submissions by the demo citizen, at `rate` per second for `seconds`."""
    from django.contrib.auth import get_user_model

    from motcua.dossiers import services

    citizen = get_user_model().objects.get(username="congdan1")
    data = services.SubmissionInput(
        procedure_code=PROCEDURE,
        channel="online",
        unit_code=COMMUNE,
        applicant=services.ApplicantInput(),
        summary="Đăng ký khai sinh cho con (đo độ trễ đồng bộ)",
    )
    began = time.monotonic()
    count = 0
    while time.monotonic() - began < seconds:
        target = began + count / rate
        if target > time.monotonic():
            time.sleep(target - time.monotonic())
        services.submit(data, actor=citizen)
        count += 1
    return count


def lags(since_pk: int) -> tuple[list[float], int]:
    """Seconds from state change to acknowledgement of every national-portal message after
    `since_pk`, and how many are still undelivered."""
    from motcua.dossiers.models import OutboxMessage, OutboxTopic

    rows = OutboxMessage.objects.filter(topic=OutboxTopic.NATIONAL_PORTAL, pk__gt=since_pk)
    done = [
        (d - c).total_seconds()
        for c, d in rows.exclude(delivered_at=None).values_list("created_at", "delivered_at")
    ]
    return sorted(done), rows.filter(delivered_at=None).count()


def write_backlog(total: int, per_dossier: int, env: dict[str, str]) -> list[int]:
    """`total` messages over total/per_dossier generated dossiers, interleaved in time order."""
    from django.db import transaction
    from django.utils import timezone

    from motcua.dossiers.models import Dossier, OutboxMessage, OutboxTopic
    from motcua.dossiers.outbox import dvcqg_time, national_code
    from motcua.dossiers.states import national_status

    count = max(1, total // per_dossier)
    before = set(Dossier.objects.values_list("pk", flat=True))
    manage(env, "generate_dossiers", "--count", str(count), "--seed", "9", "--days", "30")
    dossiers = list(
        Dossier.objects.exclude(pk__in=before)
        .select_related("deciding_unit")
        .only("pk", "code", "origin", "national_id", "state", "pause_ground", "deciding_unit__name")
        .order_by("pk")
    )
    start = timezone.now() - datetime.timedelta(hours=1)
    step = datetime.timedelta(seconds=3600 / max(1, len(dossiers) * per_dossier))
    n = 0
    batch: list[OutboxMessage] = []
    for k in range(1, per_dossier + 1):
        for d in dossiers:
            at = start + n * step
            n += 1
            message_id = uuid.uuid4()
            row = {
                "MaHoSo": national_code(d),
                "NguoiXuLy": "Cán bộ xử lý",
                "ChucDanh": "Chuyên viên xử lý",
                "ThoiDiemXuLy": dvcqg_time(at),
                "PhongBanXuLy": d.deciding_unit.name,
                "NoiDungXuLy": f"Bước xử lý {k}",
                "TrangThai": str(national_status(d)),
                "NgayBatDau": dvcqg_time(at),
                "NgayKetThucTheoQuyDinh": dvcqg_time(at + datetime.timedelta(days=5)),
                "MaBanTin": str(message_id),
                "SoThuTu": k,
            }
            batch.append(
                OutboxMessage(
                    message_id=message_id,
                    topic=OutboxTopic.NATIONAL_PORTAL,
                    dossier_id=d.pk,
                    payload={"MaHoSo": row["MaHoSo"], "TienDo": row},
                    created_at=at,
                )
            )
            if len(batch) >= 5000:
                with transaction.atomic():
                    OutboxMessage.objects.bulk_create(batch)
                batch = []
    if batch:
        with transaction.atomic():
            OutboxMessage.objects.bulk_create(batch)
    return [d.pk for d in dossiers]


def drain_with(workers: int) -> tuple[float, int]:
    """`workers` threads drain until nothing is ready: (seconds, messages delivered)."""
    from django.db import connections

    from motcua.sync import delivery

    delivered = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            r = delivery.drain(worker_id=f"bench/{n}")
            with lock:
                delivered.append(r.delivered)
        finally:
            connections.close_all()

    began = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began, sum(delivered)


def wire_rate(rows: int, workers: int) -> float:
    """Rows/s the simulator takes through the adapter in chunks of 10 from `workers` threads, with
    their records added first (no database)."""
    from motcua.integrations import registry

    portal = registry.get("dvcqg")
    dossiers = max(1, rows // 6)
    codes = [f"WIRE-{uuid.uuid4().hex[:10]}" for _ in range(dossiers)]
    for start in range(0, dossiers, 200):
        portal.add_dossiers(
            [{"MaHoSo": c, "MaTTHC": PROCEDURE, "TrangThaiHoSo": "4"} for c in codes[start : start + 200]]
        )
    chunks = []
    for k in range(1, 7):
        row_batch = [
            {
                "MaHoSo": c,
                "NguoiXuLy": "Cán bộ xử lý",
                "TrangThai": "4",
                "MaBanTin": str(uuid.uuid4()),
                "SoThuTu": k,
            }
            for c in codes
        ]
        chunks.extend(row_batch[i : i + 10] for i in range(0, len(row_batch), 10))
    position = [0]
    lock = threading.Lock()

    def run() -> None:
        while True:
            with lock:
                if position[0] >= len(chunks):
                    return
                chunk = chunks[position[0]]
                position[0] += 1
            portal.push_progress(chunk)

    began = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(len(c) for c in chunks) / (time.perf_counter() - began)


def portal_state(url: str) -> dict:
    import httpx

    return httpx.get(f"{url}/_sim/state", timeout=60).json()


# --- the run ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="lag: how long to submit")
    parser.add_argument("--rate", type=float, default=20.0, help="lag: submissions per second")
    parser.add_argument("--backlog", type=int, default=120_000, help="drain: messages in the backlog")
    parser.add_argument("--per-dossier", type=int, default=6, help="drain: messages per dossier")
    parser.add_argument("--workers", type=int, default=2, help="relay / drain threads")
    args = parser.parse_args()

    db = Database()
    port = free_port()
    portal_url = f"http://127.0.0.1:{port}"
    env = environment(db, portal_url)
    print(f"bench_sync on {db.label}; machine: {machine()}; load {load_average()}", flush=True)
    try:
        db.create()
    except Exception as exc:  # no PostgreSQL server: say so, do not fail the whole `make bench`
        print(f"skipped: cannot create the bench database ({exc})")
        return
    simulator = relay = None
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "load_demo")
        simulator = Process(
            env, db.tmp / "simulator.log", "national_portal_sim", "--port", str(port), "--protocol", "rest"
        )
        wait_for_portal(portal_url)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection

        from motcua.dossiers.models import OutboxMessage
        from motcua.sync import delivery

        # Baseline (lag): the wire alone.
        wire = sorted(wire_latency())
        print(
            f"baseline, one dossier's add + progress row through the adapter (no database): "
            f"p50 {percentile(wire, 50) * 1000:.1f} ms, p99 {percentile(wire, 99) * 1000:.1f} ms",
            flush=True,
        )

        # (a) lag with the relay running: the demo's own dossiers go first, then the measured ones.
        relay = Process(env, db.tmp / "relay.log", "sync_national", "--workers", str(args.workers))
        deadline = time.monotonic() + 120
        while delivery.pending_count() and time.monotonic() < deadline:
            time.sleep(0.2)
        since = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        submitted = submit_at_rate(args.rate, args.seconds)
        deadline = time.monotonic() + 60
        while (remaining := lags(since)[1]) and time.monotonic() < deadline:
            time.sleep(0.2)
        measured, remaining = lags(since)
        relay.stop()
        relay = None
        p50, p99 = percentile(measured, 50), percentile(measured, 99)
        print(
            f"(a) lag, state change → acknowledged, relay `sync_national --workers {args.workers}` running: "
            f"{len(measured)} of {submitted} changes delivered ({remaining} late); "
            f"p50 {p50:.3f} s, p99 {p99:.3f} s — target p99 ≤ {TARGET_P99_S:.0f} s: "
            f"{verdict(p99 <= TARGET_P99_S and not remaining)}; "
            f"×{p99 / max(percentile(wire, 99), 1e-9):.0f} the wire's p99",
            flush=True,
        )

        # (b) a one-hour backlog, drained by `--workers` threads.
        began = time.perf_counter()
        dossier_ids = write_backlog(args.backlog, args.per_dossier, env)
        backlog = delivery.pending_count()
        print(
            f"(b) backlog: {backlog:,} messages over {len(dossier_ids):,} dossiers written in "
            f"{time.perf_counter() - began:.0f} s",
            flush=True,
        )
        before = portal_state(portal_url)
        seconds, delivered = drain_with(args.workers)
        after = portal_state(portal_url)
        rate = delivered / seconds if seconds else 0.0
        left = delivery.pending_count()
        applied_rows = sum(
            len(entry["progress"])
            for code, entry in after["dossiers"].items()
            if not code.startswith(("BASELINE", "WIRE"))
        ) - sum(
            len(entry["progress"])
            for code, entry in before["dossiers"].items()
            if not code.startswith(("BASELINE", "WIRE"))
        )
        intact = (
            applied_rows == delivered
            and after["out_of_order"] == 0
            and after["duplicates"] == before["duplicates"]
        )
        wire_rows = wire_rate(min(args.backlog, 30_000), args.workers)
        print(
            f"(b) drain: {delivered:,} messages in {seconds:.1f} s = {rate:,.0f} events/s with "
            f"{args.workers} workers ({left} left) — target ≥ {TARGET_RATE:,.0f}/s: "
            f"{verdict(rate >= TARGET_RATE and not left)}; "
            f"baseline, the wire alone (rows in chunks of 10, {args.workers} threads, no database): "
            f"{wire_rows:,.0f} rows/s, ratio {rate / wire_rows:.2f}",
            flush=True,
        )
        print(
            f"checks: every delivered message applied once on the portal ({applied_rows:,} rows), "
            f"out_of_order {after['out_of_order']}, duplicates {after['duplicates'] - before['duplicates']}: "
            f"{'ok' if intact else 'FAILED'}; {connection.vendor}; load {load_average()}",
            flush=True,
        )
    finally:
        if relay is not None:
            relay.stop()
        if simulator is not None:
            simulator.stop()
        db.drop()


if __name__ == "__main__":
    main()
