"""R-26: the portal's password form exists only where PASSWORD_LOGIN_ENABLED (demo, tests)."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model

from motcua.org.identity import signed_in_with_vneid
from motcua.org.models import Applicant, ApplicantKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    user = get_user_model().objects.create_user("congdan1", password="demo", first_name="Nguyễn Văn Thử")
    Applicant.objects.create(
        user=user, kind=ApplicantKind.CITIZEN, identifier="075088000001", name="Nguyễn Văn Thử"
    )
    return user


def test_r26_password_sign_in_is_refused_when_the_setting_is_off(client, settings, citizen):
    settings.PASSWORD_LOGIN_ENABLED = False

    page = client.get("/dang-nhap/")
    response = client.post("/dang-nhap/", {"username": "congdan1", "password": "demo"})

    assert 'name="password"' not in page.content.decode()
    assert response.status_code == 403
    assert "Đăng nhập bằng mật khẩu không được bật" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_password_sign_in_works_where_enabled_and_is_not_a_vneid_sign_in(client, settings, citizen):
    settings.PASSWORD_LOGIN_ENABLED = True

    response = client.post("/dang-nhap/", {"username": "congdan1", "password": "demo", "next": "/tra-cuu/"})

    assert response.status_code == 302 and response["Location"] == "/tra-cuu/"
    assert client.session[SESSION_KEY] == str(citizen.pk)
    request = response.wsgi_request
    assert signed_in_with_vneid(request) is False


def test_r26_sign_in_page_without_a_provider_says_vneid_is_not_connected(client, settings):
    from motcua.integrations import registry

    registry.reset()
    settings.MOTCUA_INTEGRATIONS = {**settings.MOTCUA_INTEGRATIONS, "vneid": {"base_url": ""}}
    page = client.get("/dang-nhap/")
    start = client.get("/dang-nhap/vneid/")

    assert page.status_code == 200 and "chưa được kết nối với VNeID" in page.content.decode()
    assert start.status_code == 503
    registry.reset()
