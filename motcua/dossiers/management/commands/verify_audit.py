"""Check the hash chain of every dossier's event log (DESIGN.md: the log is tamper-evident)."""

from django.core.management.base import BaseCommand

from motcua.dossiers.audit import verify_chain
from motcua.dossiers.models import Dossier


class Command(BaseCommand):
    help = "Kiểm tra nhật ký hồ sơ: phát hiện sự kiện bị sửa, bị xóa hoặc bị chèn thêm."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="Mã hồ sơ cần kiểm tra (mặc định: tất cả).")

    def handle(self, *args, codes=(), **options):
        dossiers = Dossier.objects.filter(code__in=codes) if codes else Dossier.objects.all()
        if codes:
            missing = sorted(set(codes) - set(dossiers.values_list("code", flat=True)))
            for code in missing:
                self.stderr.write(f"Không tìm thấy hồ sơ {code}.")
            if missing:
                raise SystemExit(2)
        checked = dossiers.count()
        findings = list(verify_chain(dossiers))
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
