"""API sign-in: a password exchanged for a token, sent back as `Authorization: Bearer <token>`.

Password accounts exist only where `PASSWORD_LOGIN_ENABLED` is on (demo, tests); production signs
people in with VNeID (R-26), so there the exchange is refused rather than merely unused.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from motcua.api.throttling import ClientAddressThrottle
from motcua.core.errors import DomainError, PermissionDenied


class TokenExpired(AuthenticationFailed):
    default_code = "token_expired"


def _expired(token: Token) -> bool:
    return token.created + settings.API_TOKEN_TTL < timezone.now()


class BearerTokenAuthentication(TokenAuthentication):
    """DRF's token scheme under the standard keyword (RFC 6750) that API clients expect; a token
    lasts `API_TOKEN_TTL` (a lost or copied token must not open the account for ever)."""

    keyword = "Bearer"

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if _expired(token):
            raise TokenExpired()
        return user, token


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
    if _expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token.key
