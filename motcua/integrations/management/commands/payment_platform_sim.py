"""`manage.py payment_platform_sim`: a stand-in payment platform (PayGov, R-29) for the demo and
the tests. Thin: options → `paygov.simulator.make_server`; the behaviour is documented there."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from motcua.integrations.management.serving import open_server, serve_until_stopped
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
        server = open_server(
            lambda: simulator.make_server(
                host=options["host"],
                port=options["port"],
                partner=options["partner"],
                secret=options["secret"],
                verbose=options["verbose"],
            ),
            options["host"],
            options["port"],
        )
        serve_until_stopped(
            self,
            server,
            started=[f"Nền tảng thanh toán giả lập: {server.base_url} (đối tác {options['partner']})"],
            stopped="Đã dừng nền tảng thanh toán giả lập.",
        )
