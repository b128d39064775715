"""Writing what the index does not compute itself: the scores the national portal published
(REGULATIONS §1.4: the portal's `score` is authoritative; ours explains it)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from motcua.core.errors import DomainError, InvalidInput
from motcua.index.models import PublishedScore
from motcua.index.periods import parse_period, period_key
from motcua.org.models import Unit

COLUMNS = ("ma_don_vi", "ky", "ma_chi_so", "diem")


@dataclass
class ImportReport:
    saved: int = 0
    refused: list[str] = field(default_factory=list)


def import_published_scores(text: str, *, actor=None) -> ImportReport:
    """CSV with a header `ma_don_vi,ky,ma_chi_so,diem` (`ma_chi_so` empty for the total; `ky` as
    2026-03, 2026-Q1 or 2026). All rows or none: a file with a bad row changes nothing."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not set(COLUMNS) <= {f.strip() for f in reader.fieldnames}:
        raise InvalidInput(f"Tệp phải có dòng tiêu đề gồm các cột: {', '.join(COLUMNS)}.", rule="R-23")
    units = dict(Unit.objects.values_list("code", "pk"))
    rows, report = [], ImportReport()
    for number, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        try:
            unit = units.get(row["ma_don_vi"])
            if unit is None:
                raise InvalidInput(f"không có đơn vị mã {row['ma_don_vi'] or '(trống)'}")
            period = period_key(parse_period(row["ky"]))
            points = Decimal(row["diem"].replace(",", "."))
            if not Decimal(0) <= points <= Decimal(100):
                raise InvalidInput("điểm phải từ 0 đến 100")
        except (DomainError, InvalidOperation) as exc:
            reason = exc.message if isinstance(exc, DomainError) else "điểm không phải là số"
            report.refused.append(f"Dòng {number}: {reason}.")
            continue
        rows.append((unit, period, row["ma_chi_so"], points))
    if report.refused:
        return report
    with transaction.atomic():
        for unit, period, code, points in rows:
            PublishedScore.objects.update_or_create(
                unit_id=unit,
                period=period,
                indicator_code=code,
                defaults={"points": points, "imported_by": actor},
            )
    report.saved = len(rows)
    return report
