"""The OpenID Connect relying party for VNeID / the national SSO (REGULATIONS §6.6, R-26).

Built by the registry from `MOTCUA_INTEGRATIONS["vneid"]`:
`{"adapter": "oidc", "base_url": <issuer>, "client_id", "client_secret", "scopes": ["openid"],
"token_auth_method": "client_secret_basic" | "client_secret_post", "acr_values": "", "timeout": 10}`.

The flow: `begin()` makes a fresh `state`, `nonce` and PKCE verifier and the provider's
authorization URL; the caller keeps the `Pending` in the person's session. `finish()` checks the
returned `state` against it, exchanges the code (with the verifier), validates the ID token — its
signature against the provider's JWKS, `iss`, `aud`, `exp`, `iat`, `nonce` — and reads userinfo,
whose `sub` must be the ID token's. Any failure raises `SignInFailed`, with a Vietnamese message.
Discovery and the JWKS are fetched once and kept; the JWKS is fetched again when a token is signed
by a key it does not hold (the provider rotated its keys).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# Algorithms a provider may sign ID tokens with; "none" and HMAC with the client secret are refused.
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
CLOCK_LEEWAY = 60  # seconds of clock difference tolerated on exp / iat
PENDING_LIFETIME = 600  # a sign-in started longer ago than this is refused at the callback


class SignInFailed(Exception):
    """The national SSO did not vouch for the person. `message` is for people (Vietnamese),
    `reason` for the log (English), `status` the HTTP answer the page gets."""

    def __init__(self, message: str, *, reason: str, status: int = 400):
        super().__init__(reason)
        self.message = message
        self.reason = reason
        self.status = status


def _failed(reason: str, message: str = "", status: int = 400) -> SignInFailed:
    return SignInFailed(
        message or "Không xác thực được đăng nhập bằng VNeID; vui lòng đăng nhập lại (R-26).",
        reason=reason,
        status=status,
    )


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Pending:
    """What the relying party remembers between the redirect and the callback (in the session)."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    started_at: float
    next_url: str = ""

    def to_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: Any) -> Pending | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None


@dataclass(frozen=True)
class Verified:
    """The provider's word on who signed in: the validated ID token's claims merged with userinfo."""

    subject: str
    claims: dict[str, Any]
    id_token: str


