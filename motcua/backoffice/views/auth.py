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
        if not settings.PASSWORD_LOGIN_ENABLED:
            raise ValidationError(password_login_disabled().message, code="password_login_disabled")
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


class SignIn(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = OfficerSignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            return self.render_to_response(self.get_context_data(), status=403)
        if over_rate(request, "signin", signin_rate()):
            return self.render_to_response(self.get_context_data(error=TOO_MANY), status=429)
        response = super().post(request, *args, **kwargs)
        if is_locked_out(request):
            response.status_code = 429
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(password_login=settings.PASSWORD_LOGIN_ENABLED, **kwargs)


def admin_sign_in(request: HttpRequest, extra_context=None) -> HttpResponse:
    """/admin/login/ under the same limits as the officers' page."""
    if not settings.PASSWORD_LOGIN_ENABLED and request.method == "POST":
        return HttpResponse(
            password_login_disabled().message, status=403, content_type="text/plain; charset=utf-8"
        )
    if request.method == "POST" and over_rate(request, "signin", signin_rate()):
        return HttpResponse(TOO_MANY, status=429, content_type="text/plain; charset=utf-8")
    response = admin.site.login(request, extra_context)
    if is_locked_out(request):
        response.status_code = 429
    return response


class SignOut(auth_views.LogoutView):
    next_page = reverse_lazy("backoffice:login")
