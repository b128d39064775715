"""`manage.py sync_national`: the relay loop that delivers the outbox to the Cổng DVCQG (R-22).

Thin: options → `delivery.deliver_ready` / `delivery.drain` in N threads (each its own database
connection; claims are leased, so the threads — and other processes — never send the same message
at the same time). Idle, each thread asks again every `--idle` seconds (0.2). SIGTERM or Ctrl-C:
each thread finishes its round, marks what was acknowledged, and the command exits. Every
`--pull-every` seconds it also fetches the dossiers the portal forwarded to the province
(`motcua.sync.inbound.pull_forwarded`), when that module is installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from motcua.integrations import registry
from motcua.sync import delivery

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Gửi hàng đợi đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia (chạy liên tục, hoặc một lần với --once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Gửi hết những gì đang sẵn sàng rồi dừng.")
        parser.add_argument("--workers", type=int, default=1, help="Số luồng gửi song song (mặc định 1).")
        parser.add_argument(
            "--pull-every",
            type=float,
            default=0,
            help="Cứ bao nhiêu giây lấy hồ sơ Cổng DVCQG chuyển về (0 = không lấy).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=None, help="Số hồ sơ tối đa mỗi lượt (mặc định 200)."
        )
        parser.add_argument(
            "--chunk", type=int, default=None, help="Số dòng tiến độ mỗi lời gọi (mặc định 10)."
        )
        parser.add_argument(
            "--lease",
            type=float,
            default=None,
            help="Thời hạn giữ bản tin của một luồng, giây (mặc định 3 × thời gian chờ, tối thiểu 30).",
        )
        parser.add_argument(
            "--idle", type=float, default=0.2, help="Khi không có gì để gửi: chờ bao nhiêu giây (0,2)."
        )

    def handle(self, *args, **options):
        if registry.get("dvcqg") is None:
            raise CommandError(
                "Chưa cấu hình kết nối Cổng DVCQG (MOTCUA_DVCQG_URL); hàng đợi vẫn được giữ nguyên."
            )
        workers = options["workers"]
        if workers < 1 or workers > 64:
            raise CommandError("--workers phải từ 1 đến 64.")
        base = delivery.default_worker_id()
        params = {
            "batch_size": options["batch_size"],
            "lease": options["lease"],
            "progress_chunk": options["chunk"],
        }
        if options["once"]:
            self._once(base, workers, params)
            return
        self._loop(base, workers, params, options["idle"], options["pull_every"])

    # --- --once ------------------------------------------------------------------------------------
    def _once(self, base: str, workers: int, params: dict) -> None:
        results: list[delivery.DrainResult] = []
        lock = threading.Lock()

        def run(n: int) -> None:
            try:
                r = delivery.drain(worker_id=f"{base}/{n}", **params)
                with lock:
                    results.append(r)
            finally:
                connections.close_all()

        began = time.monotonic()
        if workers == 1:  # in this thread (and its connection)
            results.append(delivery.drain(worker_id=f"{base}/0", **params))
        else:
            threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        seconds = time.monotonic() - began
        delivered = sum(r.delivered for r in results)
        self.stdout.write(
            f"Đã gửi {delivered} bản tin lên Cổng DVCQG trong {seconds:.1f} giây "
            f"({sum(r.calls for r in results)} lời gọi); "
            f"chờ gửi lại: {sum(r.retried for r in results)}; "
            f"chuyển vào danh sách lỗi: {sum(r.dead for r in results)}; "
            f"còn trong hàng đợi: {delivery.pending_count()}."
        )

    # --- the relay loop ----------------------------------------------------------------------------
    def _loop(self, base: str, workers: int, params: dict, idle: float, pull_every: float) -> None:
        stop = threading.Event()
        totals = delivery.DrainResult()
        lock = threading.Lock()

        def work(n: int) -> None:
            worker_id = f"{base}/{n}"
            try:
                while not stop.is_set():
                    try:
                        r = delivery.deliver_ready(worker_id=worker_id, **params)
                    except Exception:  # the database went away for a moment: try again shortly
                        logger.exception("sync_national: lượt gửi lỗi")
                        connections.close_all()
                        stop.wait(1.0)
                        continue
                    with lock:
                        totals.add(r)
                    if r.idle or (r.delivered == 0 and r.dead == 0):
                        stop.wait(idle)
            finally:
                connections.close_all()

        def pull() -> None:
            if importlib.util.find_spec("motcua.sync.inbound") is None:
                self.stderr.write(
                    "Chưa có mô-đun nhận hồ sơ chuyển về (motcua.sync.inbound); bỏ qua --pull-every."
                )
                return
            inbound = importlib.import_module("motcua.sync.inbound")
            try:
                while not stop.wait(pull_every):
                    try:
                        inbound.pull_forwarded()
                    except Exception:
                        logger.exception("sync_national: lấy hồ sơ chuyển về lỗi")
                        connections.close_all()
            finally:
                connections.close_all()

        def ask_to_stop(signum, frame) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, ask_to_stop)
        signal.signal(signal.SIGINT, ask_to_stop)
        threads = [threading.Thread(target=work, args=(n,), name=f"sync-{n}") for n in range(workers)]
        if pull_every > 0:
            threads.append(threading.Thread(target=pull, name="sync-pull"))
        for t in threads:
            t.start()
        self.stdout.write(
            f"Đang đồng bộ với Cổng DVCQG ({workers} luồng); dừng bằng Ctrl-C hoặc SIGTERM.", ending="\n"
        )
        self.stdout.flush()
        while not stop.wait(0.5):
            pass
        for t in threads:
            t.join()
        self.stdout.write(
            f"Đã dừng. Đã gửi {totals.delivered} bản tin; chờ gửi lại: {totals.retried}; "
            f"chuyển vào danh sách lỗi: {totals.dead}; còn trong hàng đợi: {delivery.pending_count()}."
        )
