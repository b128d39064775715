"""The one-stop reports the letters ask for (issue 10 item 5; R-05/R-06/R-28, R-10, R-16, R-27, R-21,
R-08, R-17): for each, a page for officials, its Excel file (`?format=xlsx`), the PDF of the
quarterly report (`?format=pdf`, R-10), and the list of dossiers (consultations, steps, apologies)
behind every figure.

Thin: read the unit and period, call the report's selector in `motcua.index.reports`, render.
Readers (R-26): the provincial office and administrators for the whole province, unit leaders for
their units, and for R-16 the Department of Home Affairs (`index.reports.common.reader_scope`);
anybody else gets a Vietnamese 403 page.

Mounted under /bao-cao/ by motcua/backoffice/report_urls.py (namespace "reports"); the names are
`report-…` and `report-…-list` (`motcua.index.reports.REPORTS`), resolved here under whatever
namespace the module is included in.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.backoffice.views.common import officer_required
from motcua.backoffice.views.periods import YEARS, UnitPeriodForm, day_field, period_params, year_field
from motcua.index.reports import BY_SLUG, ReportInfo, exports, readable_reports, tables
from motcua.index.reports import consultations as r16
from motcua.index.reports import internal as r21
from motcua.index.reports import late_steps as r27
from motcua.index.reports import on_the_spot as r08
from motcua.index.reports import online as r05
from motcua.index.reports import quarterly as r10
from motcua.index.reports import supplements as r17
from motcua.index.reports.common import (
    PAGE_SIZE,
    Listing,
    Period,
    ReaderScope,
    UnitTree,
    Window,
    conditions_text,
    page_of,
    person_name,
    reader_scope,
    unit_tree,
)
from motcua.org.models import Role, Unit
from motcua.org.selectors import active_assignments

GROUP_CHOICES = [("unit", "Theo cơ quan, đơn vị"), ("field", "Theo lĩnh vực")]
LIST_PAGE_SIZE = PAGE_SIZE  # rows per page of a list behind a figure
FORMATS = ("", "html", "xlsx", "pdf")


# --- the unit and period picker ---------------------------------------------------------------------


class ReportFilter(UnitPeriodForm):
    """The reports' picker: a unit the reader may see, or none for all of them; the zero-online date
    (R-05) and the grouping by unit or field (R-10) of the reports that have them."""

    year = year_field("Năm không hợp lệ (từ 2015 đến 2100).")
    since = day_field("Không có hồ sơ trực tuyến kể từ ngày", "Ngày mốc không hợp lệ (dd/mm/yyyy).")
    group = forms.ChoiceField(
        label="Nhóm theo",
        choices=GROUP_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Cách nhóm không hợp lệ."},
    )
    # Its own fields before the page number, as the picker shows them: the errors are listed in this order.
    field_order = [
        "unit",
        "period",
        "year",
        "month",
        "quarter",
        "from_date",
        "to_date",
        "since",
        "group",
        "page",
    ]

    def __init__(self, data, *, scope: ReaderScope, tree, default_kind: str, today: datetime.date):
        super().__init__(data, today=today, default_kind=default_kind)
        self.nodes = scope.pickable(tree, on=today)
        everything = "Toàn tỉnh" if scope.whole_province else "Tất cả đơn vị của tôi"
        self.fields["unit"].choices = [("", everything)] + [
            (n.code, "— " * d + n.name) for n, d in self.nodes
        ]
        self.fields["unit"].error_messages["invalid_choice"] = "Bạn không được xem báo cáo của đơn vị này."

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        since = data.get("since")
        if since is not None and not YEARS[0] <= since.year <= YEARS[1]:
            raise forms.ValidationError("Ngày mốc phải trong khoảng từ năm 2015 đến năm 2100.")
        data["since_value"] = since or data["period_value"].start
        code = data.get("unit") or ""
        data["unit_node"] = next((n for n, _ in self.nodes if n.code == code), None) if code else None
        data["group_value"] = data.get("group") or "unit"
        return data


def period_query(data: dict) -> dict[str, str]:
    """The parameters that reopen a page (or a list) on the same unit and period."""
    unit = data["unit_node"].code if data.get("unit_node") else ""
    return {"unit": unit, **period_params(data["period_value"])}


def period_slug(period: Period) -> str:
    if period.kind == "month":
        return f"thang-{period.start.month:02d}-{period.start.year}"
    if period.kind == "quarter":
        return f"quy-{period.quarter_number}-{period.start.year}"
    if period.kind == "year":
        return f"nam-{period.start.year}"
    return f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def period_text(period: Period) -> str:
    if period.kind == "range":
        return period.label
    return f"{period.label} (từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y})"


# --- each report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPage:
    info: ReportInfo
    default_period: str
    build: Callable[..., Any]  # (period, units, now=, tree=, **options) → what `tables` lays out
    tables: Callable[[Any], list[tables.Table]]
    listings: tuple[Listing, ...]
    pdf: bool = False
    notices: Callable[[Any], list[str]] = field(default=lambda _: [])
    since_field: bool = False
    group_field: bool = False

    @property
    def rule(self) -> str:
        return self.info.rule.split(",")[0].strip()

    def listing_of(self, figure: str) -> Listing | None:
        return next((li for li in self.listings if figure in li.figures), None)

    def options(self, data: dict) -> dict[str, Any]:
        """The report's own choices `build` takes: the zero-online date, the grouping."""
        options: dict[str, Any] = {}
        if self.since_field:
            options["since"] = data["since_value"]
        if self.group_field:
            options["group"] = data["group_value"]
        return options


