"""Item 2 / R-26: `MOTCUA_PASSWORD_LOGIN=0` turns off every password sign-in — back office, admin
and API — not only the API's; production signs officers in with VNeID."""

import pytest

from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _password_login_off(settings):
    settings.PASSWORD_LOGIN_ENABLED = False


def test_r26_backoffice_refuses_password_sign_in_when_off(client, admin_user):
    page = client.get("/can-bo/dang-nhap/")
    text = page.content.decode()
    assert "Đăng nhập bằng mật khẩu không được bật" in text and "VNeID" in text
    assert 'name="password"' not in text
    response = client.post("/can-bo/dang-nhap/", {"username": "quantri.thu", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_r26_admin_refuses_password_sign_in_when_off(client, admin_user):
    response = client.post("/admin/login/?next=/admin/", {"username": "quantri.thu", "password": PASSWORD})
    assert response.status_code != 302
    assert "_auth_user_id" not in client.session


def test_r26_api_refuses_password_sign_in_when_off(client, admin_user):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "quantri.thu", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_login_disabled"
    assert response.json()["error"]["rule"] == "R-26"
