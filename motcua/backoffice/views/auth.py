"""Officer sign-in with a local account (demo, tests); VNeID sign-in arrives with the portal issue."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from motcua.dossiers.selectors import is_officer


class OfficerSignInForm(AuthenticationForm):
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


class SignIn(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = OfficerSignInForm
    redirect_authenticated_user = True


class SignOut(auth_views.LogoutView):
    next_page = reverse_lazy("backoffice:login")
