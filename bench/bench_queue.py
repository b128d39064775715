"""Officer work queue and dossier search over a million stored dossiers, on PostgreSQL.

DESIGN.md target: "Officer work queue and dossier search with 5 million dossiers stored: API p95 ≤
20 ms, full page p95 ≤ 50 ms (partial indexes on open dossiers: the naive composite index is 150×
slower)". This script stores 1,000,000 by default (`--count`).

Runs standalone: `python bench/bench_queue.py [--count 1000000] [--seconds 15] [--clients 1]`.
Needs a PostgreSQL server it may create databases on (MOTCUA_BENCH_PG, default
postgres://postgres@127.0.0.1:5432); without it, it says so and exits 0.

1. creates a fresh database (motcua_bench_queue, dropped first), migrates it, loads the demo and
   generates `--count` synthetic dossiers (`manage.py generate_dossiers`, ~10 minutes for a
   million on 2 cores); `--reuse` keeps a database left by `--keep` that already holds them;
2. starts the app under gunicorn (2 workers × 4 threads, MOTCUA_DEBUG=0) on a free loopback port
   and signs in, with a session as a browser does (GET then POST /can-bo/dang-nhap/ with the CSRF
   token), a counter officer of the provincial Centre (tiepnhan.tinh) and a processing officer of
   Sở Tư pháp (chuyenvien.sotuphap);
3. for `--seconds` each, `--clients` threads (keep-alive connections; default 1, alternating the two
   officers: the latency of one request on an otherwise idle machine — with 2 clients on 2 cores the
   server, PostgreSQL and the load generator already saturate the CPU) request
   - the full queue page, as opened from the menu (GET /can-bo/: tabs with counts, the first
     queue's first page, the filter form);
   - the search, as typed in the search box (GET /can-bo/?tab=…&q=… with HX-Request: the tabs and
     the table swapped by htmx), rotating over codes, names without diacritics and identification
     numbers taken from the officer's own queue;
4. baselines measured in the same run: the bare SQL of the same request — every statement the page
   runs, replayed through psycopg on one connection per client, without Django — and the selector
   alone (`queues.work_queue`, no HTTP, no template: what an API endpoint would cost at least);
   then the bare SQL once more with the queue indexes of migration 0004 dropped inside a
   transaction that is rolled back (the naive composite indexes only), and EXPLAIN of each
   statement naming the indexes used;
5. prints p50/p95/p99 and "met"/"NOT met" against the targets, stops gunicorn and drops the
   database (unless `--keep`). Exits 0 even when a target is missed.

The load generator shares the machine with the server and the database: the figures are a floor.
"""

import argparse
import contextlib
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

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

BENCH_DB = "motcua_bench_queue"

TARGET_PAGE_P95_MS = 50
TARGET_API_P95_MS = 20
PASSWORD = "demo"
# (username, the queue searched in): a counter officer and a processing officer.
OFFICERS = (("tiepnhan.tinh", "to_return"), ("chuyenvien.sotuphap", "division"))
QUEUE_INDEXES = (
    "dossier_queue_receiving",
    "dossier_queue_deciding",
    "dossier_queue_at_step",
    "dossierstep_queue_open",
)
MAX_CLIENTS = 32
MAX_SECONDS = 120


# --- the database --------------------------------------------------------------------------------


def stored_dossiers() -> int:
    try:
        with pg_connect(BENCH_DB) as conn:
            return conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0]
    except Exception:
        return -1


def prepare_database(count: int, seed: int, reuse: bool) -> str:
    if reuse and stored_dossiers() >= count:
        return f"reused {BENCH_DB} ({stored_dossiers():,} dossiers)"
    create_database(BENCH_DB)
    began = time.perf_counter()
    for command in (
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        [sys.executable, "manage.py", "load_demo"],
    ):
        subprocess.run(command, cwd=ROOT, env=app_env(BENCH_DB), check=True, stdout=subprocess.DEVNULL)
    loaded = time.perf_counter() - began
    subprocess.run(
        [sys.executable, "manage.py", "generate_dossiers", "--count", str(count), "--seed", str(seed)],
        cwd=ROOT,
        env=app_env(BENCH_DB),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return (
        f"fresh database {BENCH_DB}: migrated and demo loaded in {loaded:.0f} s, "
        f"{count:,} dossiers generated in {time.perf_counter() - began - loaded:.0f} s"
    )


# --- the app under gunicorn ----------------------------------------------------------------------


class Server(GunicornServer):
    """The back office under gunicorn; officers sign in with a session, as a browser does."""

    ready_path = "/can-bo/dang-nhap/"

    def __init__(self, workers: int, threads: int, log: Path):
        super().__init__(workers, threads, log, app_env(BENCH_DB))

    def sign_in(self, username: str) -> str:
        """A session as a browser gets one: the sign-in form with its CSRF token, then the POST."""
        conn = self.connection()
        try:
            conn.request("GET", "/can-bo/dang-nhap/")
            response = conn.getresponse()
            page = response.read().decode()
            cookies = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
            conn.request(
                "POST",
                "/can-bo/dang-nhap/",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookies['csrftoken'].value}",
                },
            )
            response = conn.getresponse()
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
        finally:
            conn.close()
        if response.status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"sign-in as {username} failed: {response.status}")
        return f"sessionid={cookies['sessionid'].value}; csrftoken={cookies['csrftoken'].value}"


