"""`manage.py send_notifications`: the loop that sends the applicants' e-mails and SMS (issue 11).

Thin: `delivery.drain` in a loop, asking again every `--idle` seconds when nothing is due; `--once`
sends what is due and stops. Messages are leased, so several loops (and the task worker) may run at
once. SIGTERM or Ctrl-C: the current round finishes and marks what it sent, then the loop exits.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from motcua.notifications import delivery


class Command(BaseCommand):
    help = "Gửi thông báo (thư điện tử, SMS) cho người nộp hồ sơ: chạy liên tục, hoặc một lần với --once."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Gửi hết những gì đang đến lượt rồi dừng.")
        parser.add_argument("--batch-size", type=int, default=None, help="Số thông báo mỗi lượt (50).")
        parser.add_argument(
            "--idle", type=float, default=2.0, help="Khi không có gì để gửi: chờ bao nhiêu giây (2)."
        )

    def handle(self, *args, **options):
        if options["batch_size"] is not None and options["batch_size"] < 1:
            raise CommandError("--batch-size phải lớn hơn 0.")
        worker_id = delivery.default_worker_id()
        if options["once"]:
            r = delivery.drain(worker_id=worker_id, batch_size=options["batch_size"])
            self.stdout.write(self._summary(r))
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        total = delivery.DrainResult()
        while not stop.is_set():
            close_old_connections()
            r = delivery.drain(worker_id=worker_id, batch_size=options["batch_size"], max_seconds=30)
            total.rounds += r.rounds
            total.sent += r.sent
            total.retried += r.retried
            total.dead += r.dead
            if r.sent == 0:
                stop.wait(options["idle"])
        self.stdout.write(self._summary(total))

    @staticmethod
    def _summary(r: delivery.DrainResult) -> str:
        return f"Đã gửi {r.sent} thông báo; chờ gửi lại: {r.retried}; không gửi được: {r.dead}."
