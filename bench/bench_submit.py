"""Dossier submission throughput and latency through the API on PostgreSQL.

DESIGN.md target: "Submitting a dossier through the API: ≥ 400/s on 2 cores with PostgreSQL
(≥ 0.10 × the pgbench baseline), p95 ≤ 50 ms".

Runs standalone: `python bench/bench_submit.py [--seconds 12] [--clients 8] [--mode api|service|both]
[--scenario hot|spread|both]`. Needs a PostgreSQL server it may create databases on
(MOTCUA_BENCH_PG, default postgres://postgres@127.0.0.1:5432) and `pgbench`; without them it says
so and exits 0.

1. creates a fresh database (motcua_bench, dropped first if it exists), migrates it, loads the demo
   and adds one citizen account per client (bench.congdanNN, password "demo");
2. `api` (default): starts the app under gunicorn (2 workers × 4 threads, MOTCUA_DEBUG=0) on a free
   loopback port as a separate process, signs the citizens in (POST /api/v1/auth/token), then
   `--clients` threads, each with one keep-alive connection, submit online birth registrations
   (1.001193, POST /api/v1/dossiers) for `--seconds` after a short warm-up; `service`: the same
   submissions through `services.submit` in threads of this process (no HTTP, no DRF: where the
   time goes);
3. scenarios: `hot` — every client is the demo citizen congdan1 submitting to phường Trấn Biên, so
   every submission queues on one counter row (the price of gap-free codes) and one applicant
   row; `spread` — each client is its own citizen and the clients are spread over the demo's six
   communes (each counter row shared by clients/6);
4. checks what was stored: every request answered 201 is one dossier, and the codes of each
   unit-day are exactly 1…n (no duplicate, no gap);
5. baseline, same run, same client count, duration and counter rows: pgbench replaying the rows one
   submission writes — the per-unit daily counter upsert, a dossier row, an event row and two
   outbox rows, in one transaction, into the real tables with their indexes (values copied from a
   stored dossier);
6. prints submissions/s, p50/p95/p99 latency, the ratio to the baseline and "met"/"NOT met",
   stops everything it started and drops the database. Exits 0 even when a target is missed.

The load generator shares the machine with the server and the database, so the figures are a
floor; the load average is printed before and after because these machines are shared and noisy.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from common import (
    PG_URL,
    ROOT,
    GunicornServer,
    Run,
    app_env,
    create_database,
    drive,
    drop_database,
    load_average,
    pg_connect,
    verdict,
)

BENCH_DB = "motcua_bench"

TARGET_RATE = 400  # submissions/s on 2 cores
TARGET_RATIO = 0.10  # × the pgbench baseline
TARGET_P95_MS = 50
WARMUP_SECONDS = 2.0
MAX_CLIENTS = 64
MAX_SECONDS = 120

PASSWORD = "demo"
HOT_USER = "congdan1"  # motcua/demo/data/accounts.json, applicant 075088000001
PROCEDURE = "1.001193"  # Đăng ký khai sinh: online reception at each commune of the demo
COMMUNES = [f"000.00.{n}.H19" for n in range(61, 67)]  # Trấn Biên, Biên Hòa, … Đồng Xoài
# The baseline writes its rows under a day no submission uses, so both sets of codes stay apart.
BASELINE_DAY = "2099-12-31"


def bench_user(n: int) -> str:
    return f"bench.congdan{n:02d}"


def body(unit: str, identifier: str, name: str) -> dict:
    return {
        "procedure": PROCEDURE,
        "channel": "online",
        "unit": unit,
        "applicant": {"kind": "citizen", "identifier": identifier, "name": name},
        "summary": "Đăng ký khai sinh cho con (đo hiệu năng)",
    }


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    users: Callable[[int], str]  # client number → username
    bodies: Callable[[int], dict]  # client number → request body
    baseline_units: Callable[[int], list[str]]  # client count → the units whose counters pgbench hits


SCENARIOS = {
    "hot": Scenario(
        "hot",
        f"one citizen, one unit ({COMMUNES[0]}): every submission queues on one counter row",
        users=lambda n: HOT_USER,
        bodies=lambda n: body(COMMUNES[0], "075088000001", "Nguyễn Văn Thử"),  # congdan1's own identity
        baseline_units=lambda clients: COMMUNES[:1],
    ),
    "spread": Scenario(
        "spread",
        f"one citizen per client, clients spread over {len(COMMUNES)} communes",
        users=bench_user,
        bodies=lambda n: body(COMMUNES[n % len(COMMUNES)], f"07509900{n:04d}", f"Người nộp thử {n}"),
        baseline_units=lambda clients: COMMUNES[: min(clients, len(COMMUNES))],
    ),
}


# --- helpers -------------------------------------------------------------------------------------


def find_pgbench() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True)
    return str(candidates[0]) if candidates else None


class HttpError(Exception):
    pass


def error_key(exc: Exception) -> str:
    """A failed submission's key in `Run.errors`: the exception's class, with the status of an
    unexpected HTTP answer."""
    return type(exc).__name__ + (f" {exc.args[0]}" if isinstance(exc, HttpError) else "")


# --- the database --------------------------------------------------------------------------------


# One citizen account per client for the spread scenario (one password hash, computed once).
ADD_CITIZENS = """
import sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from motcua.org.models import Applicant
password = make_password(sys.argv[1])
users = get_user_model().objects.bulk_create(
    [get_user_model()(username=name, password=password) for name in sys.argv[2:]]
)
# Online, an account submits as its own verified identity (R-26): each is linked to one.
for n, user in enumerate(users):
    Applicant(user=user, kind="citizen", identifier=f"07509900{n:04d}", name=f"Người nộp thử {n}").save()
