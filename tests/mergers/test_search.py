"""Old codes stay searchable after a merger (issue 9 item 7): the back-office search finds the
moved dossiers by the merged unit's old code or old name, and by their codes, which carry the old
unit's identifier and never change — always within what the officer may see (R-26)."""

import pytest
from django.test import Client

from motcua.dossiers import search
from motcua.org import services
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, once per module)
from tests.dossiers.kit import JUSTICE, user
from tests.mergers.kit import DECISION, effective_on, home_affairs, justice, make_case

SEARCH = "/can-bo/tim-kiem/"


@pytest.fixture
def case():
    case = make_case()
    merger = services.plan_merger(
        [justice()], home_affairs(), effective_on=effective_on(), decision=DECISION, actor=user("quantri")
    )
    services.commit_merger(merger, actor=user("quantri"))
    return case


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def found(username: str, text: str) -> set[str]:
    return {d.code for d in search.search_dossiers(user(username), text, per_page=100).rows}


@pytest.mark.parametrize("text", [JUSTICE, JUSTICE.lower(), "Sở Tư pháp", "so tu phap"])
def test_merger_search_by_old_unit_code_or_name_finds_the_moved_dossiers(case, text):
    moved = {d.code for d in case.moving}
    # The successor's officer, and the predecessor's former officer now acting there.
    for officer in ("chuyenvien.sonoivu", "chuyenvien.sotuphap"):
        assert moved <= found(officer, text), (officer, text)
    # Received at the Centre: its code carries the Centre's identifier, found by the old unit all the same.
    assert not case.processing.code.startswith(JUSTICE)


def test_merger_search_page_finds_moved_dossiers_by_the_old_code(case):
    response = signed_in("chuyenvien.sonoivu").get(SEARCH, {"q": JUSTICE})
    assert response.status_code == 200
    body = response.content.decode()
    for dossier in case.moving:
        assert f'href="/can-bo/ho-so/{dossier.code}/"' in body, dossier.code


def test_merger_dossier_code_carrying_the_old_identifier_opens_the_dossier(case):
    code = case.submitted.code
    assert code.startswith(JUSTICE + "-")  # never re-issued under the successor's identifier
    response = signed_in("chuyenvien.sonoivu").get(SEARCH, {"q": code})
    assert response.status_code == 302 and response["Location"] == f"/can-bo/ho-so/{code}/"


def test_r26_search_by_old_unit_code_shows_only_what_the_officer_may_see(case):
    # Sở Tài chính is asked for its opinion on one of them: that one only (R-12 consultation).
    assert found("chuyenvien.sotaichinh", JUSTICE) == {case.consulting.code}
    # A ward's counter sees none of them.
    assert found("tiepnhan.tranbien", JUSTICE) == set()
    assert found("tiepnhan.tranbien", "so tu phap") == set()


def test_merger_search_by_a_name_of_no_merged_unit_is_the_usual_word_search(case):
    # Sở Nội vụ was not merged: its name searches applicants' names and codes only, as before.
    assert found("chuyenvien.sonoivu", "Sở Nội vụ") == set()
