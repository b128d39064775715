"""`manage.py archive_dossiers`: archive every finished dossier not archived yet (TT 13/2023/TT-BNV).
Run it nightly (cron), or enqueue the task `archive.tasks.archive_finished` for the worker."""

from django.core.management.base import BaseCommand, CommandError

from motcua.archive.services import archive_finished_dossiers


class Command(BaseCommand):
    help = "Lưu trữ điện tử mọi hồ sơ đã kết thúc chưa được lưu trữ (TT 13/2023/TT-BNV)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Lưu trữ nhiều nhất bấy nhiêu hồ sơ.")

    def handle(self, *args, **options):
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit phải từ 1 trở lên.")
        run = archive_finished_dossiers(limit=limit)
        self.stdout.write(f"Đã lưu trữ {len(run.archived)} hồ sơ.")
        for code, message in run.failed:
            self.stderr.write(f"Không lưu trữ được hồ sơ {code}: {message}")
        if run.failed:
            raise CommandError(f"{len(run.failed)} hồ sơ không lưu trữ được (xem trên).")
