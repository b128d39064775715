"""R-19 → R-21 at the counter page (/can-bo/tiep-nhan/): where the refusal of an internal procedure
with an online service is shown, the officer records the applicant turned away with a button (a
POST with its CSRF token); opening or reloading a page records nothing."""

import re

import pytest
from django.test import Client

from motcua.catalog.models import Channel, Procedure
from motcua.core.errors import RuleViolation
from motcua.dossiers.guards import refuse_internal_offline
from motcua.dossiers.models import Dossier, RefusedAttempt
from motcua.org.models import Counter, Unit
from tests.dossiers.kit import CENTRE, INTERNAL_ONLINE, NOTARY, user

CHOOSE = "/can-bo/tiep-nhan/"
BUTTON = "Ghi nhận lượt từ chối tiếp nhận trực tiếp (R-19)"


def form_url(code: str) -> str:
    return f"/can-bo/tiep-nhan/{code}/"


def record_url(code: str) -> str:
    return f"/can-bo/tiep-nhan/{code}/tu-choi/"


def html(response) -> str:
    return response.content.decode()


def strict_client(username: str) -> Client:
    """A signed-in client that checks CSRF tokens as a browser's requests are checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user(username))
    return client


def button_form(page: str, code: str) -> tuple[str, str]:
    """The button's form on `page`: (its action, its CSRF token)."""
    form = re.search(
        rf'<form method="post" action="([^"]+)"[^>]*id="ghi-nhan-tu-choi-{re.escape(code)}">(.*?)</form>',
        page,
        re.S,
    )
    assert form is not None, "no button form for " + code
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2))
    assert token is not None and BUTTON in form.group(2)
    return form.group(1), token.group(1)


def test_r19_button_records_one_attempt_at_the_officers_counter():
    client = strict_client("tiepnhan.tinh3")
    page = client.get(form_url(INTERNAL_ONLINE))
    assert page.status_code == 200
    action, token = button_form(html(page), INTERNAL_ONLINE)
    assert action == record_url(INTERNAL_ONLINE)

    response = client.post(action, {"csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain == [(form_url(INTERNAL_ONLINE), 302)]
    assert "Đã ghi nhận lượt từ chối tiếp nhận trực tiếp thủ tục 1.019912 lúc" in html(response)
    assert "Hãy hướng dẫn người nộp nộp hồ sơ trực tuyến." in html(response)

    with pytest.raises(RuleViolation) as refusal:  # the refusal the page shows, as the guard words it
        refuse_internal_offline(Procedure.objects.get(code=INTERNAL_ONLINE), Channel.COUNTER)
    attempt = RefusedAttempt.objects.get()
    centre = Unit.objects.get(code=CENTRE)
    assert (attempt.procedure.code, attempt.unit, attempt.counter) == (
        INTERNAL_ONLINE,
        centre,
        Counter.objects.get(centre=centre, number=3),
    )
    assert (attempt.channel, attempt.rule, attempt.reason) == (Channel.COUNTER, "R-19", refusal.value.message)
    assert attempt.actor == user("tiepnhan.tinh3") and attempt.applicant_identifier == ""
    assert not Dossier.objects.filter(procedure__code=INTERNAL_ONLINE).exists()


def test_r19_button_without_csrf_token_is_refused():
    response = strict_client("tiepnhan.tinh3").post(record_url(INTERNAL_ONLINE))
    assert response.status_code == 403
    assert not RefusedAttempt.objects.exists()


def test_r19_viewing_and_reloading_the_pages_records_nothing(client_for):
    client = client_for("tiepnhan.tinh3")
    listed = html(client.get(CHOOSE))
    # The list shows the button beside each refused procedure, and beside no receivable one.
    refused_part = listed[listed.index('id="thu-tuc-khong-tiep-nhan"') :]
    assert button_form(refused_part, INTERNAL_ONLINE)[0] == record_url(INTERNAL_ONLINE)
    assert BUTTON not in listed[: listed.index('id="thu-tuc-khong-tiep-nhan"')]
    for _ in range(2):
        assert client.get(form_url(INTERNAL_ONLINE)).status_code == 200
    assert client.get(CHOOSE, {"q": "cu can bo cong tac nuoc ngoai"}).status_code == 200
    assert client.get(record_url(INTERNAL_ONLINE)).status_code == 405
    assert not RefusedAttempt.objects.exists()


def test_r19_button_is_not_offered_for_a_procedure_received_at_the_counter(client_for):
    client = client_for("tiepnhan.tinh")
    assert BUTTON not in html(client.get(form_url(NOTARY)))
    response = client.post(record_url(NOTARY))
    assert response.status_code == 400
    assert "không thuộc diện chỉ nộp trực tuyến (R-19)" in html(response)
    unknown = client.post(record_url("9.999999"))
    assert unknown.status_code == 404 and "Không tìm thấy thủ tục hành chính" in html(unknown)
    assert not RefusedAttempt.objects.exists()


def test_r01_officer_without_a_counter_role_cannot_record(client_for):
    """A unit leader (an officer, but no counter officer anywhere) and a citizen: refused in Vietnamese."""
    leader = client_for("lanhdao.sotuphap").post(record_url(INTERNAL_ONLINE))
    assert leader.status_code == 403
    assert "Chỉ cán bộ tiếp nhận của Bộ phận Một cửa" in html(leader) and "R-01" in html(leader)
    citizen = client_for("congdan1").post(record_url(INTERNAL_ONLINE))
    assert citizen.status_code == 403 and "không có vai trò cán bộ" in html(citizen)
    assert not RefusedAttempt.objects.exists()


def test_r19_refused_counter_form_is_recorded_once_and_says_so(client_for):
    """The reception form posted for such a procedure (a page opened before the catalogue changed):
    refused with R-19 as before, the attempt recorded by the refusal itself — so no button then."""
    client = client_for("tiepnhan.tinh3")
    response = client.post(
        form_url(INTERNAL_ONLINE),
        {
            "applicant_kind": "state_body",
            "identifier": "000.00.63.H19",
            "name": "UBND phường Long Khánh",
            "result_delivery": "counter",
            "decision": "receive",
        },
    )
    assert response.status_code == 422 and "R-19" in html(response)
    assert 'id="da-ghi-nhan-tu-choi"' in html(response) and BUTTON not in html(response)
    attempt = RefusedAttempt.objects.get()
    assert attempt.applicant_identifier == "000.00.63.H19"
    assert not Dossier.objects.filter(procedure__code=INTERNAL_ONLINE).exists()


def test_r19_button_markup_has_no_inline_script_or_style(client_for):
    """The CSP forbids inline script and style: the form is plain markup."""
    page = html(client_for("tiepnhan.tinh3").get(form_url(INTERNAL_ONLINE)))
    form = page[
        page.index('id="ghi-nhan-tu-choi-') : page.index("</form>", page.index('id="ghi-nhan-tu-choi-'))
    ]
    assert "style=" not in form and "onclick" not in form and "<script" not in form
