"""Item 8: API tokens are stored hashed (django-rest-knox), expire, and the API is closed by default."""

import pytest

from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _token(client) -> str:
    response = client.post(
        "/api/v1/auth/token",
        {"username": "quantri.thu", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_token_table_does_not_hold_the_token_in_clear(client, admin_user):
    from django.db import connection

    token = _token(client)
    assert client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if "token" in t]
        assert tables
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                assert not any(isinstance(value, str) and token in value for value in row), table


def test_anonymous_dossier_request_is_401_and_catalogue_is_public(client):
    dossiers = client.get("/api/v1/dossiers")
    assert dossiers.status_code == 401
    assert dossiers.json()["error"]["code"] == "not_authenticated"
    assert client.get("/api/v1/procedures").status_code == 200
    assert client.get("/api/v1/units").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_every_api_view_without_explicit_public_permission_requires_sign_in():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == [
        "rest_framework.permissions.IsAuthenticated"
    ]