@dataclass(frozen=True)
class OnlineBundle:
    report: r05.OnlineReport
    zero: list[r05.ZeroOnlineRow]
    since: datetime.date


def _online(period, units, *, now, tree, since) -> OnlineBundle:
    return OnlineBundle(
        r05.online_report(period, units, now=now, tree=tree),
        r05.zero_online_units(since, units, today=timezone.localdate(now), tree=tree),
        since,
    )


PAGES: dict[str, ReportPage] = {
    p.info.url_name: p
    for p in (
        ReportPage(
            BY_SLUG["ty-le-truc-tuyen"],
            "quarter",
            _online,
            lambda b: tables.online_tables(b.report, b.zero, b.since),
            (r05.LISTING,),
            since_field=True,
        ),
        ReportPage(
            BY_SLUG["ket-qua-giai-quyet"],
            "quarter",
            r10.quarterly_report,
            tables.quarterly_tables,
            (r10.LISTING,),
            pdf=True,
            group_field=True,
        ),
        ReportPage(
            BY_SLUG["xin-y-kien-tre-han"],
            "quarter",
            r16.consultation_report,
            tables.consultation_tables,
            (r16.LISTING,),
        ),
        ReportPage(
            BY_SLUG["tre-han"],
            "month",
            r27.late_report,
            tables.late_tables,
            (r27.STEP_LISTING, r27.DOSSIER_LISTING, r27.APOLOGY_LISTING),
        ),
        ReportPage(
            BY_SLUG["thu-tuc-noi-bo"],
            "quarter",
            r21.internal_report,
            tables.internal_tables,
            (r21.LISTING,),
        ),
        ReportPage(
            BY_SLUG["giai-quyet-tai-cho"],
            "quarter",
            r08.on_the_spot_report,
            tables.on_the_spot_tables,
            (r08.LISTING,),
        ),
        ReportPage(
            BY_SLUG["bo-sung-nhieu-lan"],
            "quarter",
            r17.supplement_report,
            tables.supplement_tables,
            (r17.LISTING,),
        ),
    )
}


# --- the shared plumbing ---------------------------------------------------------------------------------


def _url(request: HttpRequest, name: str) -> str:
    """`name` under the namespace this module was included in (none, "reports", …)."""
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    return reverse(f"{namespace}:{name}" if namespace else name)


def _refused(request: HttpRequest, page: ReportPage) -> HttpResponse:
    readers = "Văn phòng UBND tỉnh, quản trị hệ thống và lãnh đạo đơn vị (đơn vị mình)"
    if page.rule == "R-16":
        readers = "Văn phòng UBND tỉnh, Sở Nội vụ, quản trị hệ thống và lãnh đạo đơn vị (đơn vị mình)"
    return render(
        request,
        "backoffice/error.html",
        {
            "title": "Không có quyền",
            "message": f"Báo cáo “{page.info.title}” dành cho {readers}.",
            "rule": "R-26",
            "nav": "index",
        },
        status=403,
    )


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "backoffice/error.html",
        {"title": "Yêu cầu không hợp lệ", "message": message, "nav": "index"},
        status=400,
    )


def _tabs(request: HttpRequest, current: ReportPage) -> list[dict]:
    return [
        {"title": r.title, "href": _url(request, r.url_name), "current": r.url_name == current.info.url_name}
        for r in readable_reports(request.user)
    ]


