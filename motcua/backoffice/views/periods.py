"""The unit and period picker the report pages share (sync health, the 766 index, the one-stop
reports): its fields, how the choice becomes a `Period` (local days, both ends included), and the
parameters that reopen a page on the same period.

Each page's form adds what is its own: which units it offers and what an empty unit means (sync
health and the index always show one unit; a report may cover every unit its reader sees).
"""

import datetime

from django import forms

from motcua.sync.selectors import ROMAN, Period

PERIOD_CHOICES = [("month", "Tháng"), ("quarter", "Quý"), ("year", "Năm"), ("range", "Khoảng ngày")]
YEARS = (2015, 2100)
MAX_PAGE = 2000
# An <input type="date"> sends ISO dates; officers who type one write it day first.
DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y"]


def year_field(invalid: str) -> forms.IntegerField:
    return forms.IntegerField(
        label="Năm",
        min_value=YEARS[0],
        max_value=YEARS[1],
        required=False,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), invalid),
    )


def day_field(label: str, invalid: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, input_formats=DATE_INPUTS, error_messages={"invalid": invalid}
    )


class UnitPeriodForm(forms.Form):
    """A unit (choices set by the page's form) and a period: a month, a quarter or a year of `year`
    (this year by default), or a range of days; `page` for the lists behind the figures. The period
    kind defaults to `default_kind`, its month or quarter to today's."""

    unit = forms.ChoiceField(label="Đơn vị", required=False)
    period = forms.ChoiceField(
        label="Kỳ báo cáo",
        choices=PERIOD_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Kỳ báo cáo không hợp lệ."},
    )
    year = year_field("Năm không hợp lệ.")
    month = forms.TypedChoiceField(
        label="Tháng",
        choices=[(m, f"Tháng {m}") for m in range(1, 13)],
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Tháng không hợp lệ."},
    )
    quarter = forms.TypedChoiceField(
        label="Quý",
        choices=[(q, f"Quý {ROMAN[q]}") for q in range(1, 5)],
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Quý không hợp lệ."},
    )
    from_date = day_field("Từ ngày", "“Từ ngày” không hợp lệ (dd/mm/yyyy).")
    to_date = day_field("Đến ngày", "“Đến ngày” không hợp lệ (dd/mm/yyyy).")
    page = forms.IntegerField(
        min_value=1,
        max_value=MAX_PAGE,
        required=False,
        error_messages={
            "invalid": "Số trang không hợp lệ.",
            "min_value": "Số trang không hợp lệ.",
            "max_value": "Số trang quá lớn.",
        },
    )

    def __init__(self, data, *, today: datetime.date, default_kind: str = "month"):
        super().__init__(data)
        self.today = today
        self.default_kind = default_kind

    def clean(self):
        """The period chosen, as `period_value`; the page's form reads the unit after it."""
        data = super().clean()
        if self.errors:
            return data
        kind = data.get("period") or self.default_kind
        year = data.get("year") or self.today.year
        if kind == "range":
            start, end = data.get("from_date"), data.get("to_date")
            if not start or not end:
                raise forms.ValidationError("Hãy chọn “từ ngày” và “đến ngày”.")
            if start > end:
                raise forms.ValidationError("“Từ ngày” phải trước hoặc bằng “đến ngày”.")
            if not (YEARS[0] <= start.year and end.year <= YEARS[1]):
                raise forms.ValidationError("Ngày phải trong khoảng từ năm 2015 đến năm 2100.")
            data["period_value"] = Period.between(start, end)
        elif kind == "quarter":
            data["period_value"] = Period.quarter(
                year, data.get("quarter") or (self.today.month - 1) // 3 + 1
            )
        elif kind == "year":
            data["period_value"] = Period.year(year)
        else:
            data["period_value"] = Period.month(year, data.get("month") or self.today.month)
        return data


def period_params(period: Period) -> dict[str, str]:
    """The picker's parameters that choose `period` again."""
    params = {"period": period.kind}
    if period.kind == "range":
        params |= {"from_date": period.start.isoformat(), "to_date": period.end.isoformat()}
    else:
        params["year"] = str(period.start.year)
        if period.kind == "month":
            params["month"] = str(period.start.month)
        elif period.kind == "quarter":
            params["quarter"] = str(period.quarter_number)
    return params
