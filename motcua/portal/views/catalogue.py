"""The procedure catalogue people search (diacritics-insensitive: "cap giay phep xay dung" finds
"Cấp giấy phép xây dựng"), each procedure's page with its seven published components, online
submission where the province switches it on (R-28), and the applicant's own dossiers (R-26)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from motcua.catalog.models import Channel, OnlineLevel, ProcedureLevel
from motcua.catalog.selectors import (
    case_duration,
    procedure_detail,
    public_fields,
    public_procedures,
    public_units,
)
from motcua.core.errors import DomainError, NotFound
from motcua.documents.services import MAX_SIZE
from motcua.dossiers.applicant_selectors import (
    applicant_of,
    applicant_store,
    my_document,
    my_dossier,
    my_dossiers,
    store_links,
)
from motcua.dossiers.models import ResultDelivery
from motcua.dossiers.online import submit_online
from motcua.dossiers.services import ApplicantInput, SubmissionInput, Upload
from motcua.org.identity import signed_in_with_vneid

PER_PAGE = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"fields": public_fields()[:12], "count": public_procedures().count(), "nav": "home"},
    )


@require_GET
def procedures(request: HttpRequest) -> HttpResponse:
    chosen = {
        "q": request.GET.get("q", "").strip()[:200],
        "field": request.GET.get("linh_vuc", "")[:50],
        "unit": request.GET.get("co_quan", "")[:50],
        "level": request.GET.get("cap", "") if request.GET.get("cap") in ProcedureLevel.values else "",
        "online_level": request.GET.get("muc_do", "")
        if request.GET.get("muc_do") in OnlineLevel.values
        else "",
    }
    found = public_procedures(**{k: v or None for k, v in chosen.items()} | {"q": chosen["q"]})
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("trang"))
    params = {k: v for k, v in request.GET.items() if k != "trang" and v}
    return render(
        request,
        "portal/procedures.html",
        {
            "nav": "procedures",
            "page": page,
            "chosen": chosen,
            "fields": public_fields(),
            "units": public_units(),
            "levels": ProcedureLevel.choices,
            "online_levels": OnlineLevel.choices,
            "query": urlencode(params),
        },
    )


def _procedure_or_404(request: HttpRequest, code: str):
    try:
        procedure = procedure_detail(code)
    except NotFound as exc:
        return None, render(request, "portal/not_found.html", {"message": exc.message}, status=404)
    if not procedure.published or procedure.internal:
        return None, render(
            request,
            "portal/not_found.html",
            {"message": "Thủ tục này không công khai trên Cổng."},
            status=404,
        )
    return procedure, None


@require_GET
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    found, refusal = _procedure_or_404(request, code)
    if refusal:
        return refusal
    cases = [
        {
            "case": case,
            "durations": {d.channel: d for d in case.durations.all()},
            "documents": case.documents.all(),
        }
        for case in found.cases.all()
    ]
    return render(
        request,
        "portal/procedure.html",
        {
            "nav": "procedures",
            "procedure": found,
            "cases": cases,
            "owners": [link for link in found.unit_links.all()],
            "points": list(found.reception_points.all()),
            "online": found.online_level != OnlineLevel.NONE,
            "submission_open": settings.MOTCUA_PORTAL_SUBMISSION and found.online_level != OnlineLevel.NONE,
        },
    )


def _signin_first(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('portal:signin')}?{urlencode({'next': request.get_full_path()})}")


def _uploads(request: HttpRequest, components) -> tuple[list[Upload], dict[int, uuid.UUID]]:
    """The files sent for each component, and the papers chosen again from the store. A file
    larger than the limit is refused before it is read into memory."""
    uploads, reused = [], {}
    for component in components:
        choice = request.POST.get(f"dung_lai_{component.pk}", "")
        if choice:
            try:
                reused[component.pk] = uuid.UUID(choice)
            except ValueError:
                raise DomainError(
                    "Giấy tờ chọn dùng lại không hợp lệ.", rule="R-30", code="invalid_input"
                ) from None
            continue
        for handle in request.FILES.getlist(f"tep_{component.pk}"):
            if handle.size > MAX_SIZE:
                raise DomainError(
                    f"Tệp “{handle.name[:100]}” lớn hơn {MAX_SIZE // (1024 * 1024)} MB.", code="invalid_input"
                )
            uploads.append(
                Upload(
                    name=handle.name,
                    content=handle.read(),
                    kind="submitted",
                    required_document_id=component.pk,
                )
            )
    return uploads, reused


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    found, refusal = _procedure_or_404(request, code)
    if refusal:
        return refusal
    if not settings.MOTCUA_PORTAL_SUBMISSION or found.online_level == OnlineLevel.NONE:
        return render(
            request,
            "portal/not_found.html",
            {"message": "Thủ tục này không nhận hồ sơ trực tuyến trên Cổng của tỉnh (R-28)."},
            status=404,
        )
    if not request.user.is_authenticated:
        return _signin_first(request)
    applicant = applicant_of(request.user)
    cases = list(found.cases.all())
    chosen = (
        request.POST.get("truong_hop")
        or request.GET.get("truong_hop")
        or (cases[0].code if len(cases) == 1 else "")
    )
    case = next((c for c in cases if c.code == chosen), None)
    context = {
        "nav": "procedures",
        "procedure": found,
        "cases": cases,
        "case": case,
        "applicant": applicant,
        "store": applicant_store(request.user) if applicant else [],
        "deliveries": ResultDelivery.choices,
        "duration": case_duration(case, Channel.ONLINE) if case else None,
        "fees": [f for f in case.fees.all() if f.channel in ("", Channel.ONLINE)] if case else [],
        "max_mb": MAX_SIZE // (1024 * 1024),
        "form": request.POST,
    }
    if request.method == "GET" or applicant is None or case is None:
        status = 403 if applicant is None else 200
        return render(request, "portal/submit.html", context, status=status)
    data = SubmissionInput(
        procedure_code=found.code,
        channel=Channel.ONLINE,
        applicant=ApplicantInput(
            phone=request.POST.get("dien_thoai", "").strip()[:20],
            email=request.POST.get("thu_dien_tu", "").strip()[:254],
            address=request.POST.get("dia_chi", "").strip()[:255],
        ),
        summary=request.POST.get("trich_yeu", "").strip()[:1000],
        case_code=case.code,
        result_delivery=request.POST.get("nhan_ket_qua", ResultDelivery.COUNTER),
    )
    try:
        uploads, reused = _uploads(request, case.documents.all())
        dossier = submit_online(
            data,
            actor=request.user,
            uploads=uploads,
            reused=reused,
            vneid_verified=signed_in_with_vneid(request),
        )
    except DomainError as exc:
        context["error"] = exc
        return render(request, "portal/submit.html", context, status=exc.status_code)
    messages.success(request, f"Đã nộp hồ sơ {dossier.code}. Mã tra cứu: {dossier.lookup_secret}.")
    return redirect("portal:my-dossier", code=dossier.code)


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signin_first(request)
    page = Paginator(my_dossiers(request.user), PER_PAGE).get_page(request.GET.get("trang"))
    return render(
        request,
        "portal/my_dossiers.html",
        {"nav": "mine", "page": page, "applicant": applicant_of(request.user)},
    )


@require_GET
def my_store(request: HttpRequest) -> HttpResponse:
    """The applicant's store (NĐ 45/2020 Điều 16, R-30): electronic results issued to him and the
    papers he gave, each downloadable and taken again by later dossiers instead of a new upload."""
    if not request.user.is_authenticated:
        return _signin_first(request)
    links = store_links(request.user)
    return render(
        request,
        "portal/my_store.html",
        {
            "nav": "mine",
            "applicant": applicant_of(request.user),
            "results": [link for link in links if link.document.kind == "result"],
            "papers": [link for link in links if link.document.kind != "result"],
        },
    )


@require_GET
def my_one(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signin_first(request)
    try:
        view = my_dossier(request.user, code)
    except NotFound as exc:
        return render(request, "portal/not_found.html", {"message": exc.message}, status=404)
    return render(request, "portal/my_dossier.html", {"nav": "mine", "view": view, "d": view.dossier})


@require_GET
def my_file(request: HttpRequest, code: str, document_id: uuid.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signin_first(request)
    try:
        document = my_document(request.user, code, document_id)
    except NotFound as exc:
        return render(request, "portal/not_found.html", {"message": exc.message}, status=404)
    try:
        handle = document.file.open("rb")
    except OSError:
        return render(
            request, "portal/not_found.html", {"message": "Tệp này không còn trong kho lưu trữ."}, status=404
        )
    # Downloaded with its checked type, never shown inline: an uploaded file never runs in our origin.
    response = FileResponse(
        handle, as_attachment=True, filename=document.name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("thu-tuc/", procedures, name="procedures"),
    path("thu-tuc/<str:code>/", procedure, name="procedure"),
    path("thu-tuc/<str:code>/nop-ho-so/", submit, name="submit"),
    path("ho-so-cua-toi/", mine, name="my-dossiers"),
    path("kho-du-lieu-cua-toi/", my_store, name="my-store"),
    path("ho-so-cua-toi/<str:code>/", my_one, name="my-dossier"),
    path("ho-so-cua-toi/<str:code>/giay-to/<uuid:document_id>/", my_file, name="my-document"),
]