"""


def prepare_database(clients: int) -> None:
    create_database(BENCH_DB)
    steps = [
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        [sys.executable, "manage.py", "load_demo"],
        [sys.executable, "-c", ADD_CITIZENS, PASSWORD, *(bench_user(n) for n in range(clients))],
    ]
    for command in steps:
        subprocess.run(command, cwd=ROOT, env=app_env(BENCH_DB), check=True, stdout=subprocess.DEVNULL)


def check_codes(acknowledged: list[str]) -> tuple[bool, str]:
    """Every acknowledged submission is stored once, and each unit-day's codes are 1…n."""
    with pg_connect(BENCH_DB) as conn:
        stored = [
            row[0]
            for row in conn.execute("SELECT code FROM dossiers_dossier WHERE code NOT LIKE 'BASELINE-%'")
        ]
    sequences: dict[str, list[int]] = {}
    for code in stored:
        prefix, number = code.rsplit("-", 1)
        sequences.setdefault(prefix, []).append(int(number))
    problems = []
    missing = set(acknowledged) - set(stored)
    if missing:
        problems.append(f"{len(missing)} acknowledged codes not stored")
    if len(set(acknowledged)) != len(acknowledged):
        problems.append(f"{len(acknowledged) - len(set(acknowledged))} codes acknowledged twice")
    for prefix, numbers in sequences.items():
        numbers.sort()
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"{prefix}: not exactly 1…{len(numbers)}")
    summary = f"{len(stored):,} dossiers stored in {len(sequences)} unit-day sequences"
    return not problems, summary + ("; " + "; ".join(problems) if problems else ", each exactly 1…n")


# --- the API under gunicorn ----------------------------------------------------------------------


