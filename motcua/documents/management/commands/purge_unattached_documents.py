"""Delete uploaded documents that were never attached to any dossier (rows and files)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from motcua.documents.services import purge_unattached_documents


class Command(BaseCommand):
    help = "Xóa tài liệu đã tải lên nhưng không đính kèm hồ sơ nào sau một thời gian (cả tệp)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours",
            type=int,
            default=24,
            help="Chỉ xóa tài liệu tải lên trước thời điểm này bao nhiêu giờ (mặc định 24).",
        )

    def handle(self, *args, **options):
        hours = options["older_than_hours"]
        if hours < 1:
            raise CommandError("--older-than-hours phải từ 1 trở lên (tệp vừa tải lên chờ được nộp).")
        result = purge_unattached_documents(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(
            f"Đã xóa {result.documents} tài liệu không đính kèm hồ sơ nào ({result.bytes} byte)."
        )
