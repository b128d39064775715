"""`manage.py payment_platform_sim`: a stand-in payment platform (PayGov, R-29) for the demo and
the tests. Thin: options → `paygov.simulator.make_server`; the behaviour is documented there."""

from __future__ import annotations

import signal
import sys

from django.core.management.base import BaseCommand, CommandError

from motcua.integrations.paygov import simulator


class Command(BaseCommand):
    help = (
        "Chạy nền tảng thanh toán (PayGov) giả lập: INIT, QUERY, GET_BILL, trang thanh toán và "
        "gọi lại xác nhận. Điều khiển qua /_control, trạng thái ở /_state."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8767, help="Cổng lắng nghe (mặc định 8767).")
        parser.add_argument("--host", default="127.0.0.1", help="Địa chỉ lắng nghe.")
        parser.add_argument("--partner", default="MOTCUA-DEMO", help="Mã đối tác (MaDoiTac) hợp lệ.")
        parser.add_argument("--secret", default="motcua-paygov-secret", help="Khóa bí mật dùng chung.")
        parser.add_argument("--verbose", action="store_true", help="In từng yêu cầu nhận được.")

    def handle(self, *args, **options):
        try:
            server = simulator.make_server(
                host=options["host"],
                port=options["port"],
                partner=options["partner"],
                secret=options["secret"],
                verbose=options["verbose"],
            )
        except OSError as exc:
            raise CommandError(f"Không mở được cổng {options['host']}:{options['port']}: {exc}") from exc

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Nền tảng thanh toán giả lập: {server.base_url} (đối tác {options['partner']})")
        sys.stdout.flush()
        self.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            self.stdout.write("Đã dừng nền tảng thanh toán giả lập.")