def _issuer(request: HttpRequest, data: dict, tree) -> Unit:
    """Who the signed report comes from: the unit chosen, else the unit of the reader's reporting
    role (the provincial office reports for the province), else the province's root unit."""
    node = data.get("unit_node")
    pk = node.pk if node else None
    if pk is None:
        roles = (Role.PROVINCIAL_OFFICE, Role.ADMINISTRATOR, Role.UNIT_LEADER)
        pk = next((a.unit_id for a in active_assignments(request.user) if a.role in roles), None)
    if pk is None:
        today = timezone.localdate()
        roots = [n for n in tree.nodes.values() if n.parent_id is None and n.valid_on(today)]
        pk = roots[0].pk if roots else next(iter(tree.nodes))
    return Unit.objects.select_related("parent__parent").get(pk=pk)


# --- the pages ----------------------------------------------------------------------------------------------


def _picker(
    request: HttpRequest, page: ReportPage, scope: ReaderScope
) -> tuple[ReportFilter, UnitTree, datetime.datetime]:
    """The picker as the reader filled it in, with the unit tree it offers and the time it was read
    (the period's default, and the instant lateness is judged at)."""
    tree = unit_tree()
    now = timezone.now()
    form = ReportFilter(
        request.GET, scope=scope, tree=tree, default_kind=page.default_period, today=timezone.localdate(now)
    )
    return form, tree, now


def _picked(form: ReportFilter, request: HttpRequest) -> dict[str, str]:
    """What the picker shows as chosen: the period as understood, or what was typed if invalid."""
    if not form.is_valid():
        return {k: v for k, v in request.GET.items() if k in form.fields}
    data = form.cleaned_data
    period = data["period_value"]
    return period_query(data) | {
        "since": data["since_value"].isoformat(),
        "group": data["group_value"],
        "year": str(period.start.year),
        "month": str(period.start.month),
        "quarter": str(period.quarter_number),
    }


def _context(request: HttpRequest, page: ReportPage, scope: ReaderScope, form: ReportFilter) -> dict:
    return {
        "nav": "index",
        "page": page,
        "info": page.info,
        "form": form,
        "picked": _picked(form, request),
        "tabs": _tabs(request, page),
        "whole_province": scope.whole_province,
    }


