"""`manage.py due_date --received 2026-02-13T08:00 --days 1`: the appointment a receipt would show."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.calendar.services import CalendarInputError, appointment_text, get_calendar
from motcua.calendar.units import DurationUnit


class Command(BaseCommand):
    help = "Tính thời điểm hẹn trả kết quả theo lịch làm việc (ngày làm việc, giờ làm việc hoặc ngày)."

    def add_arguments(self, parser):
        # Not `required=True` / `choices=`: argparse would answer in English; we check below.
        parser.add_argument(
            "--received",
            help="Thời điểm tiếp nhận, ISO 8601, ví dụ 2026-02-13T08:00+07:00 (không ghi múi giờ: giờ VN).",
        )
        parser.add_argument("--days", help="Thời hạn giải quyết (số, có thể có phần thập phân).")
        parser.add_argument(
            "--unit",
            default=DurationUnit.WORKING_DAYS.value,
            help="Đơn vị: working_days (mặc định), working_hours hoặc calendar_days.",
        )

    def handle(self, *args, received=None, days=None, unit=None, **options):
        if not received:
            raise CommandError("Thiếu thời điểm tiếp nhận: --received, ví dụ --received 2026-02-13T08:00.")
        if days is None:
            raise CommandError("Thiếu thời hạn giải quyết: --days, ví dụ --days 5.")
        try:
            start = datetime.datetime.fromisoformat(received)
        except ValueError:
            raise CommandError(
                f"Thời điểm tiếp nhận không hợp lệ: {received!r}. Dùng định dạng ISO 8601, "
                "ví dụ 2026-02-13T08:00 hoặc 2026-02-13T08:00+07:00."
            ) from None
        if timezone.is_naive(start):
            # A person at a counter types local time; the service itself refuses naive datetimes.
            start = timezone.make_aware(start)
        try:
            amount = Decimal(days)
        except InvalidOperation:
            raise CommandError(
                f"Thời hạn không hợp lệ: {days!r}. Phải là một số không âm, ví dụ 5 hoặc 0.5."
            ) from None
        if unit not in DurationUnit.values:
            raise CommandError(f"Đơn vị không hợp lệ: {unit!r}. Chỉ nhận: {', '.join(DurationUnit.values)}.")
        try:
            due = get_calendar().due_at(start, amount, unit)
        except CalendarInputError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(timezone.localtime(due).isoformat())
        self.stdout.write(f"Hẹn trả kết quả: {appointment_text(due)}")
