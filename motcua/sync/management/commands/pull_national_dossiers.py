"""One pull of the dossiers the national portal forwards to the province (issue 9, item 4).
`manage.py sync_national --pull-every N` runs the same pull on a schedule."""

from django.core.management.base import BaseCommand, CommandError

from motcua.sync.inbound import pull_forwarded


class Command(BaseCommand):
    help = (
        "Lấy về các hồ sơ nộp trên Cổng Dịch vụ công quốc gia chuyển về tỉnh (một lần), tạo hồ sơ trực "
        "tuyến của đơn vị tiếp nhận; hồ sơ đã nhận không tạo lại."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=100, help="Số hồ sơ mỗi lần đọc từ Cổng DVCQG (mặc định 100)."
        )
        parser.add_argument(
            "--max-batches", type=int, default=20, help="Số lần đọc tối đa trong một lần chạy (mặc định 20)."
        )

    def handle(self, *args, limit=100, max_batches=20, **options):
        if limit < 1 or max_batches < 1:
            raise CommandError("--limit và --max-batches phải là số dương.")
        report = pull_forwarded(limit=limit, max_batches=max_batches)
        if not report.configured:
            raise CommandError("Chưa cấu hình kết nối Cổng DVCQG (MOTCUA_DVCQG_URL).")
        self.stdout.write(
            f"Đã đọc {report.received} hồ sơ ({report.batches} lượt): tạo mới {report.created}, "
            f"đã nhận trước đó {report.duplicates}, từ chối {report.refused}."
        )
        for national_id, reason in report.refusals:
            self.stdout.write(f"  Từ chối {national_id}: {reason}")
        self.stdout.write(f"Vị trí đọc tiếp theo: {report.cursor or '(đầu danh sách)'}")
        if report.unavailable:
            self.stderr.write(
                f"Dừng giữa chừng, vị trí đọc giữ nguyên để lần sau đọc lại: {report.unavailable}"
            )
            raise SystemExit(1)
