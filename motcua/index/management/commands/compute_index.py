"""`manage.py compute_index --period 2026-Q1 [--unit CODE] [--rebuild] [--json]`: the 766 index in
the shell (R-23). Thin: motcua.index.selectors computes, this prints."""

import json

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.index import facts
from motcua.index.periods import parse_period
from motcua.index.selectors import compute
from motcua.org.models import Unit


class Command(BaseCommand):
    help = "Tính Bộ chỉ số 766 của tỉnh hoặc một đơn vị cho một kỳ (tháng, quý, năm, khoảng ngày)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="YYYY-MM, YYYY-Qn, YYYY hoặc YYYY-MM-DD..YYYY-MM-DD"
        )
        parser.add_argument("--unit", help="Mã định danh đơn vị (mặc định: cấp tỉnh)")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Tính lại toàn bộ số liệu tổng hợp từ hồ sơ trước khi tính.",
        )
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, period, unit, rebuild, json: bool = False, **options):
        try:
            chosen = parse_period(period)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        target = (
            Unit.objects.filter(code=unit).first()
            if unit
            else Unit.objects.valid_on(chosen.end).filter(parent=None).first()
        )
        if target is None:
            raise CommandError(f"Không có đơn vị mã {unit}." if unit else "Chưa có đơn vị nào.")
        if rebuild:
            self.stdout.write(f"Đã tính lại số liệu của {facts.rebuild()} hồ sơ.")
        result = compute(chosen, [target.pk])[target.pk]
        if json:
            self.stdout.write(_json.dumps(as_dict(result), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result.unit_name} — {chosen.label}: {result.total} / {result.maximum} điểm")
        for score in result.scores:
            if not score.applicable:
                self.stdout.write(
                    f"  {score.indicator.code:4} {score.indicator.title[:70]}: chỉ tính cấp tỉnh"
                )
                continue
            figures = (
                f"{score.numerator}/{score.denominator} = {score.rate}% → {score.points}/{score.maximum}"
            )
            self.stdout.write(f"  {score.indicator.code:4} {score.indicator.title[:70]}: {figures}")


_json = json


def as_dict(result) -> dict:
    return {
        "unit": result.unit_code,
        "period": result.period.label,
        "total": str(result.total),
        "maximum": str(result.maximum),
        "indicators": [
            {
                "code": s.indicator.code,
                "title": s.indicator.title,
                "numerator": s.numerator,
                "denominator": s.denominator,
                "rate": str(s.rate),
                "points": str(s.points),
                "max_points": str(s.maximum),
                "applicable": s.applicable,
            }
            for s in result.scores
        ],
    }
