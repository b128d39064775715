"""What the PostgreSQL benchmarks share: the bench database, the client threads, the measured run and
the app under gunicorn.

bench_submit.py and bench_queue.py measure different things but must measure them the same way, so
that their figures compare: one copy of the timing loop, the percentiles and the report line keeps
them from drifting apart. Each benchmark runs as a script (`python bench/<script>.py`, which is also
how run_all.py starts them), so this folder is first on sys.path and they `import common`.
"""

import contextlib
import http.client
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# One audit-chain key for every process of a run (load_demo, gunicorn): the chain they write is one.
AUDIT_KEY = secrets.token_hex(32)


# --- helpers -------------------------------------------------------------------------------------


def database_url(name: str) -> str:
    """PG_URL pointing at database `name`: one server setting for every database a benchmark uses."""
    parts = urlsplit(PG_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def pg_connect(name: str = "postgres") -> "psycopg.Connection":
    """An autocommit connection to `name`; psycopg is imported here so that a machine without it
    gets the benchmark's "skipped" line rather than an ImportError."""
    import psycopg

    return psycopg.connect(database_url(name), autocommit=True, connect_timeout=5)


def free_port() -> int:
    """A loopback port nothing listens on, for a server that must not collide with a running one."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile: always a latency that was measured, never an interpolation."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def verdict(ok: bool) -> str:
    """The word every report prints against a target."""
    return "met" if ok else "NOT met"


def load_average() -> str:
    """The 1/5/15-minute load average, printed before and after: these machines are shared and noisy."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


# --- a measured run ------------------------------------------------------------------------------


@dataclass
class Run:
    """One measured run: the latencies of the calls that succeeded, the failures by kind, and what
    the calls returned (the dossier codes bench_submit.py checks against the database). Client
    threads add to it through `record`, under its lock."""

    label: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latencies: list[float], codes: list[str], errors: dict[str, int]) -> None:
        with self.lock:
            self.latencies_ms.extend(latencies)
            self.codes.extend(codes)
            for key, count in errors.items():
                self.errors[key] = self.errors.get(key, 0) + count

    @property
    def rate(self) -> float:
        """Successful calls per second over the measured window."""
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        """The q-th percentile latency in ms."""
        return percentile(sorted(self.latencies_ms), q)

    @property
    def p95(self) -> float:
        return self.p(95)

    def summary(self) -> str:
        """One report line: count, duration, rate, p50/p95/p99 and the failures if any."""
        lat = sorted(self.latencies_ms)
        line = (
            f"{self.label}: {len(lat):,} in {self.seconds:.1f} s = {self.rate:,.0f}/s; latency ms "
            f"p50 {percentile(lat, 50):.1f}, p95 {percentile(lat, 95):.1f}, p99 {percentile(lat, 99):.1f}"
        )
        if self.errors:
            line += f"; {sum(self.errors.values())} failed {dict(sorted(self.errors.items()))}"
        return line


def describe_error(exc: Exception) -> str:
    """A failure's key in `Run.errors`: its class and message, cut short so that the line stays one."""
    return f"{type(exc).__name__} {exc}"[:80]


def drive(
    run: Run,
    clients: int,
    seconds: float,
    once: Callable[[dict], str | None],
    error_key: Callable[[Exception], str] = describe_error,
) -> None:
    """`clients` threads call `once(state)` until the deadline, released together by a barrier so
    that each measures the same window. Only successful calls count towards the rate and the
    latencies; what a call returns, unless None, goes to `run.codes`; a call that raises is counted
    under `error_key(exc)`. `state` starts as {"n": the client's number}; its "close", if set, is
    called when the thread ends."""
    start = threading.Barrier(clients + 1)
    deadline_box: list[float] = []

    def client(n: int) -> None:
        state: dict = {"n": n}
        latencies: list[float] = []
        codes: list[str] = []
        errors: dict[str, int] = {}
        try:
            start.wait()
            deadline = deadline_box[0]
            while (began := time.perf_counter()) < deadline:
                try:
                    code = once(state)
                except Exception as exc:
                    key = error_key(exc)
                    errors[key] = errors.get(key, 0) + 1
                    continue
                latencies.append((time.perf_counter() - began) * 1000)
                if code is not None:
                    codes.append(code)
        finally:
            if state.get("close"):
                state["close"]()
            run.record(latencies, codes, errors)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    deadline_box.append(time.perf_counter() + seconds)
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(seconds + 60)
    run.seconds = time.perf_counter() - began


# --- the database --------------------------------------------------------------------------------


def create_database(name: str) -> None:
    """`name` dropped if it exists (a run left behind) and created empty: every run starts clean."""
    with pg_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(name: str) -> None:
    with pg_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def app_env(database: str) -> dict[str, str]:
    """The environment of the app as deployed (no debug, password sign-in, warnings only) on
    `database`, for manage.py, gunicorn and Django set up in the benchmark's own process."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "DATABASE_URL": database_url(database),
            "MOTCUA_DEBUG": "0",
            "MOTCUA_SECRET_KEY": secrets.token_urlsafe(40),
            "MOTCUA_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MOTCUA_PASSWORD_LOGIN": "1",
            # Plain HTTP on loopback: no redirect to HTTPS, cookies sent without TLS.
            "MOTCUA_SSL_REDIRECT": "0",
            "MOTCUA_SECURE_COOKIES": "0",
            "MOTCUA_AUDIT_KEY": AUDIT_KEY,
            "MOTCUA_LOG_LEVEL": "WARNING",
            # The demo's signed documents (withdrawal approvals, results) are signed by the synthetic
            # demo CA: trusted here as the demo settings trust it, or load_demo refuses them.
            "MOTCUA_SIGNATURE_TRUST_ROOTS": str(ROOT / "motcua/demo/data/signing/demo-ca.pem"),
        }
    )
    return env


# --- the app under gunicorn ----------------------------------------------------------------------


class GunicornServer:
    """gunicorn serving motcua.wsgi on a free loopback port, in its own process group so that `stop`
    ends the workers too. A benchmark subclasses it to say how its users sign in, and which page
    (`ready_path`, sent with `ready_headers`) answers 200 once the app is up."""

    ready_path: str = "/"
    ready_headers: dict[str, str] = {}

    def __init__(self, workers: int, threads: int, log: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.log = log
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        self.log_file = log.open("wb")
        options = ["-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "motcua.wsgi", *options, "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def answers(self) -> bool:
        """Whether `ready_path` answers 200 now."""
        conn = self.connection()
        try:
            conn.request("GET", self.ready_path, headers=self.ready_headers)
            response = conn.getresponse()
            response.read()
            return response.status == 200
        finally:
            conn.close()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self.answers():
                    return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within a minute")

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL if it has not gone after 20 s."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log_file.close()

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
