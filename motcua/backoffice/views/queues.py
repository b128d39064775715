"""Hàng đợi công việc: the officer's queues with their counts, filters, search and one page of a queue.

The table is swapped by htmx when a filter, the search, the tab or the page changes; without
JavaScript the same form and links load the whole page.
"""

import datetime
import re
from urllib.parse import urlencode

from django import forms
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.backoffice.views.common import is_htmx, officer_required
from motcua.catalog.models import Channel
from motcua.dossiers import queues

CODE = RegexValidator(re.compile(r"^[0-9A-Za-z._-]+$"), "Mã không hợp lệ.")
DATE_FLOOR, DATE_CEILING = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


class QueueFilterForm(forms.Form):
    tab = forms.ChoiceField(
        choices=[(s.key, s.label) for s in queues.QUEUES],
        required=False,
        error_messages={"invalid_choice": "Hàng đợi không tồn tại."},
    )
    q = forms.CharField(
        max_length=200, required=False, error_messages={"max_length": "Từ khóa tìm kiếm quá dài."}
    )
    procedure = forms.CharField(max_length=50, required=False, validators=[CODE])
    field = forms.CharField(max_length=50, required=False, validators=[CODE])
    channel = forms.ChoiceField(
        choices=[("", "Tất cả"), *Channel.choices],
        required=False,
        error_messages={"invalid_choice": "Cách thức nộp không hợp lệ."},
    )
    from_date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Ngày nộp “từ ngày” không hợp lệ (dd/mm/yyyy)."},
    )
    to_date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Ngày nộp “đến ngày” không hợp lệ (dd/mm/yyyy)."},
    )
    page = forms.IntegerField(
        min_value=1,
        max_value=queues.MAX_PAGE,
        required=False,
        error_messages={
            "invalid": "Số trang không hợp lệ.",
            "min_value": "Số trang không hợp lệ.",
            "max_value": "Số trang quá lớn.",
        },
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and start > end:
            raise forms.ValidationError("“Từ ngày” phải trước hoặc bằng “đến ngày”.")
        # A date at the very edge of the calendar (9999-12-31) cannot be turned into the next
        # day's midnight: refused here with a message instead of failing in the query.
        if any(d and not (DATE_FLOOR <= d <= DATE_CEILING) for d in (start, end)):
            raise forms.ValidationError("Ngày nộp phải trong khoảng từ năm 1900 đến năm 2999.")
        return data

    def filters(self) -> queues.QueueFilters:
        data = self.cleaned_data
        return queues.QueueFilters(
            procedure=data["procedure"],
            field=data["field"],
            channel=data["channel"],
            submitted_from=data["from_date"],
            submitted_to=data["to_date"],
            q=data["q"].strip(),
        )


def _bad_request(request: HttpRequest, form: QueueFilterForm) -> HttpResponse:
    messages = [str(m) for errors in form.errors.values() for m in errors]
    context = {
        "title": "Điều kiện lọc không hợp lệ",
        "message": " ".join(messages) or "Điều kiện lọc không hợp lệ.",
        "nav": "queues",
    }
    template = "backoffice/_queue_error.html" if is_htmx(request) else "backoffice/error.html"
    return render(request, template, context, status=400)


@officer_required
def queue_page(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form)
    filters = form.filters()
    scope = queues.scope_of(request.user)  # read once for the queues and the filter's choices
    work = queues.work_queue(
        scope, form.cleaned_data["tab"] or None, filters, page=form.cleaned_data["page"] or 1
    )
    context = {
        "nav": "queues",
        "work": work,
        "page": work.page,
        "filters": filters,
        "querystring": _querystring(form),
    }
    if is_htmx(request):
        return render(request, "backoffice/_queue_results.html", {**context, "partial": True})
    context["options"] = queues.filter_options(scope)
    context["channels"] = Channel.choices
    return render(request, "backoffice/queues.html", context)


def _querystring(form: QueueFilterForm) -> str:
    """The filters as a query string for the tab and page links (without tab and page)."""
    data = form.cleaned_data
    pairs = [
        ("q", data["q"].strip()),
        ("procedure", data["procedure"]),
        ("field", data["field"]),
        ("channel", data["channel"]),
        ("from_date", data["from_date"].isoformat() if data["from_date"] else ""),
        ("to_date", data["to_date"].isoformat() if data["to_date"] else ""),
    ]
    return urlencode([(k, v) for k, v in pairs if v])
