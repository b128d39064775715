"""R-25: the dossiers the old one-stop software left open past a cut-off, per unit, with their close-out
(letter 522/UBND-HCC, seed 004: "xử lý dứt điểm, không để tồn tại hồ sơ chưa xử lý, chưa kết thúc").

For the provincial office and administrators (the whole province) and unit leaders (their units).
GET shows the report (`?cutoff=YYYY-MM-DD`, default today; `&format=xlsx` downloads it), POST closes
one dossier out and comes back to the report."""

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from motcua.backoffice.views.common import officer_required
from motcua.core.errors import DomainError, InvalidInput
from motcua.legacy.exports import open_legacy_workbook, workbook_filename
from motcua.legacy.models import CloseOutOutcome
from motcua.legacy.selectors import AGE_BUCKETS, open_legacy_dossiers, report_units
from motcua.legacy.services import close_out_legacy
from motcua.org.models import UnitKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refused(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "backoffice/error.html",
        {"title": title, "message": message, "rule": "R-25", "nav": "legacy"},
        status=status,
    )


def _cutoff(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return None


@officer_required
def legacy_open(request: HttpRequest) -> HttpResponse:
    units = report_units(request.user)
    if units is not None and not units.exists():
        return _refused(
            request,
            "Không có quyền",
            "Báo cáo hồ sơ tồn đọng từ phần mềm cũ dành cho Văn phòng UBND tỉnh, quản trị hệ thống "
            "và lãnh đạo đơn vị (đơn vị mình).",
            403,
        )
    if request.method == "POST":
        return _close_out(request)
    cutoff = _cutoff(request.GET.get("cutoff", "").strip())
    if cutoff is None:
        return _refused(request, "Ngày không hợp lệ", "Mốc rà soát phải là một ngày, dạng YYYY-MM-DD.", 400)
    report = open_legacy_dossiers(cutoff, units)
    now = timezone.now()
    # The units granted, not their divisions one by one.
    scope = "toàn tỉnh" if units is None else ", ".join(u.name for u in units.exclude(kind=UnitKind.DIVISION))
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(open_legacy_workbook(report, scope, at=now), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{workbook_filename(report, now)}"'
        return response
    closable = None if units is None else set(units.values_list("pk", flat=True))
    return render(
        request,
        "backoffice/legacy_open.html",
        {
            "nav": "legacy",
            "report": report,
            "scope": scope,
            "buckets": [label for _, label in AGE_BUCKETS],
            "closable": closable,
            "outcomes": CloseOutOutcome.choices,
            "now": now,
        },
    )


def _local_datetime(text: str) -> datetime.datetime | None:
    """A `datetime-local` field, in Vietnam's time; empty = not given."""
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Thời điểm kết thúc không hợp lệ.", field="finished_at") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _close_out(request: HttpRequest) -> HttpResponse:
    """PRG: the engine's answer as a message on the report the officer came from."""
    data = request.POST
    cutoff = _cutoff(data.get("cutoff", "").strip()) or timezone.localdate()
    back = f"{reverse('backoffice:legacy-open')}?cutoff={cutoff.isoformat()}"
    code = data.get("code", "").strip()
    try:
        version = int(data.get("version", ""))
    except ValueError:
        version = None
    try:
        close_out_legacy(
            code,
            actor=request.user,
            outcome=data.get("outcome", ""),
            reason=data.get("reason", ""),
            version=version,
            finished_at=_local_datetime(data.get("finished_at", "").strip()),
        )
    except DomainError as exc:
        rule = f" ({exc.rule})" if exc.rule else ""
        messages.error(request, f"Hồ sơ {code}: {exc.message}{rule}")
        return redirect(back)
    messages.success(request, f"Đã kết thúc hồ sơ {code}.")
    return redirect(back)


# Included under /can-bo/ho-so-cu/ by backoffice/urls.py (one line there).
urlpatterns = [path("", legacy_open, name="legacy-open")]
