"""Tình hình đồng bộ Cổng DVCQG (issue 9 item 3, R-22): per unit and period, the share of dossiers
the national portal holds, the lag, the backlog, the dead letters and indicator 1.4 of QĐ 766.

Thin: read the unit and period, call `motcua.sync.selectors`, render; re-sending a dead letter is
`motcua.sync.delivery.resend_dead_letters`. The pages live under /can-bo/dong-bo/ through this
module's `urlpatterns` (one `include` line in backoffice/urls.py).
"""

import datetime
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from motcua.backoffice.views.common import officer_required
from motcua.backoffice.views.periods import UnitPeriodForm, period_params
from motcua.sync import delivery, selectors

PER_PAGE = 25
# The list pages, by their path (Vietnamese, as officers read them) → selectors.LISTS key.
LIST_PATHS = {
    "tiep-nhan": "received",
    "da-dong-bo": "synced",
    "chua-dong-bo": "unsynced",
    "ton-dong": "waiting",
}
LIST_URL = {kind: f"sync-{slug}" for slug, kind in LIST_PATHS.items()}


# --- who may open it ------------------------------------------------------------------------------


def _refused(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/error.html",
        {
            "title": "Không có quyền",
            "message": (
                "Trang tình hình đồng bộ dành cho Văn phòng UBND tỉnh, quản trị hệ thống, lãnh đạo đơn vị "
                "và cán bộ Trung tâm Phục vụ hành chính công."
            ),
            "rule": "R-26",
            "nav": "sync",
        },
        status=403,
    )


