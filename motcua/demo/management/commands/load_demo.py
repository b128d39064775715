"""`manage.py load_demo`: the demo province (Tỉnh Đồng Nai after the 2025 reform); safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from motcua.demo.loader import DemoDataError, load_demo


class Command(BaseCommand):
    help = (
        'Nạp dữ liệu mẫu tỉnh Đồng Nai sau sắp xếp năm 2025: đơn vị, quầy, tài khoản (mật khẩu "demo"), '
        "thủ tục, đầu mối tiếp nhận và quy trình. Chạy lại nhiều lần không tạo trùng."
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
