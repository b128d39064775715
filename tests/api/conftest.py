"""Fixtures for the dossier API: the demo province, signed-in clients, uploaded documents."""

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from motcua.demo.loader import load_demo

# MD5 only for the test run: ~80 PBKDF2 hashes (and every sign-in) would dominate the suite's time.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Demo people (motcua/demo/data/accounts.json; password "demo").
CITIZEN = {
    "kind": "citizen",
    "identifier": "075088000001",
    "name": "Nguyễn Văn Thử",
    "phone": "0900000001",
    "address": "Khu phố 1, phường Trấn Biên, tỉnh Đồng Nai",
}
OTHER_CITIZEN = {"kind": "citizen", "identifier": "075092000002", "name": "Trần Minh Mẫu"}
STATE_BODY = {
    "kind": "state_body",
    "identifier": "000.00.63.H19",
    "unit": "000.00.63.H19",
    "name": "Ủy ban nhân dân phường Long Khánh",
}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo province, loaded once per module in a transaction rolled back at its end; each
    test still runs in its own savepoint, so tests do not see each other's dossiers."""
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def anon() -> APIClient:
    """A client that has not signed in."""
    return APIClient()


@pytest.fixture
def login(demo, db) -> Callable[[str], APIClient]:
    """`login("congdan1")` → a client sending that demo account's Bearer token."""

    def sign_in(username: str) -> APIClient:
        client = APIClient()
        response = client.post(
            "/api/v1/auth/token", {"username": username, "password": "demo"}, format="json"
        )
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
        return client

    return sign_in


def upload(client: APIClient, kind: str = "submitted", *, signed: bool = False, name: str = "") -> str:
    """Upload a small PDF of `kind` (truly signed by the demo CA's signer when `signed`: the
    signature is verified on upload, not claimed); returns its id."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.demo.signing import signed_pdf

    content = signed_pdf(kind) if signed else PDF
    response = client.post(
        "/api/v1/documents",
        {
            "file": SimpleUploadedFile(name or f"{kind}.pdf", content, content_type="application/pdf"),
            "kind": kind,
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]
