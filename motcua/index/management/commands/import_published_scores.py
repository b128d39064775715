"""`manage.py import_published_scores TỆP.csv`: the national portal's published 766 scores, shown
beside ours on /bao-cao/ with the difference. Thin: motcua.index.services does the work."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.index.services import COLUMNS, import_published_scores


class Command(BaseCommand):
    help = f"Nhập điểm Bộ chỉ số 766 do Cổng DVCQG công bố từ tệp CSV (cột: {', '.join(COLUMNS)})."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Tệp CSV UTF-8")

    def handle(self, *args, path: str, **options):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from None
        try:
            report = import_published_scores(text)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if report.refused:
            raise CommandError("Không nhập gì. " + " ".join(report.refused))
        self.stdout.write(f"Đã nhập {report.saved} điểm do Cổng DVCQG công bố.")
