"""`manage.py export_archive CODE --out goi.zip`: write a dossier's archive package (TT 13/2023),
verified against what was recorded when it was archived. A finished dossier not archived yet is
archived first."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.archive.services import archive_dossier, write_package
from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier


class Command(BaseCommand):
    help = "Xuất gói hồ sơ lưu trữ điện tử của một hồ sơ (tệp .zip kiểm tra được khi không có mạng)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Mã hồ sơ.")
        parser.add_argument("--out", required=True, help="Tệp .zip sẽ ghi ra.")

    def handle(self, *args, **options):
        code, out = options["code"], Path(options["out"])
        dossier = Dossier.objects.filter(code=code).first()
        if dossier is None:
            raise CommandError(f"Không có hồ sơ mã {code}.")
        try:
            record = archive_dossier(dossier)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        try:
            fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".archive-", suffix=".tmp")
        except OSError as exc:
            raise CommandError(f"Không ghi được vào thư mục {out.parent}: {exc.strerror}.") from exc
        try:
            with os.fdopen(fd, "wb") as sink:
                write_package(record, sink)
            os.replace(tmp, out)  # never a half-written package under the chosen name
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.stdout.write(
            f"Đã ghi gói lưu trữ hồ sơ {code} vào {out} ({record.file_count + 2} tệp; "
            f"SHA-256 của manifest.json: {record.manifest_sha256})."
        )
