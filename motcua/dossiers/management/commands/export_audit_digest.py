"""Write the signed digest of every dossier's chain head (issue 8 item 7); run it daily (cron or a
systemd timer, see the README) and copy the files away from the database server."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.audit import DigestError, export_digest, read_digest


class Command(BaseCommand):
    help = (
        "Ghi bản tóm lược nhật ký đã ký (mã, phiên bản, mã băm cuối của mọi hồ sơ) để verify_audit "
        "phát hiện sự kiện cuối hoặc cả hồ sơ bị xóa."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Thư mục ghi tệp (mặc định: MOTCUA_AUDIT_DIGEST_DIR).")

    def handle(self, *args, dir=None, **options):
        try:
            path = export_digest(dir)
        except (DigestError, OSError) as exc:
            raise CommandError(f"Không ghi được bản tóm lược nhật ký: {exc}") from exc
        digest = read_digest(path)
        self.stdout.write(
            f"Đã ghi bản tóm lược nhật ký {path}: {digest.dossier_count} hồ sơ, {digest.event_count} sự kiện."
        )