def send(conn, method: str, path: str, data: dict | None = None, token: str = "") -> tuple[int, dict]:
    headers = {"Accept": "application/json"}
    payload = None
    if data is not None:
        payload = json.dumps(data, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    try:
        return response.status, json.loads(raw) if raw else {}
    except ValueError:
        return response.status, {"raw": raw[:200].decode(errors="replace")}


class Server(GunicornServer):
    """The API under gunicorn; citizens sign in for a bearer token."""

    ready_path = f"/api/v1/procedures/{PROCEDURE}"
    ready_headers = {"Accept": "application/json"}

    def __init__(self, workers: int, threads: int, log: Path):
        env = app_env(BENCH_DB)
        env["MOTCUA_AUTH_RATE"] = "1000/min"  # all the sign-ins come from one address
        super().__init__(workers, threads, log, env)

    def request(self, method: str, path: str, data: dict | None = None, token: str = "") -> tuple[int, dict]:
        conn = self.connection()
        try:
            return send(conn, method, path, data, token)
        finally:
            conn.close()

    def sign_in(self, username: str) -> str:
        status, answer = self.request(
            "POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD}
        )
        if status != 200 or "token" not in answer:
            raise RuntimeError(f"sign-in as {username} failed: {status} {answer}")
        return answer["token"]


def api_run(server: Server, scenario: Scenario, clients: int, seconds: float, label: str) -> tuple[Run, Run]:
    tokens = {name: server.sign_in(name) for name in {scenario.users(n) for n in range(clients)}}

    def submit_once(state: dict) -> str:
        n = state["n"]
        conn = state.get("conn")
        if conn is None:
            conn = state["conn"] = server.connection()
            state["close"] = conn.close
        try:
            status, answer = send(
                conn, "POST", "/api/v1/dossiers", scenario.bodies(n), tokens[scenario.users(n)]
            )
        except (OSError, http.client.HTTPException):
            conn.close()
            state["conn"] = None
            raise
        if status != 201 or "code" not in answer:
            raise HttpError(status)
        return answer["code"]

    warmup = Run("warm-up")
    drive(warmup, clients, WARMUP_SECONDS, submit_once, error_key)
    if not warmup.latencies_ms:
        raise RuntimeError(f"no submission succeeded during the warm-up: {warmup.errors}")
    run = Run(label)
    drive(run, clients, seconds, submit_once, error_key)
    return run, warmup


# --- the same submissions without HTTP ----------------------------------------------------------


def service_run(scenario: Scenario, clients: int, seconds: float, label: str) -> tuple[Run, Run]:
    os.environ.update(app_env(BENCH_DB))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from motcua.dossiers import services

    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[scenario.users(n) for n in range(clients)])
    }

    def submission(n: int) -> services.SubmissionInput:
        data = scenario.bodies(n)
        return services.SubmissionInput(
            procedure_code=data["procedure"],
            channel=data["channel"],
            unit_code=data["unit"],
            applicant=services.ApplicantInput(**data["applicant"]),
            summary=data["summary"],
        )

    def submit_once(state: dict) -> str:
        state["close"] = connection.close  # this thread's connection
        n = state["n"]
        return services.submit(submission(n), actor=users[scenario.users(n)]).code

    warmup = Run("warm-up")
    drive(warmup, clients, WARMUP_SECONDS, submit_once, error_key)
    run = Run(label)
    drive(run, clients, seconds, submit_once, error_key)
    connection.close()
    return run, warmup


# --- the pgbench baseline ------------------------------------------------------------------------


def literal_row(conn, table: str, row_id: int, overrides: dict[str, str]) -> tuple[str, str]:
    """(column list, VALUES list) copying one stored row as SQL literals, `overrides` as written."""
    from psycopg import sql

    cols = [
        r[0]
        for r in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
            [table],
        )
    ]
    kept = [c for c in cols if c not in overrides]
    query = sql.SQL("SELECT {} FROM {} WHERE id = %s").format(
        sql.SQL(", ").join(sql.SQL("quote_nullable({})").format(sql.Identifier(c)) for c in kept),
        sql.Identifier(table),
    )
    values = dict(zip(kept, conn.execute(query, [row_id]).fetchone(), strict=True))
    values.update(overrides)
    return ", ".join(f'"{c}"' for c in cols), ", ".join(values[c] for c in cols)


