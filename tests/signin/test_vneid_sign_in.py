"""R-26: VNeID is the only account — the OpenID Connect code flow end to end, over HTTP, against a
real provider (the npm `oidc-provider`) with VNeID-shaped claims."""

from importlib import import_module
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import RequestFactory

from motcua.org.identity import signed_in_with_vneid
from motcua.org.models import Applicant, ApplicantKind, OfficerIdentity
from tests.signin.oidc import (
    BUSINESS_CODE,
    BUSINESS_REPRESENTATIVE,
    CITIZEN,
    NEW_CITIZEN,
    NO_PERSONAL_ID,
    OFFICER_JUSTICE,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _session(http):
    store = import_module(settings.SESSION_ENGINE).SessionStore
    key = http.cookies.get(settings.SESSION_COOKIE_NAME)
    return store(session_key=key) if key else store()


def _request_of(http):
    """A request carrying the person's session, as the online-submission code would get it."""
    session = _session(http)
    request = RequestFactory().get("/")
    request.session = session
    user_id = session.get(SESSION_KEY)
    request.user = get_user_model().objects.get(pk=user_id) if user_id else None
    if request.user is None:
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
    return request


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_r26_citizen_signs_in_with_vneid_and_becomes_an_applicant(vneid, live_server, browser_http):
    response = vneid.sign_in(browser_http, live_server.url, NEW_CITIZEN)

    assert response.status_code == 200
    assert urlsplit(str(response.url)).path == "/ho-so-cua-toi/"
    applicant = Applicant.objects.get(kind=ApplicantKind.CITIZEN, identifier=NEW_CITIZEN)
    assert applicant.name == "Lê Thị Mới"
    assert applicant.phone == "0900000004"
    assert applicant.email == "lethimoi@example.invalid"
    user = applicant.user
    assert user.username == f"vneid.{NEW_CITIZEN}"
    assert user.get_full_name() == "Lê Thị Mới"
    assert not user.has_usable_password()  # this account opens only through VNeID
    session = _session(browser_http)
    assert session[SESSION_KEY] == str(user.pk)
    assert session["motcua_signin"] == "vneid"
    assert signed_in_with_vneid(_request_of(browser_http)) is True
    assert "Lê Thị Mới" in response.text


def test_r26_existing_applicant_is_signed_in_and_updated_from_the_claims(vneid, live_server, browser_http):
    demo_user = get_user_model().objects.create_user("congdan1", first_name="Tên cũ")
    Applicant.objects.create(
        user=demo_user, kind=ApplicantKind.CITIZEN, identifier=CITIZEN, name="Tên cũ", phone="0911111111"
    )

    response = vneid.sign_in(browser_http, live_server.url, CITIZEN)

    assert response.status_code == 200
    applicant = Applicant.objects.get(kind=ApplicantKind.CITIZEN, identifier=CITIZEN)
    assert applicant.user == demo_user  # the same account, no second one
    assert applicant.name == "Nguyễn Văn Thử"
    assert applicant.phone == "0900000001"
    assert _session(browser_http)[SESSION_KEY] == str(demo_user.pk)
    assert get_user_model().objects.filter(username__startswith="vneid.").count() == 0


def test_r26_business_representative_signs_in_as_the_business(vneid, live_server, browser_http):
    response = vneid.sign_in(browser_http, live_server.url, BUSINESS_REPRESENTATIVE)

    assert response.status_code == 200
    business = Applicant.objects.get(kind=ApplicantKind.BUSINESS, identifier=BUSINESS_CODE)
    assert business.name == "Công ty TNHH Thương mại Dịch vụ Mẫu Đồng Nai"
    assert business.email == "lienhe@mau-dongnai.example.invalid"
    assert _session(browser_http)[SESSION_KEY] == str(business.user.pk)
    assert _session(browser_http)["motcua_signin"] == "vneid"
    # The representative's own number makes no citizen applicant.
    assert not Applicant.objects.filter(identifier=BUSINESS_REPRESENTATIVE).exists()


def test_r26_officer_matched_by_personal_number_lands_in_the_back_office(
    vneid, live_server, browser_http, justice_officer
):
    response = vneid.sign_in(browser_http, live_server.url, OFFICER_JUSTICE, next="/can-bo/")

    assert response.status_code == 200
    assert urlsplit(str(response.url)).path.startswith("/can-bo/")
    assert _session(browser_http)[SESSION_KEY] == str(justice_officer.pk)
    assert signed_in_with_vneid(_request_of(browser_http)) is True
    assert not Applicant.objects.filter(identifier=OFFICER_JUSTICE).exists()


def test_r26_claims_never_make_an_officer(vneid, live_server, browser_http, justice_officer):
    """A number nobody recorded for an officer signs in as a citizen, even when it asks for the
    back office."""
    response = vneid.sign_in(browser_http, live_server.url, NEW_CITIZEN, next="/can-bo/")

    assert urlsplit(str(response.url)).path == "/ho-so-cua-toi/"
    user = get_user_model().objects.get(username=f"vneid.{NEW_CITIZEN}")
    assert not user.role_assignments.exists()
    assert not OfficerIdentity.objects.filter(user=user).exists()


def test_r26_claims_without_a_valid_personal_number_are_refused(vneid, live_server, browser_http):
    users_before = get_user_model().objects.count()

    response = vneid.sign_in(browser_http, live_server.url, NO_PERSONAL_ID)

    assert response.status_code == 403
    assert "số định danh cá nhân hợp lệ (12 chữ số)" in response.text
    assert get_user_model().objects.count() == users_before
    assert not Applicant.objects.exists()
    assert SESSION_KEY not in _session(browser_http)


def test_r26_tampered_state_is_refused(vneid, live_server, browser_http):
    callback = vneid.authorize(browser_http, live_server.url, NEW_CITIZEN)

    response = browser_http.get(_with_query(callback, state="forged-state"), follow_redirects=True)

    assert response.status_code == 400
    assert "state" in response.text and "từ chối" in response.text
    assert SESSION_KEY not in _session(browser_http)
    assert not Applicant.objects.exists()


def test_r26_replayed_code_is_refused(vneid, live_server, browser_http):
    callback = vneid.authorize(browser_http, live_server.url, NEW_CITIZEN)
    assert browser_http.get(callback, follow_redirects=True).status_code == 200
    browser_http.cookies.clear()  # a new browser (an attacker holding the old callback URL)

    # The same answer again, in the same (fresh) session: nothing pending matches it.
    assert browser_http.get(callback, follow_redirects=True).status_code == 400
    # The code with a new sign-in's own state: the provider refuses a code already used.
    fresh = vneid.authorize(browser_http, live_server.url, NEW_CITIZEN)
    old_code = parse_qs(urlsplit(callback).query)["code"][0]
    response = browser_http.get(_with_query(fresh, code=old_code), follow_redirects=True)

    assert response.status_code == 400
    assert "đã được dùng" in response.text
    assert SESSION_KEY not in _session(browser_http)


def test_r26_next_to_another_site_is_ignored(vneid, live_server, browser_http):
    response = vneid.sign_in(browser_http, live_server.url, NEW_CITIZEN, next="https://evil.example/steal")
    assert urlsplit(str(response.url)).netloc == urlsplit(live_server.url).netloc
    assert urlsplit(str(response.url)).path == "/ho-so-cua-toi/"


def test_r26_next_on_this_site_is_followed(vneid, live_server, browser_http):
    response = vneid.sign_in(browser_http, live_server.url, NEW_CITIZEN, next="/tra-cuu/?ma=1")
    assert urlsplit(str(response.url)).path == "/tra-cuu/"


@pytest.mark.parametrize("next_url", ["//evil.example/x", "/\\evil.example", "http://evil.example/"])
def test_r26_scheme_relative_and_absolute_next_are_ignored(vneid, live_server, browser_http, next_url):
    response = vneid.sign_in(browser_http, live_server.url, NEW_CITIZEN, next=next_url)
    assert urlsplit(str(response.url)).netloc == urlsplit(live_server.url).netloc


def test_sign_out_ends_the_session(vneid, live_server, browser_http):
    vneid.sign_in(browser_http, live_server.url, NEW_CITIZEN)
    page = browser_http.get(f"{live_server.url}/dang-xuat/")
    token = browser_http.cookies.get(settings.CSRF_COOKIE_NAME)
    assert page.status_code == 200 and token

    response = browser_http.post(
        f"{live_server.url}/dang-xuat/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{live_server.url}/dang-xuat/"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert SESSION_KEY not in _session(browser_http)
    assert signed_in_with_vneid(_request_of(browser_http)) is False
