"""`manage.py national_portal_sim`: a stand-in national portal (Cổng DVCQG) for the demo and the tests.

Thin: options → `simulator.make_server`; the behaviour is documented in `dvcqg/simulator.py`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.integrations.dvcqg import simulator
from motcua.integrations.management.serving import open_server, serve_until_stopped


class Command(BaseCommand):
    help = (
        "Chạy Cổng Dịch vụ công quốc gia giả lập (cả hai thế hệ giao thức: REST qua LGSP/NGSP và "
        "adapter kiểu service cũ), trạng thái giữ trong bộ nhớ. Điều khiển qua /_sim/control."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=8765, help="Cổng lắng nghe (mặc định 8765; 0 = tự chọn)."
        )
        parser.add_argument("--host", default="127.0.0.1", help="Địa chỉ lắng nghe (mặc định 127.0.0.1).")
        parser.add_argument(
            "--protocol",
            choices=["rest", "service", "both"],
            default="both",
            help="Thế hệ giao thức phục vụ: rest, service hoặc both (mặc định both).",
        )
        parser.add_argument(
            "--catalog",
            default=None,
            help="Thư mục các tệp JSON gói tin LayThuTuc để phục vụ (mặc định: dữ liệu mẫu kèm theo).",
        )
        parser.add_argument(
            "--base-catalog",
            default=None,
            help="Tệp danh mục phục vụ bên dưới các gói tin của --catalog (ví dụ danh mục của tỉnh mẫu "
            "motcua/demo/data/procedures.json, bỏ khối cấu hình MOTCUA của tỉnh).",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Hạt giống ngẫu nhiên (lỗi, mất phản hồi)."
        )
        parser.add_argument("--client-id", default="motcua-demo", help="Mã ứng dụng / tên đăng nhập hợp lệ.")
        parser.add_argument(
            "--client-secret", default="motcua-demo-secret", help="Khóa ứng dụng / mật khẩu hợp lệ."
        )
        parser.add_argument("--outage", action="store_true", help="Bắt đầu ở trạng thái ngừng dịch vụ (503).")
        parser.add_argument("--delay-ms", type=int, default=0, help="Độ trễ mỗi lời gọi, mili giây.")
        parser.add_argument("--error-rate", type=float, default=0.0, help="Tỉ lệ lỗi 500 ngẫu nhiên (0..1).")
        parser.add_argument(
            "--lost-ack-rate",
            type=float,
            default=0.0,
            help="Tỉ lệ đã ghi nhận nhưng mất phản hồi (504), 0..1.",
        )
        parser.add_argument("--verbose", action="store_true", help="In từng yêu cầu nhận được.")

    def handle(self, *args, **options):
        for name in ("error_rate", "lost_ack_rate"):
            if not 0 <= options[name] <= 1:
                raise CommandError(f"--{name.replace('_', '-')} phải nằm trong khoảng 0..1.")
        try:
            catalog = simulator.load_catalog(options["catalog"], options["base_catalog"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được danh mục thủ tục: {exc}") from exc
        server = open_server(
            lambda: simulator.make_server(
                host=options["host"],
                port=options["port"],
                protocol=options["protocol"],
                catalog=catalog,
                seed=options["seed"],
                switches={
                    "outage": options["outage"],
                    "delay_ms": options["delay_ms"],
                    "error_rate": options["error_rate"],
                    "lost_ack_rate": options["lost_ack_rate"],
                },
                client_id=options["client_id"],
                client_secret=options["client_secret"],
                verbose=options["verbose"],
            ),
            options["host"],
            options["port"],
        )
        label = "rest+service" if options["protocol"] == "both" else options["protocol"]
        serve_until_stopped(
            self,
            server,
            started=[
                f"Cổng DVCQG giả lập: {server.base_url} ({label})",
                f"Danh mục: {len(catalog)} thủ tục; tài khoản {options['client_id']}.",
            ],
            stopped="Đã dừng cổng DVCQG giả lập.",
        )
