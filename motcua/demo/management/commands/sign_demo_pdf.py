"""Sign a PDF with a TEST-ONLY certificate of the demo CA, to try signed documents in the demo."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from motcua.demo.signing import demo_ca, sign_pdf, signer_for


class Command(BaseCommand):
    help = (
        "Ký số một tệp PDF bằng chứng thư THỬ NGHIỆM của CA mẫu (chỉ để dùng thử; không có giá trị pháp lý)."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path, help="Tệp PDF cần ký")
        parser.add_argument("output", type=Path, help="Tệp PDF đã ký")
        parser.add_argument("--as", dest="username", default="", help="Ký với họ tên của tài khoản này")

    def handle(self, *args, **options):
        name = None
        if options["username"]:
            user = get_user_model().objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"Không có tài khoản {options['username']}.")
            name = user.get_full_name() or user.username
        source: Path = options["input"]
        try:
            content = source.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được {source}: {exc}") from exc
        if not content.startswith(b"%PDF-"):
            raise CommandError(f"{source} không phải tệp PDF.")
        identity = signer_for(name)
        try:
            signed = sign_pdf(content, identity, chain=(demo_ca().cert,))
        except Exception as exc:  # pyHanko refuses malformed PDFs in many ways
            raise CommandError(f"Không ký được {source}: {exc}") from exc
        options["output"].write_bytes(signed)
        self.stdout.write(f"Đã ký {source} → {options['output']} (người ký: {identity.name}, CA THỬ NGHIỆM).")
