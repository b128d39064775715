"""Reception at the counter (NĐ 118/2025 Điều 17 k1; R-01, R-08, R-17, R-19).

The officer chooses a procedure their counter receives, its case, enters or looks up the applicant,
ticks and scans each required component, sees the appointment the receipt will give, and decides in
the same sitting: receive, ask once for everything missing, or refuse with a reason. One service call
(`receive_at_counter`) enters the dossier and applies the decision atomically.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.backoffice.forms import ReceptionForm
from motcua.backoffice.views.common import is_htmx, officer_required, refusal
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.dossiers import reception_selectors as selectors
from motcua.dossiers import services
from motcua.dossiers.states import Action
from motcua.org.models import Role
from motcua.org.selectors import holds_role_anywhere


def _not_counter_officer(request: HttpRequest) -> HttpResponse | None:
    if holds_role_anywhere(request.user, Role.COUNTER_OFFICER):
        return None
    return render(
        request,
        "backoffice/error.html",
        {
            "title": "Không có quyền tiếp nhận hồ sơ",
            "message": "Chỉ cán bộ tiếp nhận của Bộ phận Một cửa tiếp nhận hồ sơ nộp trực tiếp.",
            "rule": "R-01",
            "nav": "reception",
        },
        status=403,
    )


@officer_required
@require_GET
def choose_procedure(request: HttpRequest) -> HttpResponse:
    if (denied := _not_counter_officer(request)) is not None:
        return denied
    q = request.GET.get("q", "").strip()[:200]
    rows = selectors.counter_procedures(request.user, q)
    context = {
        "nav": "reception",
        "q": q,
        "receivable": [r for r in rows if r.refusal is None],
        "refused": [r for r in rows if r.refusal is not None],
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "ket-qua":
        return render(request, "backoffice/_reception_results.html", context)
    return render(request, "backoffice/reception_choose.html", context)


def _amount(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _render(
    request: HttpRequest,
    setup: selectors.ReceptionSetup,
    form: ReceptionForm | None,
    *,
    problem: dict | None = None,
    status: int = 200,
    found: selectors.ApplicantFound | None = None,
    looked_up: bool = False,
) -> HttpResponse:
    context = {
        "nav": "reception",
        "setup": setup,
        "procedure": setup.procedure,
        "form": form,
        "problem": problem,
        "fees": [(fee, _amount(fee.amount)) for fee in setup.fees],
        "found": found,
        "looked_up": looked_up,
        "files_lost": bool(request.FILES),
    }
    return render(request, "backoffice/reception_form.html", context, status=status)


def _lookup(request: HttpRequest, setup: selectors.ReceptionSetup) -> HttpResponse:
    """Fill the applicant from the last dossier of the same identifier (htmx swaps the applicant
    fields; without JavaScript the whole form comes back with what was typed kept)."""
    kind, identifier = request.GET.get("applicant_kind", ""), request.GET.get("identifier", "")
    found = selectors.find_applicant(kind, identifier)
    initial = {
        key: request.GET.get(key) for key in request.GET if key not in ("lookup", "csrfmiddlewaretoken")
    }
    if found is not None:
        initial.update(name=found.name, phone=found.phone, email=found.email, address=found.address)
    form = ReceptionForm(setup=setup, initial=initial)
    if is_htmx(request):
        context = {"form": form, "found": found, "looked_up": True}
        return render(request, "backoffice/_reception_applicant.html", context)
    return _render(request, setup, form, found=found, looked_up=True)


def _missing_items(request: HttpRequest, setup: selectors.ReceptionSetup) -> HttpResponse:
    """htmx: the supplement list refreshed as components are ticked (R-17: everything missing)."""
    ticked = {c.pk for c in setup.required_documents if request.GET.get(f"present_{c.pk}")}
    names = {c.name for c in setup.required_documents}
    # What the officer typed beyond the catalogue's components stays in the list.
    typed = [line.strip() for line in request.GET.get("items", "").splitlines() if line.strip()]
    missing = [c.name for c in setup.required_documents if c.mandatory and c.pk not in ticked]
    items = "\n".join(missing + [line for line in typed if line not in names])
    form = ReceptionForm(setup=setup, initial={"items": items})
    return render(request, "backoffice/_reception_items.html", {"form": form})


SUCCESS = {
    Action.RECEIVE: (
        "Đã tiếp nhận hồ sơ {}.",
        "giay-tiep-nhan",
        "In Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    ),
    Action.REQUEST_SUPPLEMENT: (
        "Đã yêu cầu bổ sung, hoàn thiện hồ sơ {}.",
        "yeu-cau-bo-sung",
        "In Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    ),
    Action.REJECT: (
        "Đã từ chối tiếp nhận hồ sơ {}.",
        "tu-choi",
        "In Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    ),
}


@officer_required
@require_http_methods(["GET", "POST"])
def reception_form(request: HttpRequest, procedure_code: str) -> HttpResponse:
    if (denied := _not_counter_officer(request)) is not None:
        return denied
    source = request.POST if request.method == "POST" else request.GET
    try:
        setup = selectors.reception_setup(request.user, procedure_code, source.get("case", ""))
    except NotFound as exc:
        return render(
            request, "backoffice/error.html", {"title": "Không tìm thấy", "message": exc.message}, status=404
        )
    if request.method == "GET":
        if setup.case is not None and request.GET.get("lookup"):
            return _lookup(request, setup)
        if setup.case is not None and request.GET.get("missing") and is_htmx(request):
            return _missing_items(request, setup)
        form = ReceptionForm(setup=setup) if setup.case is not None else None
        # another counter's procedure is refused before anything is typed; R-19 is shown
        # the same way (200: the page itself is what the officer asked for).
        status = 403 if isinstance(setup.refusal, PermissionDenied) else 200
        return _render(request, setup, form, status=status)

    form = ReceptionForm(request.POST, request.FILES, setup=setup)
    if setup.case is None:
        problem = {"message": "Hãy chọn trường hợp của thủ tục.", "rule": None, "status": 400}
        return _render(request, setup, None, problem=problem, status=400)
    if not form.is_valid():
        labels = [str(form.fields[name].label) for name in form.errors if name in form.fields]
        problem = {
            "message": "Dữ liệu nhập chưa hợp lệ" + (f": {', '.join(labels)}." if labels else "."),
            "rule": None,
            "status": 400,
        }
        return _render(request, setup, form, problem=problem, status=400)
    decision = form.cleaned_data["decision"]
    try:
        dossier = services.receive_at_counter(
            form.to_submission(),
            decision,
            form.decision_input(),
            actor=request.user,
            uploads=form.uploads(),
        )
    except DomainError as exc:
        return _render(request, setup, form, problem=refusal(exc), status=exc.status_code)
    text, slug, print_label = SUCCESS[decision]
    pdf = reverse("backoffice:dossier-pdf", args=[dossier.code, slug])
    messages.success(request, format_html(text + ' <a href="{}">{}</a>.', dossier.code, pdf, print_label))
    return redirect(reverse("backoffice:dossier", args=[dossier.code]))


@officer_required
@require_POST
def record_refusal(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """R-19, R-21: the officer records an applicant turned away in person because the internal
    procedure must be submitted online — on purpose (a button), never by opening the page, which
    reloads would count again. Back to the procedure's page (a reload there records nothing)."""
    if (denied := _not_counter_officer(request)) is not None:
        return denied
    try:
        attempt = services.record_counter_refusal(procedure_code, actor=request.user)
    except DomainError as exc:
        context = {
            "title": "Không ghi nhận được",
            "message": exc.message,
            "rule": exc.rule,
            "nav": "reception",
        }
        return render(request, "backoffice/error.html", context, status=exc.status_code)
    messages.success(
        request,
        f"Đã ghi nhận lượt từ chối tiếp nhận trực tiếp thủ tục {attempt.procedure.code} lúc "
        f"{timezone.localtime(attempt.at):%H:%M ngày %d/%m/%Y} (R-19). "
        "Hãy hướng dẫn người nộp nộp hồ sơ trực tuyến.",
    )
    return redirect(reverse("backoffice:reception-form", args=[attempt.procedure.code]))
