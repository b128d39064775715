"""R-26: the relying party believes only an ID token signed by the provider's key, for this client,
with the nonce of this sign-in (motcua.integrations.vneid.client against the real provider)."""

import dataclasses
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from motcua.integrations import registry
from motcua.integrations.vneid.client import SignInFailed
from tests.signin.oidc import CITIZEN, CLIENT_ID, OidcProvider

REDIRECT = "/dang-nhap/vneid/ket-qua/"


@pytest.fixture
def client(vneid):
    return registry.get("vneid")


def _claims(client, **changes):
    now = int(time.time())
    claims = {
        "iss": client.issuer,
        "aud": CLIENT_ID,
        "sub": "someone",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        "SoDinhDanh": CITIZEN,
        "HoVaTen": "Nguyễn Văn Thử",
    }
    claims.update(changes)
    return claims


def test_discovery_names_the_provider_endpoints(client, vneid):
    meta = client.metadata()
    assert meta["issuer"] == vneid.url
    assert meta["token_endpoint"].startswith(vneid.url)
    assert "S256" in meta["code_challenge_methods_supported"]


def test_r26_id_token_signed_by_another_key_is_refused(client):
    forged = jwt.encode({"alg": "RS256", "kid": "forger"}, _claims(client), RSAKey.generate_key(2048))
    with pytest.raises(SignInFailed) as refused:
        client._validate_id_token(forged, "n-1")
    assert "signature" in refused.value.reason


def test_r26_id_token_signed_with_a_shared_secret_is_refused(client):
    # HMAC with a key anybody could hold (the client secret travels through the browser's owner).
    forged = jwt.encode({"alg": "HS256"}, _claims(client), OctKey.import_key(b"x" * 32))
    with pytest.raises(SignInFailed):
        client._validate_id_token(forged, "n-1")


def test_r26_real_flow_with_another_nonce_is_refused(client, vneid, live_server):
    redirect_uri = f"{live_server.url}{REDIRECT}"
    url, pending = client.begin(redirect_uri)
    with httpx.Client(timeout=30.0) as http:
        callback = vneid.walk(http, url, CITIZEN, until=redirect_uri)
    params = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}

    with pytest.raises(SignInFailed) as refused:
        client.finish(dataclasses.replace(pending, nonce="another-sign-in"), params)
    assert "nonce" in refused.value.reason


def test_real_flow_gives_the_vneid_claims(client, vneid, live_server):
    redirect_uri = f"{live_server.url}{REDIRECT}"
    url, pending = client.begin(redirect_uri)
    with httpx.Client(timeout=30.0) as http:
        callback = vneid.walk(http, url, CITIZEN, until=redirect_uri)
    params = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}

    verified = client.finish(pending, params)

    for name in ("sub", "LoaiTaiKhoan", "SoDinhDanh", "HoVaTen", "NgayThangNamSinh", "TechID"):
        assert name in verified.claims
    assert verified.claims["SoDinhDanh"] == CITIZEN
    assert verified.claims["HoVaTen"] == "Nguyễn Văn Thử"


def test_token_exchange_with_client_secret_post(settings, live_server):
    """A provider that registered this client for client_secret_post gets the secret in the form."""
    redirect_uri = f"{live_server.url}{REDIRECT}"
    provider = OidcProvider([redirect_uri], token_auth_method="client_secret_post")
    provider.start()
    registry.reset()
    try:
        settings.MOTCUA_INTEGRATIONS = {**settings.MOTCUA_INTEGRATIONS, "vneid": provider.conf()}
        client = registry.get("vneid")
        url, pending = client.begin(redirect_uri)
        with httpx.Client(timeout=30.0) as http:
            callback = provider.walk(http, url, CITIZEN, until=redirect_uri)
        params = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}

        assert client.finish(pending, params).claims["SoDinhDanh"] == CITIZEN
    finally:
        registry.reset()
        provider.stop()
