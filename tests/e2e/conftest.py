"""Browser tests: Debian's Chromium driven by Playwright against the app served by a separate
process over real HTTP, on its own database (SQLite file, or `<name>_e2e` on the PostgreSQL server
of DATABASE_URL), migrated and loaded with the demo province once per test session.

Every test saves screenshots under `test-artifacts/e2e/<test>/` (git-ignored): they are how a
person checks what the officers see.
"""

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Page, expect

from motcua.core.text import fold

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
PASSWORD = "demo"
# Rate-limit counters shared by every server process, as in production (the machine's Redis).
REDIS_URL = "redis://127.0.0.1:6379/14"

expect.set_options(timeout=10_000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def own_database(tmp: Path, name: str) -> str:
    """A served app's own database, never the one the rest of the suite is using nor another
    server's: a SQLite file in `tmp`, or `<name of DATABASE_URL>_<name>` on its PostgreSQL server
    (dropped and created afresh)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / f'{name}.sqlite3'}"
    import psycopg

    base, _, database = url.rpartition("/")
    database = f"{database or 'motcua'}_{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return f"{base}/{database}"


@dataclass
class Server:
    url: str
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        """Run a management command against the server's database (test set-up only)."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    @property
    def port(self) -> int:
        return int(self.url.rpartition(":")[2])

    def serving(self, log_path: Path) -> contextlib.AbstractContextManager[None]:
        """The app in its own process until the block ends (runserver, its log in `log_path`)."""
        return serving(self.env, self.port, log_path)

    def python(self, code: str) -> str:
        """Run Python with Django set up on the server's database; returns what it printed."""
        return self.manage("shell", "--no-imports", "-v", "0", "-c", code)

    def api(
        self, method: str, path: str, body: dict | None = None, *, username: str = ""
    ) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if username:
            headers["Authorization"] = f"Bearer {self.token(username)}"
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    _tokens: dict[str, str] | None = None

    def token(self, username: str) -> str:
        if self._tokens is None:
            self._tokens = {}
        if username not in self._tokens:
            status, body = self.api(
                "POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD}
            )
            assert status == 200, body
            self._tokens[username] = body["token"]
        return self._tokens[username]


def demo_server(tmp: Path, name: str, **env: str) -> Server:
    """The demo province migrated and loaded on its own database, ready to be served (`serving`)
    on a free port; `env` adds to or overrides the server's environment."""
    port = free_port()
    server_env = {
        **os.environ,
        "DATABASE_URL": own_database(tmp, name),
        # The demo settings (DEBUG: runserver serves the self-hosted static files; password sign-in;
        # cookies over plain http://127.0.0.1).
        "DJANGO_SETTINGS_MODULE": "motcua.settings_demo",
        "MOTCUA_DEBUG": "1",
        # Tests that type a wrong password on purpose share one server and one address.
        "MOTCUA_LOCKOUT_FAILURES": "50",
        "MOTCUA_MEDIA_ROOT": str(tmp / "media"),
        # The units' keys and the TEST CA of their seals (`load_demo` makes them), never var/signing.
        "MOTCUA_SIGNING_KEYS_DIR": str(tmp / "signing"),
        "MOTCUA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Browser tests sign in many times from one address.
        "MOTCUA_AUTH_RATE": "1000/min",
        "MOTCUA_CACHE_URL": REDIS_URL,
        # No national portal unless a test sets one: nothing delivers behind its back.
        "MOTCUA_DVCQG_URL": "",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    server = Server(url=f"http://127.0.0.1:{port}", env=server_env)
    server.manage("migrate", "--no-input", "-v", "0")
    server.manage("load_demo")
    return server


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e-server")
    redis.Redis.from_url(REDIS_URL).flushdb()  # no counters left over from an earlier run
    server = demo_server(tmp, "e2e")
    with server.serving(tmp / "server.log"):
        yield server


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, log_path: Path) -> Iterator[None]:
    """The app in its own process on `port` until the block ends."""
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text()[-3000:]) from None
                time.sleep(0.3)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:80]


@dataclass
class Screens:
    """Numbered screenshots of one test, under test-artifacts/e2e/<test>/."""

    folder: Path
    count: int = 0

    def __call__(self, page: Page, name: str, *, full_page: bool = True) -> Path:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.count:02d}-{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def shot(request) -> Screens:
    return Screens(ARTIFACTS / _slug(request.node.name))


@pytest.fixture
def new_page(browser, server) -> Iterator[Callable[..., Page]]:
    """`new_page()` → a page in its own browser context (own cookies: one person per context),
    on a 1366×768 office screen unless `phone=True`."""
    contexts = []

    def make(*, phone: bool = False) -> Page:
        viewport = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 768}
        context = browser.new_context(
            base_url=server.url,
            viewport=viewport,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, username: str) -> Page:
    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    return page


@pytest.fixture
def officer(new_page) -> Callable[[str], Page]:
    """`officer("tiepnhan.tinh")` → a page signed in as that demo account."""

    def make(username: str, *, phone: bool = False) -> Page:
        return sign_in(new_page(phone=phone), username)

    return make
