"""`manage.py make_test_ca`: the TEST certificate authority of the demo and the tests, and one
organisation certificate (the seal) per unit that issues results; safe to run again."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from motcua.integrations.signing.testca import (
    CA_CERT_FILE,
    CA_NAME,
    TEST_PASSPHRASE,
    ensure_test_ca,
    ensure_unit_certificate,
    valid_unit_code,
)
from motcua.org.models import Unit, UnitKind

# The units that sign in their own name: those that decide and issue results (NĐ 118/2025: the
# competent agency) and the Public Administration Service Centres, which certify the scans of the
# papers they receive (TT 01/2023/TT-VPCP); divisions act for their department, and the districts
# ended on 01/7/2025.
ISSUING_KINDS = (
    UnitKind.SERVICE_CENTRE,
    UnitKind.PEOPLES_COMMITTEE,
    UnitKind.PROVINCIAL_OFFICE,
    UnitKind.DEPARTMENT,
    UnitKind.OTHER_BODY,
    UnitKind.COMMUNE,
)


def issuing_units(codes: list[str] | None = None):
    today = timezone.localdate()
    units = Unit.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    if codes:
        return units.filter(code__in=codes).order_by("code")
    return units.filter(kind__in=ISSUING_KINDS).order_by("code")


class Command(BaseCommand):
    help = (
        f"Tạo CA THỬ NGHIỆM “{CA_NAME}” và chứng thư số tổ chức (con dấu số) cho mỗi đơn vị ban hành "
        "kết quả, trong thư mục khóa ký (MOTCUA_SIGNING_KEYS_DIR). Chỉ dùng cho dữ liệu mẫu và kiểm thử; "
        "chạy lại nhiều lần không tạo lại khóa đã có."
    )
    # It makes what the checks would miss (the test CA): it must run before they are satisfied.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", default="", help="Thư mục khóa ký (mặc định: MOTCUA_SIGNING_KEYS_DIR, var/signing)."
        )
        parser.add_argument(
            "--unit",
            action="append",
            default=[],
            help="Chỉ cấp cho đơn vị có mã này (lặp lại được); mặc định mọi đơn vị ban hành kết quả.",
        )
        parser.add_argument(
            "--passphrase", default=TEST_PASSPHRASE, help="Mật khẩu các tệp .p12 (mặc định của bản thử)."
        )

    def handle(self, *args, **options):
        directory = options["dir"] or getattr(settings, "MOTCUA_SIGNING_KEYS_DIR", "")
        if not directory:
            raise CommandError("Chưa có thư mục khóa ký: dùng --dir hoặc đặt MOTCUA_SIGNING_KEYS_DIR.")
        bad = [code for code in options["unit"] if not valid_unit_code(code)]
        if bad:
            raise CommandError(f"Mã đơn vị không hợp lệ: {', '.join(bad)}.")
        directory = Path(directory)
        ca, created = ensure_test_ca(directory)
        self.stdout.write(
            f"{'Đã tạo' if created else 'Đã có'} CA THỬ NGHIỆM: {directory / CA_CERT_FILE} "
            "(không có giá trị pháp lý)."
        )
        made = kept = 0
        for unit in issuing_units(options["unit"]):
            _, fresh = ensure_unit_certificate(
                directory, ca, unit.code, unit.name, passphrase=options["passphrase"]
            )
            made, kept = made + fresh, kept + (not fresh)
            if fresh:
                self.stdout.write(f"  Con dấu số của {unit.name} ({unit.code}).")
        self.stdout.write(f"Chứng thư số đơn vị: {made} mới, {kept} đã có.")
