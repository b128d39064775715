"""Password sign-in, shared by every door that takes a password (back office, /admin/, API token).

Two authentication backends, in this order (settings.AUTHENTICATION_BACKENDS):
- `LockoutBackend` (django-axes) refuses an account locked out from this address — before the
  password is even checked, so the right password does not end a lock-out either;
- `PasswordBackend` checks the password, and authenticates nobody while `PASSWORD_LOGIN_ENABLED` is
  off: production signs people in with VNeID (R-26), so a password must open nothing there.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse

from motcua.core.errors import DomainError, PermissionDenied


class PasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check. Without a request there is no client address to lock out and no one on
    the network guessing (a management command, the test client's `login`): nothing to check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LockedOut(DomainError):
    status_code = 429
    code = "locked_out"


def password_login_disabled() -> PermissionDenied:
    return PermissionDenied(
        "Đăng nhập bằng mật khẩu không được bật trên hệ thống này; hãy đăng nhập bằng VNeID.",
        rule="R-26",
        code="password_login_disabled",
    )


def is_locked_out(request: HttpRequest) -> bool:
    """After a failed `authenticate(request, …)`: was it refused because of the lock-out?"""
    return bool(getattr(request, "axes_locked_out", False))


def locked_out() -> LockedOut:
    return LockedOut(settings.AXES_COOLOFF_MESSAGE)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials=None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE. Each door already answered the lock-out in its own shape
    (the sign-in page with the message, the API's JSON error): keep that answer, as 429."""
    if original_response is None:
        return HttpResponse(
            settings.AXES_COOLOFF_MESSAGE, status=429, content_type="text/plain; charset=utf-8"
        )
    original_response.status_code = 429
    return original_response


def signin_rate() -> str:
    """One per-address rate for every password sign-in, pages and API alike (MOTCUA_AUTH_RATE)."""
    return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"]