def http_run(
    server: Server, label: str, requests: list[list[tuple[str, dict]]], clients: int, seconds: float
) -> Run:
    """Each client goes round `requests` (officers' lists of (path, headers), interleaved so that the
    officers alternate), client n starting at the n-th."""
    flat = [r for group in zip(*requests, strict=False) for r in group] + [
        r for group in requests for r in group[min(len(g) for g in requests) :]
    ]

    def once(state: dict) -> None:
        conn = state.get("conn")
        if conn is None:
            conn = state["conn"] = server.connection()
            state["close"] = conn.close
            state["i"] = state["n"]
        path, headers = flat[state["i"] % len(flat)]
        state["i"] += 1
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            state["conn"] = None
            raise
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")

    run = Run(label)
    drive(Run("warm-up"), clients, 2.0, once)
    drive(run, clients, seconds, once)
    return run


# --- what the page runs, without Django (baselines) ------------------------------------------------


def django_setup() -> None:
    os.environ.update(app_env(BENCH_DB))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def search_terms(username: str, tab: str, n: int = 12) -> list[str]:
    """Codes, names without diacritics and identification numbers from the officer's own queue."""
    from django.contrib.auth import get_user_model

    from motcua.core.text import fold
    from motcua.dossiers import queues

    user = get_user_model().objects.get(username=username)
    rows = list(
        queues.queue_dossiers(user, tab)[: n * 3].values_list(
            "code", "applicant_name", "applicant_identifier"
        )
    )
    terms = []
    for i, (code, name, identifier) in enumerate(rows):
        terms.append((code.lower(), fold(name), identifier[-6:])[i % 3])
    return terms[:n] or ["nguyen van"]


def statements(username: str, params: dict) -> list[str]:
    """Every SQL statement of one page request, as executed (parameters in), via Django's test
    client against the bench database."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    client.get("/can-bo/", params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/can-bo/", params)
    if response.status_code != 200:
        raise RuntimeError(f"{username} {params}: HTTP {response.status_code}")
    return [q["sql"] for q in ctx.captured_queries]


def sql_run(
    label: str, scripts: list[list[str]], clients: int, seconds: float, *, drop_queue_indexes: bool = False
) -> Run:
    """Each client goes round `scripts` (the statements of one request each) on its own connection;
    one request's statements = one sample. With `drop_queue_indexes`, each client runs
    inside a transaction that drops the indexes of migration 0004 and is rolled back at the end."""

    def once(state: dict) -> None:
        conn = state.get("conn")
        if conn is None:
            conn = state["conn"] = pg_connect(BENCH_DB)
            state["close"] = conn.close
            if drop_queue_indexes:
                conn.autocommit = False
                conn.execute("SET lock_timeout = '30s'")
                for name in QUEUE_INDEXES:
                    conn.execute(f"DROP INDEX IF EXISTS {name}")
        state["i"] = state.get("i", state["n"]) + 1
        for sql in scripts[state["i"] % len(scripts)]:
            conn.execute(sql).fetchall()  # no parameters: psycopg sends it as it is

    run = Run(label)
    if drop_queue_indexes:
        clients = 1  # DROP INDEX locks the table: one client, its transaction rolled back at the end
    drive(run, clients, seconds, once)
    return run


def selector_run(label: str, cases: list[tuple[str, str | None, str]], clients: int, seconds: float) -> Run:
    """`queues.work_queue` alone in threads of this process: no HTTP, no session, no template."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from motcua.dossiers import queues

    users = {u.username: u for u in get_user_model().objects.filter(username__in=[c[0] for c in cases])}

    def once(state: dict) -> None:
        state["close"] = connection.close
        username, tab, q = cases[(state["n"] + state.setdefault("i", 0)) % len(cases)]
        state["i"] += len(cases) // 2 + 1
        queues.work_queue(users[username], tab, queues.QueueFilters(q=q))

    run = Run(label)
    drive(Run("warm-up"), clients, 1.0, once)
    drive(run, clients, seconds, once)
    return run


