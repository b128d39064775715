"""What every simulator command does around its server: open the port (a clear error when it is
taken) and serve until Ctrl-C or SIGTERM (from a test fixture or `make run`), then close quietly."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def open_server(make: Callable[[], Any], host: str, port: int) -> Any:
    try:
        return make()
    except OSError as exc:
        raise CommandError(f"Không mở được cổng {host}:{port}: {exc}") from exc


def serve_until_stopped(command: BaseCommand, server: Any, *, started: list[str], stopped: str) -> None:
    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    for line in started:
        command.stdout.write(line)
    # The fixtures wait for the first line to know the port is open.
    sys.stdout.flush()
    command.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        command.stdout.write(stopped)
