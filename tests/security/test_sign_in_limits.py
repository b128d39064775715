"""Item 2: every password sign-in (back office, admin, API token) is rate-limited per client address
and locked out per (account, address) after `AXES_FAILURE_LIMIT` wrong passwords — after which the
right password is refused too, with a Vietnamese message, until the cool-off ends."""

import pytest
from django.test import override_settings

from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Đăng nhập sai quá nhiều lần"


def _rest(rates: dict) -> dict:
    from django.conf import settings

    return {"REST_FRAMEWORK": {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}}


def _backoffice(client, password: str):
    return client.post("/can-bo/dang-nhap/", {"username": "quantri.thu", "password": password})


def _admin(client, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": "quantri.thu", "password": password})


def _api(client, password: str):
    return client.post(
        "/api/v1/auth/token",
        {"username": "quantri.thu", "password": password},
        content_type="application/json",
    )


@pytest.mark.parametrize("sign_in", [_backoffice, _admin], ids=["back-office", "admin"])
def test_login_page_locks_out_after_wrong_passwords_and_refuses_the_right_one(
    client, admin_user, settings, sign_in
):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        wrong = sign_in(client, "sai-mat-khau")
        assert wrong.status_code in (200, 429)
    right = sign_in(client, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    page = right.content.decode()
    assert LOCKED in page and 'name="password"' in page


def test_backoffice_login_still_works_before_the_limit(client, admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert _backoffice(client, "sai-mat-khau").status_code == 200
    assert _backoffice(client, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)


def test_token_endpoint_locks_out_after_wrong_passwords(client, admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    statuses = [_api(client, "sai-mat-khau").status_code for _ in range(5)]
    assert statuses == [400] * 4 + [429]  # the fifth wrong password locks the account out
    right = _api(client, PASSWORD)
    assert right.status_code == 429
    body = right.json()["error"]
    assert body["code"] == "locked_out" and LOCKED in body["message"]
    assert "token" not in right.json()


def test_lock_out_is_per_account_and_address(client, admin_user, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_superuser("quantri.khac", "khac@example.invalid", PASSWORD)
    for _ in range(3):
        _api(client, "sai-mat-khau")
    assert _api(client, PASSWORD).status_code == 429
    # Another account from the same address, and the same account from another address, still sign in.
    other = client.post(
        "/api/v1/auth/token",
        {"username": "quantri.khac", "password": PASSWORD},
        content_type="application/json",
    )
    assert other.status_code == 200
    elsewhere = client.post(
        "/api/v1/auth/token",
        {"username": "quantri.thu", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.50",
    )
    assert elsewhere.status_code == 200


@pytest.mark.parametrize("path", ["/can-bo/dang-nhap/", "/admin/login/"])
def test_login_pages_are_rate_limited_per_address_whatever_the_account(client, admin_user, path):
    with override_settings(**_rest({"auth": "3/min", "lookup": "30/min"})):
        statuses = [
            client.post(
                path, {"username": f"ai-do-{i}", "password": "x"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
            ).status_code
            for i in range(4)
        ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
