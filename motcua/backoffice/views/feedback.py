"""Officers' pages for feedback and complaints (PAKN, R-31): the queue of the officer's units
(new / due soon / late / answered) and one PAKN's page with its actions. Include at
`phan-anh-kien-nghi/` in backoffice/urls.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from motcua.backoffice.views.common import officer_required, refusal
from motcua.core.errors import DomainError, NotFound
from motcua.feedback import services
from motcua.feedback.models import Classification, PetitionStatus
from motcua.feedback.selectors import QUEUES, handled_petition, handler_units, queue_counts, unit_queue

PER_PAGE = 30
ACTIONS = ("classify", "refuse", "request_info", "provide_info", "answer", "publish")
DONE = {
    "classify": "Đã phân loại phản ánh, kiến nghị.",
    "refuse": "Đã từ chối tiếp nhận phản ánh, kiến nghị.",
    "request_info": "Đã yêu cầu người gửi bổ sung thông tin.",
    "provide_info": "Đã ghi nhận thông tin bổ sung.",
    "answer": "Đã trả lời phản ánh, kiến nghị; chờ lãnh đạo công khai.",
    "publish": "Đã công khai kết quả trả lời.",
}


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(
        request,
        "backoffice/error.html",
        {"title": "Không tìm thấy", "message": exc.message, "rule": exc.rule},
        status=exc.status_code,
    )


@officer_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    units = handler_units(request.user)
    key = request.GET.get("tab", "new")
    if key not in QUEUES:
        key = "new"
    now = timezone.now()
    page = Paginator(unit_queue(units, key, now=now), PER_PAGE).get_page(request.GET.get("trang"))
    counts = queue_counts(units, now=now)
    return render(
        request,
        "feedback/queue.html",
        {
            "nav": "feedback",
            "tabs": [(k, label, counts[k]) for k, label in QUEUES.items()],
            "key": key,
            "page": page,
            "now": now,
            "has_units": bool(units),
        },
    )


def _page(request: HttpRequest, code: str, *, error: DomainError | None = None) -> HttpResponse:
    try:
        petition = handled_petition(request.user, code)
    except NotFound as exc:
        return _error(request, exc)
    return render(
        request,
        "feedback/petition.html",
        {
            "nav": "feedback",
            "p": petition,
            "events": petition.events.select_related("actor").order_by("seq"),
            "classifications": Classification.choices,
            "statuses": PetitionStatus,
            "refusal": refusal(error) if error else None,
            "now": timezone.now(),
        },
        status=error.status_code if error else 200,
    )


@officer_required
@require_GET
def petition_page(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, code)


@officer_required
@require_POST
def petition_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    try:
        handled_petition(request.user, code)  # another unit's PAKN answers as unknown
    except NotFound as exc:
        return _error(request, exc)
    text = request.POST.get("noi_dung", "")[:10_000]
    try:
        if action == "classify":
            services.classify(code, request.POST.get("phan_loai", ""), actor=request.user)
        elif action == "refuse":
            services.refuse(code, text, actor=request.user)
        elif action == "request_info":
            services.request_information(code, text, actor=request.user)
        elif action == "provide_info":
            services.provide_information(code, text, actor=request.user)
        elif action == "answer":
            services.answer(code, text, actor=request.user)
        elif action == "publish":
            services.publish(code, actor=request.user, public=request.POST.get("cong_khai", "1") == "1")
        else:
            raise NotFound("Thao tác không tồn tại (R-31).", rule="R-31")
    except DomainError as exc:
        return _page(request, code, error=exc)
    messages.success(request, DONE[action])
    return redirect("backoffice:feedback-petition", code=code)


urlpatterns = [
    path("", queue, name="feedback-queue"),
    path("<str:code>/", petition_page, name="feedback-petition"),
    path("<str:code>/thao-tac/<str:action>/", petition_action, name="feedback-action"),
]
