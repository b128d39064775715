"""Online payment of a dossier's fees through the national payment platform (R-29).

`thanh-toan/<code>/`: the applicant's page that opens a payment (POST → the platform's page);
`thanh-toan/ket-qua/<reference>/`: where the platform sends the payer back — it shows OUR state
(settled by the signed callback or a QUERY), never what the query string claims;
`thanh-toan/xac-nhan/`: the platform's server-to-server confirm callback (JSON);
`thanh-toan/bien-lai/<reference>.pdf`: the receipt, for the applicant or an officer who sees the dossier.
"""

from __future__ import annotations

import contextlib
import json
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.dossiers.applicant_selectors import my_dossier
from motcua.dossiers.selectors import visible_dossiers
from motcua.integrations import registry
from motcua.payments import selectors, services
from motcua.payments.models import PaymentState, PaymentTransaction


def _signin_first(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('portal:signin')}?{urlencode({'next': request.get_full_path()})}")


def _not_found(request: HttpRequest, message: str = "Không tìm thấy hồ sơ.") -> HttpResponse:
    return render(request, "portal/not_found.html", {"message": message}, status=404)


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signin_first(request)
    try:
        view = my_dossier(request.user, code)
    except NotFound as exc:
        return _not_found(request, exc.message)
    dossier = view.dossier
    owed = [f for f in dossier.fees.all() if f.paid_at is None and f.amount > 0]
    context = {
        "nav": "mine",
        "d": dossier,
        "owed": owed,
        "total": sum(f.amount for f in owed),
        "payments": selectors.payments_of(dossier)[:10],
    }
    if request.method == "POST":
        try:
            started = services.start_payment(
                dossier,
                actor=request.user,
                return_url=request.build_absolute_uri(reverse("portal:payment-return")),
                callback_url=request.build_absolute_uri(reverse("portal:payment-callback")),
                ip=request.META.get("REMOTE_ADDR", ""),
            )
        except DomainError as exc:
            context["error"] = exc
            return render(request, "portal/payments/pay.html", context, status=exc.status_code)
        return redirect(started.redirect_url)
    response = render(request, "portal/payments/pay.html", context)
    # The form posts here and is redirected to the platform's page: browsers hold that redirect to
    # the page's form-action, so the platform's origin is allowed on this page only.
    origin = _platform_origin()
    if origin:
        response._csp_update = {"form-action": [origin]}
    return response


def _platform_origin() -> str:
    parts = urlsplit(str(registry.config("paygov").get("base_url") or ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@require_GET
def payment_return(request: HttpRequest) -> HttpResponse:
    """The platform's redirect back. The reference comes from the query string, the outcome never
    does: it is our transaction's state (asked of the platform if the callback is not in yet)."""
    if not request.user.is_authenticated:
        return _signin_first(request)
    reference = request.GET.get("MaThamChieu", "")
    payment = (
        PaymentTransaction.objects.select_related("dossier")
        .filter(reference=reference, dossier__applicant__user=request.user)
        .first()
    )
    if payment is None:
        return _not_found(request, "Không tìm thấy giao dịch thanh toán.")
    if payment.state == PaymentState.PENDING:
        # The platform away: the page says "chờ xác nhận", the callback may still come.
        with contextlib.suppress(DomainError):
            payment = services.refresh_payment(payment)
    return render(
        request,
        "portal/payments/result.html",
        {"nav": "mine", "payment": payment, "d": payment.dossier, "paid": payment.state == PaymentState.PAID},
    )


@csrf_exempt
@require_POST
def payment_callback(request: HttpRequest) -> HttpResponse:
    """The platform confirms (server to server, signed with MaXacThuc; no session, no CSRF token)."""
    try:
        payload = json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = {"raw": request.body[:1000].decode("utf-8", "replace")}
    outcome = services.confirm_payment(payload if isinstance(payload, dict) else {"raw": str(payload)[:1000]})
    return JsonResponse(outcome.answer(), status=200 if outcome.accepted else 400)


@require_GET
def payment_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signin_first(request)
    payment = PaymentTransaction.objects.filter(
        reference=reference, dossier__in=visible_dossiers(request.user)
    ).first()
    if payment is None:
        return _not_found(request, "Không tìm thấy giao dịch thanh toán.")
    try:
        content = services.receipt_pdf(payment)
    except DomainError as exc:
        return render(request, "portal/not_found.html", {"message": exc.message}, status=exc.status_code)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bien-lai-{payment.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("ket-qua/", payment_return, name="payment-return"),
    path("xac-nhan/", payment_callback, name="payment-callback"),
    path("bien-lai/<str:reference>/", payment_receipt, name="payment-receipt"),
    path("<str:code>/", pay, name="pay"),
]