def baseline_script(path: Path, units: list[str]) -> None:
    """One submission's rows in one transaction, copied from a dossier the run stored; client k
    counts on the counter row of units[k mod len(units)], as the submitters did."""
    with pg_connect(BENCH_DB) as conn:
        dossier_id = conn.execute("SELECT min(id) FROM dossiers_dossier").fetchone()[0]
        event_id = conn.execute(
            "SELECT id FROM dossiers_dossierevent WHERE dossier_id = %s", [dossier_id]
        ).fetchone()[0]
        outbox_ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM dossiers_outboxmessage WHERE dossier_id = %s ORDER BY id", [dossier_id]
            )
        ]
        unit_ids = [
            conn.execute("SELECT id FROM org_unit WHERE code = %s", [code]).fetchone()[0] for code in units
        ]
        fees = conn.execute("SELECT count(*) FROM dossiers_dossierfee").fetchone()[0]
        unit = f"(ARRAY[{', '.join(map(str, unit_ids))}])[:client_id % {len(unit_ids)} + 1]"
        dossier = literal_row(
            conn,
            "dossiers_dossier",
            dossier_id,
            {
                "code": f"'BASELINE-' || {unit} || '-' || :seq",
                "submitted_at": "now()",
                "receiving_unit_id": unit,
                "deciding_unit_id": unit,
            },
        )
        event = literal_row(
            conn, "dossiers_dossierevent", event_id, {"dossier_id": ":dossier_id", "at": "now()"}
        )
        outbox = [
            literal_row(
                conn,
                "dossiers_outboxmessage",
                oid,
                {"dossier_id": ":dossier_id", "event_id": ":event_id", "created_at": "now()"},
            )
            for oid in outbox_ids
        ]
    if len(outbox) != 2 or fees:
        raise RuntimeError(f"a submission wrote {len(outbox)} outbox rows and {fees} fee rows, not 2 and 0")
    path.write_text(
        "BEGIN;\n"
        f"INSERT INTO dossiers_dossiercounter (unit_id, day, last) VALUES ({unit}, '{BASELINE_DAY}', 1)\n"
        "  ON CONFLICT (unit_id, day) DO UPDATE SET last = dossiers_dossiercounter.last + 1\n"
        "  RETURNING last AS seq \\gset\n"
        f"INSERT INTO dossiers_dossier ({dossier[0]})\n  VALUES ({dossier[1]})\n"
        "  RETURNING id AS dossier_id \\gset\n"
        f"INSERT INTO dossiers_dossierevent ({event[0]})\n  VALUES ({event[1]})\n"
        "  RETURNING id AS event_id \\gset\n"
        f"INSERT INTO dossiers_outboxmessage ({outbox[0][0]})\n"
        f"  VALUES ({outbox[0][1]}),\n  ({outbox[1][1]});\n"
        "COMMIT;\n"
    )


def pgbench_run(pgbench: str, units: list[str], clients: int, seconds: float, workdir: Path) -> Run:
    script = workdir / "submission.sql"
    baseline_script(script, units)
    for old in workdir.glob("pgbench_log*"):
        old.unlink()
    parts = urlsplit(PG_URL)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    command = [
        pgbench,
        "-n",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        "-c",
        str(clients),
        "-j",
        str(min(clients, os.cpu_count() or 2)),
        "-T",
        str(max(1, round(seconds))),
        "-f",
        str(script),
        "-l",
        f"--log-prefix={workdir / 'pgbench_log'}",
        BENCH_DB,
    ]
    result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pgbench failed ({result.returncode}):\n{result.stderr[-2000:]}")
    run = Run(f"baseline pgbench, same rows in one transaction ({clients} clients)")
    for log in workdir.glob("pgbench_log*"):
        for line in log.read_text().splitlines():
            fields = line.split()  # client, transaction, latency µs (or "failed"), script, epoch, µs
            if len(fields) >= 3 and fields[2].isdigit():
                run.latencies_ms.append(int(fields[2]) / 1000)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
    run.seconds = len(run.latencies_ms) / float(tps.group(1)) if tps and float(tps.group(1)) else seconds
    failed = re.search(r"number of failed transactions: (\d+)", result.stdout)
    if failed and int(failed.group(1)):
        run.errors["failed transactions"] = int(failed.group(1))
    return run