class OidcClient:
    def __init__(self, conf: dict[str, Any]):
        self.issuer = str(conf["base_url"]).rstrip("/")
        self.client_id = str(conf.get("client_id") or "")
        self.client_secret = str(conf.get("client_secret") or "")
        scopes = conf.get("scopes") or ["openid"]
        if isinstance(scopes, str):
            scopes = scopes.replace(",", " ").split()
        if "openid" not in scopes:
            scopes = ["openid", *scopes]
        self.scopes: list[str] = list(scopes)
        self.token_auth_method = str(conf.get("token_auth_method") or "client_secret_basic")
        if self.token_auth_method not in ("client_secret_basic", "client_secret_post"):
            raise ValueError(f"vneid token_auth_method {self.token_auth_method!r} is not supported")
        self.acr_values = str(conf.get("acr_values") or "")
        self.http = httpx.Client(timeout=float(conf.get("timeout") or 10), follow_redirects=False)
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        self.http.close()

    # --- the provider's description and keys ----------------------------------------------------
    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = self.http.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise _failed(
                f"{what}: {exc!r}", "Không kết nối được máy chủ xác thực VNeID; vui lòng thử lại sau.", 502
            ) from exc
        if response.status_code != 200:
            raise _failed(f"{what}: HTTP {response.status_code}", status=502)
        try:
            body = response.json()
        except ValueError as exc:
            raise _failed(f"{what}: not JSON", status=502) from exc
        if not isinstance(body, dict):
            raise _failed(f"{what}: not a JSON object", status=502)
        return body

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (`/.well-known/openid-configuration`), once."""
        with self._lock:
            if self._metadata is None:
                body = self._get_json(f"{self.issuer}/.well-known/openid-configuration", "discovery")
                # OIDC Discovery §4.3: the document must name the issuer we asked.
                if str(body.get("issuer", "")).rstrip("/") != self.issuer:
                    raise _failed(f"discovery names issuer {body.get('issuer')!r}", status=502)
                for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not body.get(key):
                        raise _failed(f"discovery has no {key}", status=502)
                self._metadata = body
            return self._metadata

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            body = self._get_json(self.metadata()["jwks_uri"], "jwks")
            try:
                keys = KeySet.import_key_set(body)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise _failed(f"jwks unreadable: {exc!r}", status=502) from exc
            with self._lock:
                self._keys = keys
        return self._keys

    # --- the flow ---------------------------------------------------------------------------------
    def begin(self, redirect_uri: str, next_url: str = "") -> tuple[str, Pending]:
        """The provider's authorization URL and what to keep until the callback."""
        pending = Pending(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(64),
            redirect_uri=redirect_uri,
            started_at=time.time(),
            next_url=next_url,
        )
        challenge = _b64url(hashlib.sha256(pending.code_verifier.encode("ascii")).digest())
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(self.scopes),
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if self.acr_values:
            params["acr_values"] = self.acr_values  # the national portal's SSO asks for LoA1
        endpoint = self.metadata()["authorization_endpoint"]
        separator = "&" if "?" in endpoint else "?"
        return f"{endpoint}{separator}{urlencode(params)}", pending

    def finish(self, pending: Pending | None, params: dict[str, str]) -> Verified:
        """Check the callback's parameters against `pending`, then exchange and validate."""
        if pending is None:
            raise _failed(
                "no pending sign-in in the session",
                "Phiên đăng nhập không còn hoặc đã được dùng; vui lòng đăng nhập lại (R-26).",
            )
        state = params.get("state") or ""
        if not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise _failed(
                "state does not match",
                "Yêu cầu đăng nhập không khớp với phiên của bạn (sai tham số state); đã từ chối (R-26).",
            )
        if time.time() - pending.started_at > PENDING_LIFETIME:
            raise _failed("pending sign-in expired", "Phiên đăng nhập đã quá hạn; vui lòng đăng nhập lại.")
        if params.get("error"):
            denied = params.get("error") == "access_denied"
            raise _failed(
                f"provider error {params.get('error')!r}: {params.get('error_description', '')}",
                "Bạn đã từ chối đăng nhập bằng VNeID." if denied else "",
                403 if denied else 400,
            )
        # RFC 9207: when the provider names itself in the answer, it must be the one we asked.
        if params.get("iss") and params["iss"].rstrip("/") != self.issuer:
            raise _failed(f"callback iss {params['iss']!r}")
        code = params.get("code") or ""
        if not code:
            raise _failed("no code in the callback")
        tokens = self._exchange(code, pending)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise _failed("token answer has no id_token", status=502)
        claims = self._validate_id_token(id_token, pending.nonce)
        access_token = tokens.get("access_token")
        if isinstance(access_token, str) and access_token and self.metadata().get("userinfo_endpoint"):
            info = self._userinfo(access_token)
            # OIDC Core §5.3.2: the userinfo `sub` must be the ID token's, or the answer is ignored.
            if info.get("sub") != claims["sub"]:
                raise _failed("userinfo sub differs from the id token's", status=502)
            claims = {**info, **claims}
        return Verified(subject=str(claims["sub"]), claims=claims, id_token=id_token)

    def _exchange(self, code: str, pending: Pending) -> dict[str, Any]:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "code_verifier": pending.code_verifier,
        }
        headers = {"Accept": "application/json"}
        if self.token_auth_method == "client_secret_post":
            data.update(client_id=self.client_id, client_secret=self.client_secret)
        else:
            # RFC 6749 §2.3.1: id and secret are form-encoded before the Basic encoding.
            pair = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        try:
            response = self.http.post(self.metadata()["token_endpoint"], data=data, headers=headers)
        except httpx.HTTPError as exc:
            raise _failed(
                f"token endpoint: {exc!r}",
                "Không kết nối được máy chủ xác thực VNeID; vui lòng thử lại sau.",
                502,
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code != 200:
            # invalid_grant: a code used twice, expired, or not issued for this verifier/redirect.
            reason = f"{body.get('error')} {body.get('error_description', '')}"
            raise _failed(
                f"token endpoint HTTP {response.status_code}: {reason}",
                "Mã xác thực VNeID không hợp lệ, đã hết hạn hoặc đã được dùng; "
                "vui lòng đăng nhập lại (R-26).",
            )
        return body

    def _validate_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        token = self._decode(id_token)
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as exc:
            raise _failed(f"id token claims: {exc!r}") from exc
        audience = token.claims.get("aud")
        # OIDC Core §3.1.3.7: with several audiences, azp must be us.
        if isinstance(audience, list) and len(audience) > 1 and token.claims.get("azp") != self.client_id:
            raise _failed("id token azp is not this client")
        return dict(token.claims)

    def _decode(self, id_token: str) -> jwt.Token:
        try:
            return jwt.decode(id_token, self._key_set(), algorithms=SIGNING_ALGORITHMS)
        except (ValueError, JoseError):
            pass
        # Perhaps signed by a key we do not hold yet (the provider rotated): fetch the JWKS once more.
        try:
            return jwt.decode(id_token, self._key_set(refresh=True), algorithms=SIGNING_ALGORITHMS)
        except (ValueError, JoseError) as exc:
            raise _failed(f"id token signature: {exc!r}") from exc

    def _userinfo(self, access_token: str) -> dict[str, Any]:
        try:
            response = self.http.get(
                self.metadata()["userinfo_endpoint"],
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise _failed(f"userinfo: {exc!r}", status=502) from exc
        if response.status_code != 200:
            raise _failed(f"userinfo HTTP {response.status_code}", status=502)
        if "jwt" in response.headers.get("content-type", ""):
            # A signed userinfo answer (application/jwt): the same keys vouch for it.
            return dict(self._decode(response.text).claims)
        try:
            body = response.json()
        except ValueError as exc:
            raise _failed("userinfo not JSON", status=502) from exc
        if not isinstance(body, dict):
            raise _failed("userinfo not a JSON object", status=502)
        return body
