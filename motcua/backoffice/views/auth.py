"""Officer sign-in with a local account (demo, tests); VNeID sign-in arrives with the portal issue.

Every password sign-in page (this one and /admin/login/) is limited per client address (the API's
"auth" rate) and locked out per account and address after repeated wrong passwords (django-axes),
and refuses any password while `PASSWORD_LOGIN_ENABLED` is off (R-26).
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy

from motcua.core.net import over_rate
from motcua.core.signin import is_locked_out, password_login_disabled, signin_rate
from motcua.dossiers.selectors import is_officer

TOO_MANY = "Bạn gửi quá nhiều lần đăng nhập từ địa chỉ này; vui lòng thử lại sau một phút."


class SignInRefusals:
    """Say why a sign-in was refused when it was not the password: sign-in by password is off
    (R-26), or the account is locked out from this address."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and is_locked_out(self.request):
                raise ValidationError(settings.AXES_COOLOFF_MESSAGE, code="locked_out") from None
            raise


class OfficerSignInForm(SignInRefusals, AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản này đã bị khóa.",
        "not_officer": "Tài khoản này không có vai trò cán bộ nào đang hiệu lực (R-26).",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not (user.is_superuser or is_officer(user)):
            raise ValidationError(self.error_messages["not_officer"], code="not_officer")


class AdminSignInForm(SignInRefusals, AdminAuthenticationForm):
    pass


def _refused(request: HttpRequest) -> tuple[int, str] | None:
    """Why a password sign-in is refused before its password is looked at: password sign-in is off
    (R-26), or too many attempts from this address. (A locked-out account is answered as 429 by
    django-axes' middleware through core.signin.lockout_response.)"""
    if not settings.PASSWORD_LOGIN_ENABLED:
        return 403, password_login_disabled().message
    if over_rate(request, "signin", signin_rate()):
        return 429, TOO_MANY
    return None


class SignIn(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = OfficerSignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        refusal = _refused(request)
        if refusal is None:
            return super().post(request, *args, **kwargs)
        status, message = refusal
        # Sign-in off: the page itself says so (it shows no form); too many: the form with why.
        context = self.get_context_data(**({"error": message} if status == 429 else {}))
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        return super().get_context_data(password_login=settings.PASSWORD_LOGIN_ENABLED, **kwargs)


def admin_sign_in(request: HttpRequest, extra_context=None) -> HttpResponse:
    """/admin/login/ under the same limits as the officers' page."""
    refusal = _refused(request) if request.method == "POST" else None
    if refusal is not None:
        status, message = refusal
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return admin.site.login(request, extra_context)


class SignOut(auth_views.LogoutView):
    next_page = reverse_lazy("backoffice:login")
