"""Đối soát thanh toán trực tuyến (R-29): per day and unit, the online payments, what was paid, and
the transactions whose state differs from the payment platform's QUERY answer.

Thin: read the period, call `motcua.payments.selectors.reconciliation`; the "Đối soát" button asks
the platform about each transaction of the period (`services.reconcile`). Officers see the units
they hold a role in (R-26). One `include` line in backoffice/urls.py.
"""

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from motcua.backoffice.views.common import officer_required
from motcua.core.errors import DomainError
from motcua.dossiers.selectors import visible_units
from motcua.payments import selectors, services

MAX_DAYS = 31


class PeriodForm(forms.Form):
    start = forms.DateField(label="Từ ngày", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Đến ngày", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["start"] = data.get("start") or today
        data["end"] = data.get("end") or data["start"]
        if data["end"] < data["start"]:
            raise forms.ValidationError("Ngày kết thúc phải sau ngày bắt đầu.")
        if (data["end"] - data["start"]).days >= MAX_DAYS:
            raise forms.ValidationError(f"Mỗi lần đối soát tối đa {MAX_DAYS} ngày.")
        return data


@officer_required
@require_http_methods(["GET", "POST"])
def reconciliation_page(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST if request.method == "POST" else request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    today = timezone.localdate()
    start = form.cleaned_data["start"] if form.is_bound and valid else today
    end = form.cleaned_data["end"] if form.is_bound and valid else today
    if request.method == "POST" and valid:
        try:
            day, checked = start, 0
            while day <= end:
                checked += services.reconcile(day)
                day += datetime.timedelta(days=1)
            messages.success(request, f"Đã đối soát {checked} giao dịch với nền tảng thanh toán.")
        except DomainError as exc:
            messages.error(request, f"{exc.message} ({exc.rule or 'R-29'})")
        return redirect(
            f"{reverse('backoffice:payments-reconciliation')}?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
        )
    units = (
        None if request.user.is_superuser else list(visible_units(request.user).values_list("pk", flat=True))
    )
    rows = selectors.reconciliation(start, end, unit_ids=units) if valid else []
    return render(
        request,
        "payments/reconciliation.html",
        {
            "nav": "payments",
            "form": form,
            "start": start,
            "end": end,
            "rows": rows,
            "total_paid": sum(r.paid_total for r in rows),
            "total_mismatches": sum(len(r.mismatches) for r in rows),
        },
        status=200 if valid else 400,
    )


urlpatterns = [path("", reconciliation_page, name="payments-reconciliation")]
