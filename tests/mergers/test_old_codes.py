"""An old unit code still names a unit after a merger (issue 9 item 7): the catalogue API, a
submission choosing its deciding unit and a consultation's addressee resolve it to the successor
(org.services.resolve_unit_code, current_unit)."""

from django.test import Client
from django.utils import timezone

from motcua.dossiers.services import SubmissionInput
from motcua.dossiers.services import submit as submit_dossier
from motcua.org import services
from motcua.org.models import Unit
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, once per module)
from tests.dossiers.kit import (
    CITIZEN,
    FINANCE,
    HOME_AFFAIRS,
    JUSTICE,
    NOTARY,
    act,
    at,
    notary_processing,
    user,
)
from tests.mergers.kit import DECISION, effective_on, home_affairs, justice


def merge(predecessor: Unit, successor: Unit) -> None:
    merger = services.plan_merger(
        [predecessor], successor, effective_on=effective_on(), decision=DECISION, actor=user("quantri")
    )
    services.commit_merger(merger, actor=user("quantri"))


def test_merger_unit_list_api_still_shows_the_old_unit_with_its_successor():
    merge(justice(), home_affairs())
    response = Client().get("/api/v1/units", {"q": JUSTICE, "include_expired": "true"})
    assert response.status_code == 200
    assert JUSTICE in response.content.decode() and HOME_AFFAIRS in response.content.decode()


def test_merger_catalogue_api_resolves_an_old_unit_code_to_its_successor():
    merge(justice(), home_affairs())
    response = Client().get("/api/v1/procedures", {"unit": JUSTICE})
    assert response.status_code == 200
    assert NOTARY in response.content.decode()


def test_merger_submission_naming_the_old_unit_goes_to_its_successor():
    merge(justice(), home_affairs())
    data = SubmissionInput(procedure_code=NOTARY, channel="online", applicant=CITIZEN, unit_code=JUSTICE)
    dossier = submit_dossier(data, actor=user("congdan1"), now=timezone.now())  # points in force today
    assert dossier.deciding_unit.code == HOME_AFFAIRS


def test_merger_consultation_addressed_to_the_old_unit_reaches_its_successor():
    science = Unit.objects.get(code="000.00.06.H19")  # Sở Khoa học và Công nghệ
    merge(Unit.objects.get(code=FINANCE), science)
    d = notary_processing(at("2026-11-02 08:00"))
    d = act(
        d,
        "consult",
        "chuyenvien.sotuphap",
        now=at("2026-11-02 09:00"),
        to_unit=FINANCE,
        reply_days=3,
        content="Đề nghị cho ý kiến về phương án tài chính của văn phòng công chứng.",
    )
    assert d.consultations.get().to_unit == science
