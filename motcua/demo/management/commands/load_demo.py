"""`manage.py load_demo`: the demo province (Tỉnh Đồng Nai after the 2025 reform); safe to run again."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.demo.dossiers import load_demo_dossiers
from motcua.demo.loader import DemoDataError, load_demo


class Command(BaseCommand):
    help = (
        'Nạp dữ liệu mẫu tỉnh Đồng Nai sau sắp xếp năm 2025: đơn vị, quầy, tài khoản (mật khẩu "demo"), '
        "thủ tục, đầu mối tiếp nhận, quy trình và hồ sơ mẫu ở mọi trạng thái. "
        "Chạy lại nhiều lần không tạo trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-dossiers", action="store_true", help="Chỉ nạp cấu hình, không tạo hồ sơ mẫu."
        )
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="Địa chỉ máy chủ sẽ phục vụ, để in hướng dẫn (mặc định http://127.0.0.1:8000).",
        )

    def handle(self, *args, **options):
        try:
            summary = load_demo()
        except DemoDataError as exc:
            raise CommandError(f"Không nạp được dữ liệu mẫu: {exc}") from exc
        for warning in summary.warnings:
            self.stdout.write(self.style.WARNING(f"Cảnh báo — {warning}"))
        for line in summary.lines():
            self.stdout.write(line)
        if getattr(settings, "MOTCUA_TRUST_TEST_CA", False) and settings.MOTCUA_SIGNING_KEYS_DIR:
            # The demo's units seal their electronic results (NĐ 45/2020 Điều 14) with keys of the
            # TEST CA, made before the sample dossiers so that their results are sealed too.
            call_command("make_test_ca", stdout=self.stdout)
        if not options["no_dossiers"]:
            try:
                dossiers = load_demo_dossiers()
            except DomainError as exc:
                raise CommandError(
                    f"Không tạo được hồ sơ mẫu: {exc.message} ({exc.rule or exc.code})"
                ) from exc
            for line in dossiers.lines():
                self.stdout.write(line)
        self._where_to_go(options["url"].rstrip("/"))

    def _where_to_go(self, url: str) -> None:
        password_login = getattr(settings, "PASSWORD_LOGIN_ENABLED", False)
        lines = [
            "",
            "Bắt đầu ở đâu:",
            f"  Cổng dịch vụ công, tra cứu hồ sơ:   {url}/",
            f"  Một cửa điện tử (cán bộ):           {url}/can-bo/",
            f"  Quản trị danh mục, đơn vị, lịch:    {url}/admin/",
            f"  API (ví dụ danh mục thủ tục):       {url}/api/v1/procedures  ·  OpenAPI: {url}/api/schema/",
        ]
        if password_login:
            lines += [
                'Tài khoản thử (mật khẩu chung "demo"):',
                "  tiepnhan.tinh        — cán bộ tiếp nhận, Quầy 1 Trung tâm Phục vụ hành chính công tỉnh",
                "  chuyenvien.sotuphap  — chuyên viên thụ lý, Sở Tư pháp",
                "  lanhdao.sotuphap     — lãnh đạo Sở Tư pháp (duyệt rút hồ sơ, dừng xử lý)",
                "  quantri              — quản trị hệ thống (/admin/)",
            ]
        else:
            lines.append(
                "Đăng nhập bằng mật khẩu đang tắt (MOTCUA_PASSWORD_LOGIN=0): tài khoản mẫu không dùng được."
            )
        for line in lines:
            self.stdout.write(line)
