"""Send the consultation reminders that are due (R-12); run it every working hour (cron)."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.consultations.services import send_reminders


class Command(BaseCommand):
    help = "Nhắc các cơ quan chậm trả lời xin ý kiến (lần 2 gửi kèm Sở Nội vụ)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Thời điểm tính (ISO 8601, mặc định: bây giờ).")

    def handle(self, *args, now=None, **options):
        moment = timezone.now()
        if now:
            moment = parse_datetime(now)
            if moment is None:
                self.stderr.write(f"Thời điểm không hợp lệ: {now}")
                raise SystemExit(2)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        reminders = send_reminders(moment)
        first = sum(1 for r in reminders if r.number == 1)
        second = len(reminders) - first
        self.stdout.write(
            f"Đã gửi {first} thông báo nhắc lần 1 và {second} thông báo nhắc lần 2 (kèm Sở Nội vụ)."
        )
