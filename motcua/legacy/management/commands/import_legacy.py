"""`manage.py import_legacy FILE [--format csv|json] [--source NAME] [--dry-run] [--user USERNAME]`:
dossiers of the old one-stop software into ours, keeping their codes, dates and history (R-09).
The mapping is in docs/legacy-import.md; exits 1 when any row was refused, 2 when the file was."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from motcua.legacy.readers import LegacyFileError
from motcua.legacy.services import DEFAULT_SOURCE, import_legacy


class Command(BaseCommand):
    help = (
        "Nhập hồ sơ từ phần mềm một cửa cũ (tệp CSV hoặc JSON), giữ nguyên mã hồ sơ, các mốc thời gian và "
        "quá trình xử lý (R-09). Hồ sơ đã có được bỏ qua; dòng lỗi được báo kèm số dòng."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp xuất từ phần mềm cũ (.csv hoặc .json).")
        parser.add_argument(
            "--format", choices=["csv", "json"], help="Định dạng tệp (mặc định: theo phần mở rộng của tệp)."
        )
        parser.add_argument(
            "--source", default=DEFAULT_SOURCE, help="Tên hệ thống nguồn, ghi vào lịch sử hồ sơ."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ kiểm tra toàn bộ tệp, không ghi gì vào cơ sở dữ liệu."
        )
        parser.add_argument("--user", help="Tên đăng nhập của người thực hiện (ghi vào lô nhập và lịch sử).")

    def handle(self, *args, file, format=None, source=DEFAULT_SOURCE, dry_run=False, user=None, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản “{user}”.")
        try:
            report = import_legacy(file, fmt=format, source=source, actor=actor, dry_run=dry_run)
        except LegacyFileError as exc:
            self.stderr.write(f"Không nhập được tệp {file}: {exc.message}")
            raise SystemExit(2) from exc
        for line in report.lines():
            self.stdout.write(line)
        if report.failed:
            raise SystemExit(1)
