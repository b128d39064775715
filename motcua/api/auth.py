"""API sign-in: a password exchanged for a token, sent back as `Authorization: Bearer <token>`.

Tokens are django-rest-knox's: only a SHA-512 digest is stored, so the token table read from a
backup or a leaked dump opens no account. Password accounts exist only where
`PASSWORD_LOGIN_ENABLED` is on (demo, tests); production signs people in with VNeID (R-26), so there
the exchange is refused rather than merely unused. Wrong passwords count towards the lock-out
(django-axes, motcua/core/signin.py) like those typed on the sign-in pages.
"""

import binascii

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed

from motcua.api.throttling import ClientAddressThrottle
from motcua.core.errors import DomainError
from motcua.core.signin import is_locked_out, locked_out, password_login_disabled


class TokenExpired(AuthenticationFailed):
    default_code = "token_expired"


class BearerTokenAuthentication(TokenAuthentication):
    """knox's hashed tokens under the standard keyword (RFC 6750, REST_KNOX["AUTH_HEADER_PREFIX"]);
    a token lasts `API_TOKEN_TTL` (a lost or copied token must not open the account for ever).

    knox deletes an expired token and answers "invalid token"; a client is better told that its
    token expired, so it signs in again instead of reporting a fault."""

    def authenticate_credentials(self, token: bytes):
        # One query by digest (the primary key) instead of knox's scan of the token-key prefix and
        # of the user's other tokens: the digest of a guess reveals nothing of a real token, and
        # the API's per-request query budget (asserted in tests) stays as it was.
        try:
            digest = hash_token(token.decode("utf-8"))
        except (TypeError, UnicodeDecodeError, binascii.Error):
            raise AuthenticationFailed() from None
        auth_token = AuthToken.objects.select_related("user").filter(digest=digest).first()
        if auth_token is None:
            raise AuthenticationFailed()
        if auth_token.expiry is not None and auth_token.expiry <= timezone.now():
            auth_token.delete()
            raise TokenExpired()
        return self.validate_user(auth_token)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of `BearerTokenAuthentication`: HTTP bearer."""

    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class InvalidCredentials(DomainError):
    status_code = 400
    code = "invalid_credentials"


class AuthThrottle(ClientAddressThrottle):
    """Password guessing is slowed per client address, whoever it claims to be."""

    scope = "auth"


def obtain_token(request, *, username: str, password: str) -> str:
    if not settings.PASSWORD_LOGIN_ENABLED:
        raise password_login_disabled()
    user = authenticate(request, username=username, password=password)
    if user is None:
        if is_locked_out(request):
            raise locked_out()
        raise InvalidCredentials("Tên đăng nhập hoặc mật khẩu không đúng.")
    # A sign-in like the pages' (last_login, django-axes resets the account's failures).
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()  # no dead rows pile up
    _, token = AuthToken.objects.create(user=user, expiry=settings.API_TOKEN_TTL)
    return token
