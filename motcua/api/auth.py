"""API sign-in: a password exchanged for a token, sent back as `Authorization: Bearer <token>`.

Password accounts exist only where `PASSWORD_LOGIN_ENABLED` is on (demo, tests); production signs
people in with VNeID (R-26), so there the exchange is refused rather than merely unused.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from motcua.api.throttling import ClientAddressThrottle
from motcua.core.errors import DomainError, PermissionDenied


class BearerTokenAuthentication(TokenAuthentication):
    """DRF's token scheme under the standard keyword (RFC 6750) that API clients expect."""

    keyword = "Bearer"


class InvalidCredentials(DomainError):
    status_code = 400
    code = "invalid_credentials"


class AuthThrottle(ClientAddressThrottle):
    """Password guessing is slowed per client address, whoever it claims to be."""

    scope = "auth"


def obtain_token(request, *, username: str, password: str) -> str:
    if not settings.PASSWORD_LOGIN_ENABLED:
        raise PermissionDenied(
            "Đăng nhập bằng mật khẩu không được bật trên hệ thống này; hãy đăng nhập bằng VNeID.",
            rule="R-26",
            code="password_login_disabled",
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise InvalidCredentials("Tên đăng nhập hoặc mật khẩu không đúng.")
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
