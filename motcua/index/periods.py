"""Reading a period as people and the API write it: "2026-03", "2026-Q1", "2026", or
"2026-01-15..2026-02-14" (local days, both ends included)."""

from __future__ import annotations

import datetime
import re

from motcua.core.errors import InvalidInput
from motcua.sync.selectors import Period

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> Period:
    text = (text or "").strip()
    try:
        if m := _MONTH.match(text):
            return Period.month(int(m[1]), int(m[2]))
        if m := _QUARTER.match(text):
            return Period.quarter(int(m[1]), int(m[2]))
        if m := _YEAR.match(text):
            return Period.year(int(m[1]))
        if m := _RANGE.match(text):
            return Period.between(datetime.date.fromisoformat(m[1]), datetime.date.fromisoformat(m[2]))
    except ValueError:
        pass
    raise InvalidInput(
        "Kỳ không hợp lệ: dùng YYYY-MM (tháng), YYYY-Qn (quý), YYYY (năm) hoặc YYYY-MM-DD..YYYY-MM-DD.",
        rule="R-23",
        field="period",
        code="invalid_period",
    )


def period_key(period: Period) -> str:
    """The inverse of parse_period (also the key of imported national scores)."""
    if period.kind == "month":
        return f"{period.start:%Y-%m}"
    if period.kind == "quarter":
        return f"{period.start.year}-Q{period.quarter_number}"
    if period.kind == "year":
        return str(period.start.year)
    return f"{period.start:%Y-%m-%d}..{period.end:%Y-%m-%d}"
