"""Verify again the digital signatures of every stored PDF (after changing the trust roots)."""

from django.core.management.base import BaseCommand

from motcua.documents.services import recheck_signatures


class Command(BaseCommand):
    help = "Kiểm tra lại chữ ký số của mọi tệp PDF đã lưu theo MOTCUA_SIGNATURE_TRUST_ROOTS hiện tại."

    def handle(self, *args, **options):
        counts = recheck_signatures()
        summary = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())) or "không có tệp PDF"
        self.stdout.write(f"Đã kiểm tra lại chữ ký số — {summary}.")
