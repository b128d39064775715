"""Bộ chỉ số 766 at /bao-cao/ (R-23, issue 10 item 4): the province's or a unit's index for a period,
the six cards of the national portal, the trend by month, the ranking of units, the score-recovery
plan, and each indicator's page with the dossiers or procedures behind its figures.

For the provincial office, administrators and unit leaders (their units): motcua.index.selectors
.index_units. Thin: read the unit and period (the sync-health picker), call motcua.index, render.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.backoffice.views.common import officer_required
from motcua.backoffice.views.sync import SyncHealthForm, period_query
from motcua.index import reports
from motcua.index.plan import recovery_plan
from motcua.index.selectors import (
    CARDS,
    Part,
    compute,
    dossiers_behind,
    index_units,
    is_dossier_measure,
    procedures_behind,
    read_catalogue,
    unit_index,
)
from motcua.org.models import UnitKind
from motcua.sync.selectors import HealthScope, Period, UnitTree, pickable_units, unit_tree

PER_PAGE = 50
# ?xem= on an indicator's page: the numerator's items, the whole denominator; none = the shortfall.
SHOWN: dict[str, Part] = {"dat": "numerator", "tat-ca": "denominator"}
RANKED = {
    "Sở, ban, ngành": (UnitKind.DEPARTMENT, UnitKind.OTHER_BODY),
    "Ủy ban nhân dân xã, phường, đặc khu": (UnitKind.COMMUNE, UnitKind.PEOPLES_COMMITTEE),
}


def _refused(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/error.html",
        {
            "title": "Không có quyền",
            "message": "Bộ chỉ số 766 dành cho lãnh đạo đơn vị, Văn phòng UBND tỉnh và quản trị hệ thống.",
            "rule": "R-23",
            "nav": "index",
        },
        status=403,
    )


def index_reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @officer_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        tree = unit_tree()
        allowed = index_units(request.user, tree=tree)
        if not allowed:
            return _refused(request)
        form = SyncHealthForm(
            request.GET,
            units=pickable_units(HealthScope(allowed, frozenset()), tree),
            today=timezone.localdate(),
        )
        return view(request, tree, form, *args, **kwargs)

    return wrapper


def _trend(unit: int, period: Period, tree: UnitTree) -> list[dict]:
    """The total by month of the period's year, up to the current month, each month a link to its
    own index."""
    today = timezone.localdate()
    last = 12 if period.start.year < today.year else today.month
    months = [Period.month(period.start.year, m) for m in range(1, last + 1)]
    catalogue = read_catalogue()
    return [
        {
            "label": f"T{p.start.month}",
            "total": float(compute(p, [unit], tree=tree, catalogue=catalogue, refresh=False)[unit].total),
            "href": "?" + period_query(tree.nodes[unit], p),
        }
        for p in months
    ]


def _ranking(period: Period, tree: UnitTree, allowed_root: int) -> list[tuple[str, list]]:
    """Departments and communes under the chosen unit, each ranked by total (one computation)."""
    wanted = {
        pk
        for pk in tree.subtree(allowed_root)
        if tree.nodes[pk].parent_id is not None and tree.nodes[pk].valid_during(period)
    }
    ranked = {pk for pk in wanted if any(tree.nodes[pk].kind in kinds for kinds in RANKED.values())}
    scored = compute(period, ranked, tree=tree, refresh=False) if ranked else {}
    tables = []
    for title, kinds in RANKED.items():
        rows = sorted(
            (i for pk, i in scored.items() if tree.nodes[pk].kind in kinds),
            key=lambda i: (-i.total, i.unit_code),
        )
        if rows:
            tables.append((title, rows))
    return tables


@require_GET
@index_reader_required
def dashboard(request: HttpRequest, tree: UnitTree, form: SyncHealthForm) -> HttpResponse:
    context = {"nav": "index", "form": form, "reports": getattr(reports, "REPORTS", [])}
    if not form.is_valid():
        return render(request, "index/dashboard.html", context, status=400)
    unit, period = form.cleaned_data["unit_node"], form.cleaned_data["period_value"]
    index, steps = recovery_plan(unit.pk, period, tree=tree)
    context |= {
        "unit": unit,
        "period": period,
        "index": index,
        "steps": steps,
        "query": period_query(unit, period),
        "period_only": period_query(unit, period).split("&", 1)[1],
        "cards_chart": [
            {
                "code": c.code,
                "title": c.title,
                "points": float(c.points),
                "missing": float(c.maximum - c.points),
            }
            for c in index.cards
        ],
        "trend": _trend(unit.pk, period, tree),
        "ranking": _ranking(period, tree, unit.pk),
        "cards": CARDS,
    }
    return render(request, "index/dashboard.html", context)


@require_GET
@index_reader_required
def indicator_page(request: HttpRequest, tree: UnitTree, form: SyncHealthForm, code: str) -> HttpResponse:
    context = {"nav": "index", "form": form}
    if not form.is_valid():
        return render(request, "index/indicator.html", context, status=400)
    unit, period = form.cleaned_data["unit_node"], form.cleaned_data["period_value"]
    index = unit_index(unit.pk, period, tree=tree)
    score = next((s for s in index.scores if s.indicator.code == code), None)
    if score is None:
        raise Http404("Không có chỉ số này.")
    part = SHOWN.get(request.GET.get("xem", ""), "shortfall")
    measure = score.indicator.measure
    if is_dossier_measure(measure):
        items = dossiers_behind(score.indicator, unit.pk, period, part=part, tree=tree)
        items = items.select_related("procedure", "deciding_unit").order_by("received_at", "pk")
    else:
        items = procedures_behind(score.indicator, unit.pk, period, part=part, tree=tree)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    context |= {
        "unit": unit,
        "period": period,
        "index": index,
        "score": score,
        "part": part,
        "shortfall": part == "shortfall",
        "part_param": {v: k for k, v in SHOWN.items()}.get(part, ""),
        "dossiers": is_dossier_measure(measure),
        "page": page,
        "query": period_query(unit, period),
        "now": timezone.now(),
    }
    return render(request, "index/indicator.html", context)
