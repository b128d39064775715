"""The national-portal simulator as a pytest fixture: a real subprocess, real HTTP.

Import it into a package's conftest:

    from tests.national_portal import national_portal, national_portal_process  # noqa: F401

`national_portal` (per test) resets the simulator, points `settings.MOTCUA_INTEGRATIONS["dvcqg"]`
at it and forgets built adapters (`registry.reset()`) before and after the test, so
`registry.get("dvcqg")` is an adapter talking to it. The protocol generation is "rest" unless the
test parametrizes it indirectly:

    @pytest.mark.parametrize("national_portal", ["rest", "service"], indirect=True)
    def test_…(national_portal): ...

The simulator process (`manage.py national_portal_sim` with the venv's python) starts once per
module on a free port; `restart()` kills it (SIGKILL: a crash) and starts it again on the same port
— the portal's stored data survive, as a real portal's database would (`keep_state=False` to lose
them); `stop()` / `start()` leave it down in between.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from motcua.integrations import registry

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "motcua-demo"
CLIENT_SECRET = "motcua-demo-secret"
PROVINCE_CODE = "000.00.00.H19"  # the demo province (UBND tỉnh Đồng Nai), its MaDinhDanh
STARTUP_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


class NationalPortalSimulator:
    """One simulator subprocess and the handle tests drive it with."""

    def __init__(self, port: int | None = None, extra_args: list[str] | None = None):
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_args = list(extra_args or [])
        self.protocol = "rest"
        self.process: subprocess.Popen | None = None
        self.output = ""  # what the last process printed, read once it has ended
        self._log = None
        self._stash: dict[str, Any] | None = None
        self.http = httpx.Client(base_url=self.url, timeout=30.0)

    # --- the process ---------------------------------------------------------------------------
    def start(self) -> None:
        if self.process and self.process.poll() is None:
            return
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "motcua.settings_demo"),
        }
        env.setdefault("PYTHONUNBUFFERED", "1")
        command = [_python(), "manage.py", "national_portal_sim", "--port", str(self.port), *self.extra_args]
        # A file, not a pipe: nobody reads a pipe while the tests run, and a full one would block
        # the simulator in the middle of an answer.
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 — closed in kill/close
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if self.process.poll() is not None:
                self._collect_output()
                raise RuntimeError(f"Cổng DVCQG giả lập không khởi động được:\n{self.output}")
            try:
                if self.http.get("/_sim/state", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("Cổng DVCQG giả lập không sẵn sàng sau 30 giây")
            time.sleep(0.05)
        if self._stash is not None:
            self._post("/_sim/load", self._stash)
            self._stash = None

    def stop(self, *, keep_state: bool = True) -> None:
        """Kill the process (SIGKILL, no goodbye); with keep_state, what it stored comes back at start()."""
        if keep_state and self.process and self.process.poll() is None:
            self._stash = self._get("/_sim/dump")
        self.kill()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self._collect_output()
        self.http.close()  # pooled connections to the dead process must not be reused
        self.http = httpx.Client(base_url=self.url, timeout=30.0)

    def restart(self, *, keep_state: bool = True) -> None:
        """A portal crash: the process dies at once, connections drop, then it comes back."""
        self.stop(keep_state=keep_state)
        self.start()

    def close(self) -> None:
        self._stash = None
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._collect_output()
        self.http.close()

    def _collect_output(self) -> None:
        if self._log is not None and not self._log.closed:
            self._log.seek(0)
            self.output = self._log.read()
            self._log.close()

    # --- control -------------------------------------------------------------------------------
    def _get(self, path: str) -> Any:
        response = self.http.get(path)
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: Any) -> Any:
        response = self.http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def control(self, **switches: Any) -> dict[str, Any]:
        """outage, delay_ms, error_rate, lost_ack_rate, refuse_codes, session_ttl, expire_sessions."""
        return self._post("/_sim/control", switches)["switches"]

    def state(self) -> dict[str, Any]:
        return self._get("/_sim/state")

    def reset(self) -> None:
        self._post("/_sim/reset", {})

    def add_procedures(self, procedures: list[dict[str, Any]], *, replace: bool = False, remove=()) -> int:
        return self._post(
            "/_sim/procedures", {"procedures": procedures, "replace": replace, "remove": list(remove)}
        )["procedures"]

    def offer_forwarded(self, dossiers: list[dict[str, Any]]) -> int:
        return self._post("/_sim/forwarded", dossiers)["forwarded"]

    def push(
        self, url: str, partner: str, key: str, dossiers: list[dict[str, Any]], repeat: int = 1, **extra: Any
    ) -> list[dict[str, Any]]:
        """The simulator POSTs each dossier to `url` (headers `X-Partner`, `Authorization: Bearer
        <key>`); the province's answers: [{"MaHoSo", "status", "body"}]."""
        body = {"url": url, "partner": partner, "key": key, "dossiers": dossiers, "repeat": repeat, **extra}
        return self._post("/_sim/push", body)["responses"]

    def conf(self, protocol: str | None = None) -> dict[str, Any]:
        return {
            "adapter": protocol or self.protocol,
            "base_url": self.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "province_code": PROVINCE_CODE,
            "timeout": 5.0,
        }

    def adapter(self):
        """The configured adapter, as the code under test gets it."""
        return registry.get("dvcqg")


@pytest.fixture(scope="module")
def national_portal_process():
    simulator = NationalPortalSimulator()
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.close()


@pytest.fixture
def national_portal(request, national_portal_process, settings):
    simulator = national_portal_process
    simulator.start()  # a previous test may have left it stopped
    simulator.protocol = getattr(request, "param", "rest")
    simulator.reset()
    settings.MOTCUA_INTEGRATIONS = {
        **getattr(settings, "MOTCUA_INTEGRATIONS", {}),
        "dvcqg": simulator.conf(),
    }
    registry.reset()
    try:
        yield simulator
    finally:
        registry.reset()