def explain(scripts: list[list[str]]) -> list[str]:
    """The indexes each distinct queue statement uses (EXPLAIN, not ANALYZE)."""
    lines, seen = [], set()
    with pg_connect(BENCH_DB) as conn:
        for script in scripts:
            for sql in script:
                if "dossiers_dossier" not in sql or sql in seen:
                    continue
                seen.add(sql)
                plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + sql))
                used = sorted(
                    set(
                        re.findall(
                            r"(?:Index|Index Only|Bitmap Index) Scan (?:Backward )?(?:using|on) (\S+)", plan
                        )
                    )
                )
                seq = sorted(set(re.findall(r"Seq Scan on (\S+)", plan)))
                kind = (
                    "counts"
                    if sql.startswith("SELECT (SELECT COUNT")
                    else "COUNT FILTER"
                    if "FILTER" in sql[:60]
                    else "rows"
                )
                lines.append(
                    f"  {kind:12s} indexes {', '.join(used)}"
                    + (f"; seq scan {', '.join(seq)}" if seq else "")
                )
    return lines


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="dossiers stored (1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured duration per run (15)")
    parser.add_argument(
        "--clients", type=int, default=1, help="concurrent clients (1: latency unloaded; 2: one per officer)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (4)")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the bench database if it holds --count dossiers"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database at the end")
    args = parser.parse_args()
    clients = max(1, min(args.clients, MAX_CLIENTS))
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))

    try:
        pg_connect().close()
    except Exception as exc:
        print(f"skipped: no PostgreSQL at {PG_URL} ({exc.__class__.__name__}); set MOTCUA_BENCH_PG")
        return 0

    print(f"machine: {os.cpu_count()} cores; load average (1/5/15 min) before: {load_average()}")
    results: list[tuple[str, Run, int | None]] = []
    plans: list[str] = []
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        try:
            print(prepare_database(args.count, args.seed, args.reuse), flush=True)
            django_setup()
            terms = {username: search_terms(username, tab) for username, tab in OFFICERS}
            page_cases = [(username, {}) for username, _ in OFFICERS]
            search_cases = [
                (username, {"tab": tab, "q": t}) for username, tab in OFFICERS for t in terms[username]
            ]
            server = Server(args.workers, args.threads, Path(tmp) / "gunicorn.log")
            try:
                server.wait_ready()
                cookies = {username: server.sign_in(username) for username, _ in OFFICERS}
                pages = [[("/can-bo/", {"Cookie": cookies[u]})] for u, _ in OFFICERS]
                searches = [
                    [
                        (f"/can-bo/?{urlencode(p)}", {"Cookie": cookies[u], "HX-Request": "true"})
                        for v, p in search_cases
                        if v == u
                    ]
                    for u, _ in OFFICERS
                ]
                label = f"gunicorn {args.workers}×{args.threads}, {clients} clients"
                results.append(
                    (
                        "full page",
                        http_run(server, f"full queue page, {label}", pages, clients, seconds),
                        TARGET_PAGE_P95_MS,
                    )
                )
                results.append(
                    (
                        "search",
                        http_run(server, f"search (htmx), {label}", searches, clients, seconds),
                        TARGET_PAGE_P95_MS,
                    )
                )
            except Exception:
                if server.log_tail():
                    print("gunicorn log (tail):\n" + server.log_tail(), file=sys.stderr)
                raise
            finally:
                server.stop()
            page_sql = [statements(u, p) for u, p in page_cases]
            search_sql = [statements(u, p) for u, p in search_cases]
            results.append(
                (
                    "page SQL",
                    sql_run(
                        f"bare SQL of the page ({len(page_sql[0])}+ statements), {clients} clients",
                        page_sql,
                        clients,
                        seconds,
                    ),
                    None,
                )
            )
            results.append(
                (
                    "search SQL",
                    sql_run(f"bare SQL of the search, {clients} clients", search_sql, clients, seconds),
                    None,
                )
            )
            cases = [(u, None, "") for u, _ in OFFICERS] + [(u, p["tab"], p["q"]) for u, p in search_cases]
            # One thread: several would queue on this process's GIL and measure that instead.
            results.append(
                (
                    "selector",
                    selector_run(
                        "queues.work_queue alone, page and searches (API floor), 1 thread", cases, 1, seconds
                    ),
                    TARGET_API_P95_MS,
                )
            )
            results.append(
                (
                    "naive SQL",
                    sql_run(
                        "bare SQL of the page without the queue indexes (naive composite only), 1 client",
                        page_sql,
                        1,
                        min(seconds, 10),
                        drop_queue_indexes=True,
                    ),
                    None,
                )
            )
            plans = explain(page_sql + search_sql[:2])
        finally:
            if not args.keep:
                with contextlib.suppress(Exception):
                    from django.db import connections

                    connections.close_all()
                with contextlib.suppress(Exception):
                    drop_database(BENCH_DB)
    print(f"load average after: {load_average()}")
    by_name = {name: run for name, run, _ in results}
    for _, run, target in results:
        print(run.summary())
        if target is not None:
            print(f"  p95 ≤ {target} ms: {verdict(run.p(95) <= target)}")
    if "page SQL" in by_name and "full page" in by_name:
        page, sql = by_name["full page"], by_name["page SQL"]
        print(f"  full page p50 / bare SQL p50 = {page.p(50) / sql.p(50):.1f}×")
    if "naive SQL" in by_name and "page SQL" in by_name:
        naive, sql = by_name["naive SQL"], by_name["page SQL"]
        print(f"  naive composite indexes / queue indexes (bare SQL p50) = {naive.p(50) / sql.p(50):.1f}×")
    if plans:
        print("indexes used (EXPLAIN of the page and search statements):")
        print("\n".join(plans))
    return 0


if __name__ == "__main__":
    sys.exit(main())