def health_viewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Officers holding one of selectors.HEALTH_ROLES (R-26); the view gets the tree and scope."""

    @officer_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        tree = selectors.unit_tree()
        scope = selectors.health_scope(request.user, tree=tree)
        if not scope.allowed:
            return _refused(request)
        return view(request, tree, scope, *args, **kwargs)

    return wrapper


# --- the unit and period picker ---------------------------------------------------------------------


class SyncHealthForm(UnitPeriodForm):
    """The picker of sync health and the 766 index: one unit at a time, by default the first the
    reader may see."""

    def __init__(self, data, *, units: list[tuple[selectors.UnitNode, int]], today: datetime.date):
        super().__init__(data, today=today)
        self.units = units
        self.fields["unit"].choices = [(n.code, "— " * depth + n.name) for n, depth in units]
        self.fields["unit"].error_messages["invalid_choice"] = "Bạn không được xem đơn vị này."

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        code = data.get("unit") or (self.units[0][0].code if self.units else "")
        data["unit_node"] = next((n for n, _ in self.units if n.code == code), None)
        if data["unit_node"] is None:
            raise forms.ValidationError("Không có đơn vị nào để xem.")
        return data


def _picker(request: HttpRequest, tree: selectors.UnitTree, scope: selectors.HealthScope) -> SyncHealthForm:
    units = selectors.pickable_units(scope, tree)
    return SyncHealthForm(request.GET, units=units, today=timezone.localdate())


def period_query(unit: selectors.UnitNode, period: selectors.Period) -> str:
    """The query string that reopens the page (or a list) on this unit and period (the unit first:
    the index's links cut it off)."""
    return urlencode({"unit": unit.code, **period_params(period)})


# --- how figures read -------------------------------------------------------------------------------


def duration_text(value: datetime.timedelta | None) -> str:
    """A lag or an age in words: "45 giây", "3 phút 20 giây", "2 giờ 5 phút", "3 ngày 4 giờ"."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 1:
        return "dưới 1 giây"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    if minutes:
        return f"{minutes} phút {secs} giây" if secs else f"{minutes} phút"
    return f"{secs} giây"


# --- the pages ----------------------------------------------------------------------------------------


@require_GET
@health_viewer_required
def sync_health_page(request: HttpRequest, tree, scope) -> HttpResponse:
    form = _picker(request, tree, scope)
    units = form.units
    context = {"nav": "sync", "form": form}
    if not form.is_valid():
        return render(request, "backoffice/sync_health.html", context, status=400)
    unit, period = form.cleaned_data["unit_node"], form.cleaned_data["period_value"]
    health = selectors.sync_health(unit.pk, period, tree=tree)
    pickable = {n.code for n, _ in units}
    query = period_query(unit, period)
    context |= {
        "health": health,
        "unit": unit,
        "period": period,
        "query": query,
        "previous_query": period_query(unit, period.previous()),
        "next_query": period_query(unit, period.following()),
        "lag_p50": duration_text(health.lag.p50),
        "lag_p99": duration_text(health.lag.p99),
        "oldest_age": duration_text(health.backlog.oldest_age),
        "rows": [
            {
                "row": row,
                "query": period_query(row.unit, period),
                "drill": not row.direct and row.unit.code in pickable,
                "oldest_age": duration_text(health.now - row.oldest_waiting_at)
                if row.oldest_waiting_at
                else "",
            }
            for row in health.rows
        ],
        "can_resend": scope.can_resend,
        "list_urls": {kind: reverse(f"backoffice:{name}") for kind, name in LIST_URL.items()},
        "here": request.get_full_path(),
    }
    return render(request, "backoffice/sync_health.html", context)


def _page_window(qs, number: int) -> tuple[list, bool]:
    start = (number - 1) * PER_PAGE
    found = list(qs[start : start + PER_PAGE + 1])
    return found[:PER_PAGE], len(found) > PER_PAGE


@require_GET
@health_viewer_required
def sync_dossier_list(request: HttpRequest, tree, scope, kind: str) -> HttpResponse:
    form = _picker(request, tree, scope)
    context = {"nav": "sync", "form": form, "kind": kind, "title": selectors.LISTS[kind]}
    if not form.is_valid():
        return render(request, "backoffice/sync_dossiers.html", context, status=400)
    unit, period = form.cleaned_data["unit_node"], form.cleaned_data["period_value"]
    number = form.cleaned_data.get("page") or 1
    qs = selectors.dossiers_behind(request.user, unit.pk, period, kind, tree=tree)
    rows, has_next = _page_window(qs, number)
    query = period_query(unit, period)
    context |= {
        "unit": unit,
        "period": period,
        "query": query,
        "rows": rows,
        "number": number,
        "has_next": has_next,
        "first_index": (number - 1) * PER_PAGE + 1,
        "period_bound": kind != "waiting",
    }
    return render(request, "backoffice/sync_dossiers.html", context)


@require_GET
@health_viewer_required
def sync_dead_letters(request: HttpRequest, tree, scope) -> HttpResponse:
    form = _picker(request, tree, scope)
    context = {"nav": "sync", "form": form}
    if not form.is_valid():
        return render(request, "backoffice/sync_dead_letters.html", context, status=400)
    unit, period = form.cleaned_data["unit_node"], form.cleaned_data["period_value"]
    number = form.cleaned_data.get("page") or 1
    qs = selectors.dead_letter_list(unit.pk, tree=tree).select_related("dossier", "event")
    letters, has_next = _page_window(qs, number)
    context |= {
        "unit": unit,
        "period": period,
        "query": period_query(unit, period),
        "letters": letters,
        "number": number,
        "has_next": has_next,
        "can_resend": scope.can_resend,
        "here": request.get_full_path(),
    }
    return render(request, "backoffice/sync_dead_letters.html", context)


def _ids(values: list[str]) -> list[int] | None:
    if not values or len(values) > 1000 or not all(v.isdigit() and len(v) <= 18 for v in values):
        return None
    return [int(v) for v in values]


@require_POST
@health_viewer_required
def sync_resend(request: HttpRequest, tree, scope) -> HttpResponse:
    """ "Gửi lại": the dead letters chosen (one row's button, or the ticked rows) go back in the
    queue, for the provincial office and administrators only, within their units."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = ""
    back = back or reverse("backoffice:sync-health")
    if not scope.can_resend:
        return render(
            request,
            "backoffice/error.html",
            {
                "title": "Không có quyền",
                "message": "Chỉ Văn phòng UBND tỉnh và quản trị hệ thống được gửi lại bản tin lỗi.",
                "rule": "R-26",
                "nav": "sync",
            },
            status=403,
        )
    ids = _ids(request.POST.getlist("message") or request.POST.getlist("selected"))
    if ids is None:
        messages.error(request, "Hãy chọn bản tin lỗi cần gửi lại.")
        return redirect(back)
    allowed = selectors.resendable(request.user, ids, tree=tree)
    if not allowed:
        messages.error(
            request, "Không có bản tin lỗi nào bạn được gửi lại trong số đã chọn (có thể đã được gửi lại)."
        )
        return redirect(back)
    count = delivery.resend_dead_letters(allowed, actor=request.user)
    messages.success(request, f"Đã đưa lại {count} bản tin vào hàng đợi gửi Cổng DVCQG.")
    return redirect(back)


# /can-bo/dong-bo/… (included by backoffice/urls.py under the "backoffice" namespace)
urlpatterns = [
    path("", sync_health_page, name="sync-health"),
    *(
        path(f"{slug}/", sync_dossier_list, {"kind": kind}, name=f"sync-{slug}")
        for slug, kind in LIST_PATHS.items()
    ),
    path("loi/", sync_dead_letters, name="sync-dead-letters"),
    path("gui-lai/", sync_resend, name="sync-resend"),
]
