"""`manage.py legacy_open_report --cutoff YYYY-MM-DD [--unit CODE …] [--xlsx FILE]`: the dossiers the old
one-stop software left open past the cut-off, by unit (R-25; letter 522/UBND-HCC asks to close them out)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.legacy.exports import open_legacy_workbook
from motcua.legacy.selectors import AGE_BUCKETS, open_legacy_dossiers
from motcua.org.models import Unit


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày “{text}” không hợp lệ: dùng dạng YYYY-MM-DD, ví dụ 2024-12-23.") from None


class Command(BaseCommand):
    help = (
        "Báo cáo hồ sơ chuyển từ phần mềm một cửa cũ còn chưa kết thúc mà ngày hẹn trả (không có thì ngày "
        "tiếp nhận) trước mốc rà soát, theo đơn vị giải quyết (R-25)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cutoff", required=True, help="Mốc rà soát, dạng YYYY-MM-DD.")
        parser.add_argument(
            "--unit", action="append", default=[], help="Mã đơn vị giải quyết (lặp lại được)."
        )
        parser.add_argument("--xlsx", type=Path, help="Ghi thêm báo cáo ra tệp Excel này.")

    def handle(self, *args, cutoff, unit=(), xlsx=None, **options):
        day = _day(cutoff)
        units = None
        if unit:
            units = list(Unit.objects.filter(code__in=unit))
            missing = sorted(set(unit) - {u.code for u in units})
            if missing:
                raise CommandError(f"Không có đơn vị mã: {', '.join(missing)}.")
        report = open_legacy_dossiers(day, units)
        self.stdout.write(
            f"Hồ sơ chuyển từ phần mềm cũ chưa kết thúc, hẹn trả trước ngày {day:%d/%m/%Y} "
            f"(tuổi tính đến {report.today:%d/%m/%Y}): {report.total} hồ sơ, {len(report.groups)} đơn vị."
        )
        for group in report.groups:
            ages = ", ".join(
                f"{label.lower()}: {n}" for (_, label), n in zip(AGE_BUCKETS, group.buckets, strict=True) if n
            )
            self.stdout.write(
                f"- {group.unit.name} ({group.unit.code}): {group.count} hồ sơ; quá hẹn {ages}; "
                f"lâu nhất {group.oldest_days} ngày."
            )
            for row in group.rows:
                d = row.dossier
                self.stdout.write(
                    f"    {d.code}  {d.get_state_display()}  {row.reference_kind} "
                    f"{timezone.localtime(row.reference):%d/%m/%Y}  ({row.age_days} ngày)  {d.applicant_name}"
                )
        if xlsx is not None:
            scope = ", ".join(u.name for u in units) if units else "toàn tỉnh"
            xlsx.write_bytes(open_legacy_workbook(report, scope))
            self.stdout.write(f"Đã ghi tệp Excel {xlsx}.")
