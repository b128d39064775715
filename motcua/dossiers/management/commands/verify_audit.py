"""Check every dossier's event log: its HMAC chain, and the chain heads signed in the latest digest
(DESIGN.md: the log is tamper-evident; issue 8 item 7)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from motcua.dossiers.audit import DigestError, latest_digest, read_digest, verify_chain
from motcua.dossiers.models import Dossier


class Command(BaseCommand):
    help = (
        "Kiểm tra nhật ký hồ sơ: phát hiện sự kiện bị sửa, bị xóa hoặc bị chèn thêm, và so với bản tóm "
        "lược đã ký gần nhất để phát hiện sự kiện cuối hoặc cả hồ sơ bị xóa."
    )

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="Mã hồ sơ cần kiểm tra (mặc định: tất cả).")
        parser.add_argument(
            "--digest",
            type=Path,
            help="Tệp bản tóm lược để so (mặc định: tệp mới nhất trong MOTCUA_AUDIT_DIGEST_DIR).",
        )
        parser.add_argument(
            "--no-digest", action="store_true", help="Chỉ kiểm tra chuỗi, không so với bản tóm lược."
        )

    def handle(self, *args, codes=(), digest=None, no_digest=False, **options):
        dossiers = Dossier.objects.filter(code__in=codes) if codes else Dossier.objects.all()
        if codes:
            missing = sorted(set(codes) - set(dossiers.values_list("code", flat=True)))
            for code in missing:
                self.stderr.write(f"Không tìm thấy hồ sơ {code}.")
            if missing:
                raise SystemExit(2)
        signed = None
        if not no_digest:
            path = digest or latest_digest()
            if path is None:
                self.stdout.write(
                    "Chưa có bản tóm lược nhật ký (export_audit_digest): chỉ kiểm tra chuỗi sự kiện."
                )
            else:
                try:
                    signed = read_digest(path)
                except FileNotFoundError as exc:
                    self.stderr.write(str(exc))
                    raise SystemExit(2) from exc
                except DigestError as exc:
                    self.stdout.write(f"PHÁT HIỆN SAI LỆCH: {exc}")
                    raise SystemExit(1) from exc
                self.stdout.write(
                    f"So với bản tóm lược {path} (ngày {signed.date}, {signed.dossier_count} hồ sơ, "
                    f"{signed.event_count} sự kiện): chữ ký hợp lệ."
                )
        checked = dossiers.count()
        findings = list(verify_chain(dossiers if codes else None, digest=signed))
        for finding in findings:
            self.stdout.write(f"Hồ sơ {finding.dossier}: {finding.message}.")
        if findings:
            affected = len({f.dossier for f in findings})
            self.stdout.write(
                f"PHÁT HIỆN SAI LỆCH: {len(findings)} lỗi ở {affected}/{checked} hồ sơ; "
                "nhật ký đã bị can thiệp ngoài hệ thống."
            )
            raise SystemExit(1)
        self.stdout.write(f"Nhật ký toàn vẹn: đã kiểm tra {checked} hồ sơ, không có sai lệch.")