def _report(request: HttpRequest, page: ReportPage) -> HttpResponse:
    scope = reader_scope(request.user, page.rule)
    if not scope.allowed:
        return _refused(request, page)
    output = request.GET.get("format", "")
    if output not in FORMATS or (output == "pdf" and not page.pdf):
        return _bad_request(
            request, "Định dạng tải về không hợp lệ: chỉ có Excel (xlsx) và, với báo cáo quý, PDF."
        )
    form, tree, now = _picker(request, page, scope)
    context = _context(request, page, scope, form)
    if not form.is_valid():
        return render(request, "reports/report.html", context, status=400)
    data = form.cleaned_data
    period: Period = data["period_value"]
    node = data["unit_node"]
    units = scope.within(tree, node.pk if node else None)
    built = page.build(period, units, now=now, tree=tree, **page.options(data))
    laid_out = page.tables(built)
    scope_text = node.name if node else ("toàn tỉnh" if scope.whole_province else "các đơn vị của tôi")
    heading = exports.Heading(
        title=page.info.title,
        scope=scope_text,
        period=period_text(period),
        rule=page.info.rule,
        made_at=now,
        made_by=person_name(request.user),
    )
    slug = f"{page.info.slug}-{period_slug(period)}"
    if output == "xlsx":
        response = HttpResponse(exports.workbook(heading, laid_out), content_type=exports.XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="{exports.filename(page.info.slug, period_slug(period), now, "xlsx")}"'
        )
        return response
    if output == "pdf":
        response = HttpResponse(
            exports.quarterly_pdf(built, heading, _issuer(request, data, tree)),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = (
            f'inline; filename="{exports.filename(page.info.slug, period_slug(period), now, "pdf")}"'
        )
        response["Cache-Control"] = "private, no-store"
        return response
    query = period_query(data)
    extra = _kept(page, data)
    list_url = _url(request, f"{page.info.url_name}-list")

    def link(row: Any, figure: str) -> str:
        params = {**query, **extra, "figure": figure, **getattr(row, "link_params", {})}
        return f"{list_url}?{urlencode(params)}"

    def href(params: dict) -> str:
        return f"{request.path}?{urlencode(params)}"

    context |= {
        "period": period,
        "period_text": period_text(period),
        "scope_text": scope_text,
        "tables": [tables.view_of(t, link) for t in laid_out],
        "notices": page.notices(built),
        "xlsx_href": href(query | extra | {"format": "xlsx"}),
        "pdf_href": href(query | extra | {"format": "pdf"}) if page.pdf else "",
        "previous_href": href(period_query(data | {"period_value": period.previous()}) | extra),
        "next_href": href(period_query(data | {"period_value": period.following()}) | extra),
        "group": data["group_value"],
        "since": data["since_value"],
        "now": now,
        "slug": slug,
    }
    return render(request, "reports/report.html", context)


def _kept(page: ReportPage, data: dict) -> dict[str, str]:
    """The report's own choices (the zero-online date, the grouping) a link back keeps."""
    kept = {}
    if page.since_field and data.get("since"):
        kept["since"] = data["since"].isoformat()
    if page.group_field:
        kept["group"] = data["group_value"]
    return kept


LIST_TITLES = {
    "dossier": "Danh sách hồ sơ",
    "consultation": "Danh sách yêu cầu xin ý kiến",
    "step": "Danh sách bước xử lý trễ hạn",
    "apology": "Danh sách phiếu xin lỗi",
}


def _records(request: HttpRequest, page: ReportPage) -> HttpResponse:
    scope = reader_scope(request.user, page.rule)
    if not scope.allowed:
        return _refused(request, page)
    form, tree, now = _picker(request, page, scope)
    context = _context(request, page, scope, form)
    if not form.is_valid():
        return render(request, "reports/list.html", context, status=400)
    figure = request.GET.get("figure", "")
    listing = page.listing_of(figure)
    if listing is None:
        return _bad_request(request, "Không có số liệu này trong báo cáo.")
    data = form.cleaned_data
    node = data["unit_node"]
    units = scope.within(tree, node.pk if node else None)
    row_code = request.GET.get("row", "")
    row_pk = None
    if row_code:
        row_pk = next((n.pk for n in tree.nodes.values() if n.code == row_code), None)
        if row_pk is None:
            return _bad_request(request, "Không có đơn vị này.")
    params: dict[str, Any] = {}
    for name in listing.params or {}:
        if name not in request.GET:
            continue
        value = request.GET[name]
        if name == "officer":
            if value == "-":
                params[name] = None
            elif value.isdigit() and len(value) <= 18:
                params[name] = int(value)
            else:
                return _bad_request(request, "Mã cán bộ không hợp lệ.")
        elif len(value) > 255 or "\x00" in value:
            return _bad_request(request, "Tham số danh sách không hợp lệ.")
        else:
            params[name] = value
    period: Period = data["period_value"]
    records = listing.behind(figure, Window(period, now), units, unit=row_pk, params=params)
    number = data.get("page") or 1
    rows, has_next = page_of(records, number, LIST_PAGE_SIZE)
    query = {
        **period_query(data),
        **_kept(page, data),
        "figure": figure,
        **({"row": row_code} if row_code else {}),
    }
    query |= {k: ("-" if v is None else str(v)) for k, v in params.items()}
    here = request.path
    report_url = _url(request, page.info.url_name)
    context |= {
        "figure": listing.figures[figure],
        "kind": listing.kind,
        "list_title": LIST_TITLES[listing.kind],
        "rows": rows,
        "count": records.count(),
        "number": number,
        "first_index": (number - 1) * LIST_PAGE_SIZE + 1,
        "has_next": has_next,
        "previous_href": f"{here}?{urlencode({**query, 'page': number - 1})}" if number > 1 else "",
        "next_href": f"{here}?{urlencode({**query, 'page': number + 1})}" if has_next else "",
        "back_href": f"{report_url}?{urlencode(period_query(data) | _kept(page, data))}",
        "period_text": period_text(period),
        "row_name": tree.nodes[row_pk].name if row_pk else (node.name if node else ""),
        "conditions": conditions_text(params),
        "now": now,
    }
    return render(request, "reports/list.html", context)


def _page_view(name: str, *, listing: bool = False) -> Callable[[HttpRequest], HttpResponse]:
    page = PAGES[name]

    @require_GET
    @officer_required
    def view(request: HttpRequest) -> HttpResponse:
        return _records(request, page) if listing else _report(request, page)

    view.__name__ = name.replace("-", "_") + ("_list" if listing else "")
    return view


# Included under /bao-cao/ by backoffice/report_urls.py; paths are Vietnamese without diacritics.
urlpatterns = [
    entry
    for name, page in PAGES.items()
    for entry in (
        path(f"{page.info.slug}/", _page_view(name), name=name),
        path(f"{page.info.slug}/ho-so/", _page_view(name, listing=True), name=f"{name}-list"),
    )
]
