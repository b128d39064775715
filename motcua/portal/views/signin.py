"""Sign-in with VNeID / the national SSO (OpenID Connect code flow, R-26) and sign-out.

/dang-nhap/ shows the "Đăng nhập bằng VNeID" button (and, only where PASSWORD_LOGIN_ENABLED, the
demo accounts' password form); /dang-nhap/vneid/ sends the person to the provider with a fresh
state, nonce and PKCE challenge kept in the session; /dang-nhap/vneid/ket-qua/ is the callback:
the relying party (motcua.integrations.vneid) validates what comes back and motcua.org.identity
decides who signs in — an officer by their recorded number (→ back office), else the citizen or
business applicant. `next` is followed only when it is a path on this site.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core.errors import DomainError
from motcua.core.net import over_rate
from motcua.core.signin import is_locked_out, password_login_disabled, signin_rate
from motcua.integrations import registry
from motcua.integrations.vneid.client import Pending, SignInFailed
from motcua.org.identity import BACKEND, Landing, mark_signed_in_with_vneid, sign_in_verified

log = logging.getLogger(__name__)

FLOW_KEY = "motcua_vneid_flow"  # the pending sign-in (state, nonce, PKCE verifier, next)
BACK_OFFICE_PREFIX = "/can-bo/"
TOO_MANY = "Bạn gửi quá nhiều lần đăng nhập từ địa chỉ này; vui lòng thử lại sau một phút."
NOT_CONNECTED = (
    "Hệ thống chưa được kết nối với VNeID / Cổng dịch vụ công quốc gia nên chưa thể đăng nhập; "
    "vui lòng thử lại sau hoặc liên hệ bộ phận một cửa (R-26)."
)


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """`next` only when it is a path on this site (never another host, scheme-relative or not)."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=set(), require_https=False):
        return ""
    return value


def _landing_url(landing: Landing, next_url: str) -> str:
    if landing == Landing.OFFICER:
        return next_url or reverse("backoffice:queues")
    if next_url.startswith(BACK_OFFICE_PREFIX):
        return ""  # an applicant asked for the back office: the caller says why and goes home
    return next_url or reverse("portal:my-dossiers")


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "portal/signin/error.html", {"message": message, "nav": "signin"}, status=status)


class ApplicantPasswordForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản này đã bị khóa.",
    }


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    password_login = settings.PASSWORD_LOGIN_ENABLED
    form = ApplicantPasswordForm(request) if password_login else None
    error, status = "", 200
    if request.method == "POST":
        # VNeID is the only account; a password opens nothing where the setting is off.
        if not password_login:
            return _refused(request, password_login_disabled().message, 403)
        if over_rate(request, "signin", signin_rate()):
            error, status = TOO_MANY, 429
        else:
            form = ApplicantPasswordForm(request, data=request.POST)
            if form.is_valid():
                login(request, form.get_user())
                return redirect(next_url or reverse("portal:my-dossiers"))
            if is_locked_out(request):
                error, status = settings.AXES_COOLOFF_MESSAGE, 429
            else:
                status = 400
    context = {
        "nav": "signin",
        "next": next_url,
        "form": form,
        "error": error,
        "password_login": password_login,
        "vneid_connected": registry.get("vneid") is not None,
    }
    return render(request, "portal/signin/page.html", context, status=status)


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Send the person to the identity provider, remembering the flow in the session."""
    client = registry.get("vneid")
    if client is None:
        return _refused(request, NOT_CONNECTED, 503)
    conf = registry.config("vneid")
    redirect_uri = conf.get("redirect_uri") or request.build_absolute_uri(reverse("portal:signin-callback"))
    try:
        url, pending = client.begin(redirect_uri, _safe_next(request, request.GET.get("next")))
    except SignInFailed as exc:
        log.warning("vneid sign-in not started: %s", exc.reason)
        return _refused(request, exc.message, exc.status)
    request.session[FLOW_KEY] = pending.to_session()
    return redirect(url)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: validate it, decide who signs in, open the session."""
    client = registry.get("vneid")
    if client is None:
        return _refused(request, NOT_CONNECTED, 503)
    # One answer per sign-in: the pending flow is spent now, whatever comes of it (a replayed or
    # forged callback finds nothing to match).
    pending = Pending.from_session(request.session.pop(FLOW_KEY, None))
    try:
        verified = client.finish(pending, request.GET.dict())
        signed = sign_in_verified(verified.claims)
    except SignInFailed as exc:
        log.warning("vneid sign-in refused: %s", exc.reason)
        return _refused(request, exc.message, exc.status)
    except DomainError as exc:
        log.warning("vneid sign-in refused: %s", exc.code)
        return _refused(request, exc.message, exc.status_code)
    login(request, signed.user, backend=BACKEND)
    mark_signed_in_with_vneid(request)
    target = _landing_url(signed.landing, pending.next_url if pending else "")
    if not target:
        messages.info(request, "Tài khoản của bạn không phải tài khoản cán bộ; đã chuyển về trang cá nhân.")
        target = reverse("portal:my-dossiers")
    return redirect(target)


@require_http_methods(["GET", "POST"])
def signout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        messages.info(request, "Bạn đã đăng xuất.")
        return redirect("portal:home")
    if not request.user.is_authenticated:
        return redirect("portal:home")
    return render(request, "portal/signin/signout.html", {"nav": "signin"})


urlpatterns = [
    path("dang-nhap/", signin, name="signin"),
    path("dang-nhap/vneid/", start, name="signin-vneid"),
    path("dang-nhap/vneid/ket-qua/", callback, name="signin-callback"),
    path("dang-xuat/", signout, name="signout"),
]
