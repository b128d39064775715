"""`manage.py remote_signing_sim`: a stand-in remote-signing service (ký số từ xa) holding the
units' keys of the TEST CA. Thin: options → `signing.simulator.make_server` (documented there)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from motcua.integrations.management.serving import open_server, serve_until_stopped
from motcua.integrations.signing import simulator
from motcua.integrations.signing.testca import TEST_PASSPHRASE


class Command(BaseCommand):
    help = (
        "Chạy dịch vụ ký số từ xa giả lập (khóa của các đơn vị do CA THỬ NGHIỆM cấp, "
        "không có giá trị pháp lý): credentials/info và signatures/signHash."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8768, help="Cổng lắng nghe (mặc định 8768).")
        parser.add_argument("--host", default="127.0.0.1", help="Địa chỉ lắng nghe.")
        parser.add_argument(
            "--keys-dir",
            default="",
            help="Thư mục khóa của các đơn vị (<mã đơn vị>.p12); mặc định MOTCUA_SIGNING_KEYS_DIR.",
        )
        parser.add_argument("--token", default="motcua-signing-secret", help="Mã truy cập (Bearer).")
        parser.add_argument("--passphrase", default=TEST_PASSPHRASE, help="Mật khẩu các tệp .p12.")
        parser.add_argument("--verbose", action="store_true", help="In từng yêu cầu nhận được.")

    def handle(self, *args, **options):
        keys_dir = Path(options["keys_dir"] or getattr(settings, "MOTCUA_SIGNING_KEYS_DIR", "") or ".")
        server = open_server(
            lambda: simulator.make_server(
                host=options["host"],
                port=options["port"],
                keys_dir=keys_dir,
                token=options["token"],
                passphrase=options["passphrase"],
                verbose=options["verbose"],
            ),
            options["host"],
            options["port"],
        )
        serve_until_stopped(
            self,
            server,
            started=[f"Dịch vụ ký số từ xa giả lập: {server.base_url} (khóa trong {keys_dir})"],
            stopped="Đã dừng dịch vụ ký số từ xa giả lập.",
        )
