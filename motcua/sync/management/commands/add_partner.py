"""Register a system allowed to push forwarded dossiers (`POST /api/v1/national/dossiers`)."""

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.sync.partners import create_partner


class Command(BaseCommand):
    help = (
        "Tạo đối tác kết nối được chuyển hồ sơ về tỉnh qua API (Cổng DVCQG qua LGSP, hệ thống của bộ, "
        "ngành). Khoá chỉ hiện một lần, hãy lưu lại ngay."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="Mã đối tác (chữ thường không dấu, số, “-”, “_”), ví dụ dvcqg")
        parser.add_argument("name", help="Tên đối tác, ví dụ “Cổng Dịch vụ công quốc gia”")
        parser.add_argument(
            "--unit",
            dest="units",
            nargs="+",
            required=True,
            metavar="UNITCODE",
            help="Mã định danh các đơn vị đối tác được chuyển hồ sơ đến (gồm cả đơn vị cấp dưới).",
        )

    def handle(self, *args, code, name, units, **options):
        try:
            made = create_partner(code, name, unit_codes=units)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Đã tạo đối tác “{made.partner.name}” ({made.partner.code}).")
        self.stdout.write(f"Khoá (chỉ hiện một lần): {made.key}")
        self.stdout.write(f"Gửi kèm mỗi yêu cầu tiêu đề: Authorization: Partner {made.credentials}")