# --- main ----------------------------------------------------------------------------------------


def report(run: Run, baseline: Run) -> str:
    ratio = run.rate / baseline.rate if baseline.rate else 0.0
    return (
        f"  ratio {ratio:.3f}; ≥ {TARGET_RATE}/s: {verdict(run.rate >= TARGET_RATE)}; "
        f"≥ {TARGET_RATIO:.2f} × baseline: {verdict(ratio >= TARGET_RATIO)}; "
        f"p95 ≤ {TARGET_P95_MS} ms: {verdict(run.p95 <= TARGET_P95_MS)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="measured duration per run (12)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (4)")
    parser.add_argument(
        "--mode",
        choices=["api", "service", "both"],
        default="api",
        help="through the API under gunicorn (default), services.submit in threads, or both",
    )
    parser.add_argument("--scenario", choices=["hot", "spread", "both"], default="both")
    args = parser.parse_args()
    clients = max(1, min(args.clients, MAX_CLIENTS))
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))
    scenarios = [SCENARIOS[s] for s in (["hot", "spread"] if args.scenario == "both" else [args.scenario])]
    modes = ["api", "service"] if args.mode == "both" else [args.mode]

    try:
        pg_connect().close()
    except Exception as exc:
        print(f"skipped: no PostgreSQL at {PG_URL} ({exc.__class__.__name__}); set MOTCUA_BENCH_PG")
        return 0
    pgbench = find_pgbench()
    if pgbench is None:
        print("skipped: pgbench not found (Debian: apt-get install postgresql-client)")
        return 0

    print(f"machine: {os.cpu_count()} cores; load average (1/5/15 min) before: {load_average()}")
    acknowledged: list[str] = []
    results: list[tuple[Scenario, list[Run], Run]] = []
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        workdir = Path(tmp)
        try:
            began = time.perf_counter()
            prepare_database(clients)
            print(f"fresh database {BENCH_DB}: migrated, demo loaded in {time.perf_counter() - began:.0f} s")
            server = None
            if "api" in modes:
                server = Server(args.workers, args.threads, workdir / "gunicorn.log")
            try:
                if server:
                    server.wait_ready()
                for scenario in scenarios:
                    runs = []
                    for mode in modes:
                        if mode == "api":
                            label = f"API, gunicorn {args.workers}×{args.threads}, {clients} clients"
                            run, warmup = api_run(server, scenario, clients, seconds, label)
                        else:
                            label = f"services.submit, {clients} threads, no HTTP"
                            run, warmup = service_run(scenario, clients, seconds, label)
                        acknowledged += run.codes + warmup.codes
                        runs.append(run)
                    baseline = pgbench_run(
                        pgbench, scenario.baseline_units(clients), clients, seconds, workdir
                    )
                    results.append((scenario, runs, baseline))
            except Exception:
                if server and server.log_tail():
                    print("gunicorn log (tail):\n" + server.log_tail(), file=sys.stderr)
                raise
            finally:
                if server:
                    server.stop()
            stored_ok, stored = check_codes(acknowledged)
        finally:
            with contextlib.suppress(Exception):
                drop_database(BENCH_DB)
    print(f"load average after: {load_average()}")
    for scenario, runs, baseline in results:
        print(f"== {scenario.name}: {scenario.title}")
        for run in runs:
            print(run.summary())
            print(report(run, baseline))
        print(baseline.summary())
    print(f"stored: {stored}; no duplicate or skipped code, nothing acknowledged lost: {verdict(stored_ok)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
