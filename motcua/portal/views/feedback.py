"""Feedback and complaints (PAKN, R-31) and the rating of finished dossiers (R-32): the list and
search of published answers, sending a PAKN (signed in or not), one PAKN's page, the sender's
rating of the answer, and the applicant's rating of a finished dossier."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.core.net import over_rate
from motcua.documents.services import MAX_SIZE
from motcua.dossiers.applicant_selectors import my_dossier
from motcua.feedback import services
from motcua.feedback.selectors import my_petitions, published_answers, rating_of, visible_petition
from motcua.feedback.services import RATEABLE_STATES, PetitionInput

PER_PAGE = 20
# Anti-abuse (R-31 is open to anyone): a few PAKN per address per hour is plenty for a person.
SUBMIT_RATE = "5/h"


def _signin_first(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('portal:signin')}?{urlencode({'next': request.get_full_path()})}")


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "portal/not_found.html", {"message": message}, status=404)


@require_GET
def feedback_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    page = Paginator(published_answers(q), PER_PAGE).get_page(request.GET.get("trang"))
    return render(
        request,
        "portal/feedback/list.html",
        {
            "nav": "feedback",
            "q": q,
            "page": page,
            "query": urlencode({"q": q}),
            "mine": my_petitions(request.user)[:20],
        },
    )


@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest) -> HttpResponse:
    form = request.POST if request.method == "POST" else request.GET
    context = {"nav": "feedback", "form": form, "max_mb": MAX_SIZE // (1024 * 1024)}
    if request.method == "GET":
        return render(request, "portal/feedback/new.html", context)
    if over_rate(request, "feedback", SUBMIT_RATE):
        context["error"] = DomainError(
            "Bạn đã gửi quá nhiều phản ánh trong thời gian ngắn, vui lòng thử lại sau (R-31).", rule="R-31"
        )
        return render(request, "portal/feedback/new.html", context, status=429)
    try:
        files = request.FILES.getlist("tep")
        if any(f.size > MAX_SIZE for f in files):
            raise DomainError(
                f"Tệp lớn hơn {MAX_SIZE // (1024 * 1024)} MB.", rule="R-31", code="invalid_input"
            )
        data = PetitionInput(
            subject=request.POST.get("tieu_de", "")[:300],
            content=request.POST.get("noi_dung", "")[:10_000],
            sender_name=request.POST.get("ho_ten", "")[:255],
            sender_phone=request.POST.get("dien_thoai", "")[:20],
            sender_email=request.POST.get("thu_dien_tu", "")[:254],
            procedure_code=request.POST.get("ma_thu_tuc", "")[:50],
            dossier_code=request.POST.get("ma_ho_so", "")[:64],
            attachments=[(f.name, f.read()) for f in files],
        )
        petition = services.submit_petition(data, actor=request.user)
    except DomainError as exc:
        context["error"] = exc
        return render(request, "portal/feedback/new.html", context, status=exc.status_code)
    messages.success(
        request,
        f"Đã gửi phản ánh, kiến nghị {petition.code} đến {petition.unit.name}. "
        "Vui lòng lưu mã này để theo dõi kết quả.",
    )
    if request.user.is_authenticated:
        return redirect("portal:feedback-detail", code=petition.code)
    return redirect("portal:feedback")


@require_GET
def feedback_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        petition = visible_petition(request.user, code)
    except NotFound as exc:
        return _not_found(request, exc.message)
    own = request.user.is_authenticated and petition.user_id == request.user.pk
    return render(
        request,
        "portal/feedback/detail.html",
        {"nav": "feedback", "p": petition, "own": own, "can_rate": own and petition.satisfied is None},
    )


@require_POST
def feedback_rate(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signin_first(request)
    choice = request.POST.get("hai_long")
    try:
        if choice not in ("1", "0"):
            raise DomainError(
                "Vui lòng chọn hài lòng hoặc không hài lòng (R-31).", rule="R-31", code="invalid_input"
            )
        services.rate_answer(code, choice == "1", actor=request.user)
    except DomainError as exc:
        try:
            petition = visible_petition(request.user, code)
        except NotFound as missing:
            return _not_found(request, missing.message)
        context = {"nav": "feedback", "p": petition, "own": True, "can_rate": petition.satisfied is None}
        return render(
            request, "portal/feedback/detail.html", {**context, "error": exc}, status=exc.status_code
        )
    messages.success(request, "Cảm ơn bạn đã đánh giá kết quả xử lý phản ánh, kiến nghị.")
    return redirect("portal:feedback-detail", code=code)


@require_http_methods(["GET", "POST"])
def rate_dossier(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signin_first(request)
    try:
        view = my_dossier(request.user, code)
    except NotFound as exc:
        return _not_found(request, exc.message)
    dossier = view.dossier
    existing = rating_of(dossier.pk)
    context = {
        "nav": "mine",
        "d": dossier,
        "rating": existing,
        "finished": dossier.state in RATEABLE_STATES,
        "form": request.POST,
    }
    if request.method == "GET":
        return render(request, "portal/feedback/rate_dossier.html", context)
    choice = request.POST.get("hai_long")
    try:
        if choice not in ("1", "0"):
            raise DomainError(
                "Vui lòng chọn hài lòng hoặc không hài lòng (R-32).", rule="R-32", code="invalid_input"
            )
        services.rate_dossier(
            code, choice == "1", actor=request.user, comment=request.POST.get("y_kien", "")[:2000]
        )
    except DomainError as exc:
        context["error"] = exc
        return render(request, "portal/feedback/rate_dossier.html", context, status=exc.status_code)
    messages.success(request, f"Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ {dossier.code}.")
    return redirect("portal:my-dossier", code=dossier.code)


urlpatterns = [
    path("phan-anh-kien-nghi/", feedback_list, name="feedback"),
    path("phan-anh-kien-nghi/gui/", feedback_new, name="feedback-new"),
    path("phan-anh-kien-nghi/<str:code>/", feedback_detail, name="feedback-detail"),
    path("phan-anh-kien-nghi/<str:code>/danh-gia/", feedback_rate, name="feedback-rate"),
    path("ho-so-cua-toi/<str:code>/danh-gia/", rate_dossier, name="rate-dossier"),
]
