"""A peer's simulator (a `manage.py` command) as a real subprocess on a free port, for the fixtures
that drive one over real HTTP: `tests/national_portal.py` (Cổng DVCQG), `tests/payments/paygov.py`
(the payment platform), `tests/object_store.py` (an S3-compatible object store, moto's server).

A subclass names the command, the path that answers 200 once the simulator serves, and how errors
call it; `start()` runs `<venv python> manage.py <command> --port <port> <args>` and waits for that
answer, `kill()` ends it at once (SIGKILL: a crash; it may be started again on the same port),
`close()` asks it to stop (SIGTERM) and closes the client; `with Simulator() as s:` starts and
closes it around a module's tests. `output` is what the last process printed, read once it has
ended.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Self

import httpx

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


class SimulatorProcess:
    command: str  # the management command
    ready_path: str  # answers 200 once the simulator serves
    name: str  # how errors call it

    def __init__(self, port: int | None = None, args: Sequence[str] = ()) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = list(args)
        self.process: subprocess.Popen | None = None
        self.output = ""
        self._log: IO[str] | None = None
        self.http = httpx.Client(base_url=self.url, timeout=30.0)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        if self.process and self.process.poll() is None:
            return
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "motcua.settings_demo"),
        }
        env.setdefault("PYTHONUNBUFFERED", "1")
        command = self.argv()
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
                raise RuntimeError(f"{self.name} không khởi động được:\n{self.output}")
            try:
                if self.http.get(self.ready_path, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"{self.name} không sẵn sàng sau {STARTUP_TIMEOUT:.0f} giây")
            time.sleep(0.05)

    def argv(self) -> list[str]:
        """The command line; a peer that is not one of our management commands (the S3-compatible
        object store, `tests/object_store.py`) gives its own."""
        return [python(), "manage.py", self.command, "--port", str(self.port), *self.args]

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self._collect_output()
        self.http.close()  # pooled connections to the dead process must not be reused
        self.http = httpx.Client(base_url=self.url, timeout=30.0)

    def close(self) -> None:
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

    def _get(self, path: str) -> Any:
        response = self.http.get(path)
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: Any) -> Any:
        response = self.http.post(path, json=body)
        response.raise_for_status()
        return response.json()
