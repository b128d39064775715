"""R-20: each unit's list of internal procedures not received in person, as a page and an Excel file."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.backoffice.views.common import officer_required
from motcua.catalog import exports
from motcua.org.models import Unit

ALL = "all"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chosen_unit(request: HttpRequest, units: list[Unit]) -> tuple[Unit | None, bool]:
    """(unit or None for the whole province, valid?) from ?unit=<code>|all, else the officer's own."""
    code = request.GET.get("unit", "").strip()
    if not code:
        return exports.default_unit(request.user, units), True
    if code == ALL:
        return None, True
    unit = next((u for u in units if u.code == code), None)
    return unit, unit is not None


def _unknown_unit(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/error.html",
        {
            "title": "Đơn vị không hợp lệ",
            "message": "Không có đơn vị này trong danh sách đơn vị công bố thủ tục nội bộ.",
            "rule": "R-20",
            "nav": "internal",
        },
        status=400,
    )


@officer_required
def internal_procedures(request: HttpRequest) -> HttpResponse:
    units = list(exports.publishing_units())
    unit, valid = _chosen_unit(request, units)
    if not valid:
        return _unknown_unit(request)
    return render(
        request,
        "backoffice/internal_procedures.html",
        {
            "nav": "internal",
            "units": units,
            "unit": unit,
            "all_value": ALL,
            "rows": exports.internal_procedure_rows(unit),
            "now": timezone.now(),
        },
    )


@officer_required
def internal_procedures_xlsx(request: HttpRequest) -> HttpResponse:
    units = list(exports.publishing_units())
    unit, valid = _chosen_unit(request, units)
    if not valid:
        return _unknown_unit(request)
    now = timezone.now()
    content = exports.internal_procedures_workbook(unit, exports.internal_procedure_rows(unit), at=now)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{exports.workbook_filename(unit, now)}"'
    return response
