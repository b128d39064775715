"""`available_actions`: the buttons of the dossier page are exactly the actions the engine would let
this person try now — a dry run of the who-guards (R-26) and standing guards, never the effects."""

import pytest

from motcua.dossiers.lifecycle import allowed_actions, answerable_consultations, available_actions
from motcua.dossiers.models import Dossier
from tests.dossiers.kit import (
    NOTARY,
    ON_THE_SPOT,
    act,
    at,
    consult,
    consulted_processing,
    doc,
    forward_to,
    fresh,
    notary_processing,
    notary_received,
    submit,
    user,
)

NOW = at("2026-03-02 08:30")


def actions(dossier: Dossier, username: str) -> set[str]:
    return set(available_actions(fresh(dossier), user(username), NOW))


def test_a_submitted_online_dossier_is_received_by_the_deciding_units_own_point():
    """R-02: online dossiers go to the department's own reception point, not the Centre (R-01)."""
    d = submit(NOTARY, now=NOW)
    assert actions(d, "chuyenvien.sotuphap") == {"receive", "reject", "request_supplement"}
    assert actions(d, "tiepnhan.tinh") == set()
    assert actions(d, "lanhdao.sotuphap") == set()  # a leader is not a counter officer
    assert actions(d, "congdan1") == set()


def test_r08_issue_result_offered_at_the_counter_only_for_on_the_spot_procedures():
    received = notary_received(NOW)
    assert actions(received, "tiepnhan.tinh") == {"forward", "request_withdrawal"}
    assert actions(received, "lanhdao.sotuphap") == {
        "forward",
        "stop",
    }  # the deciding unit takes it over

    spot = submit(ON_THE_SPOT, channel="counter", actor="tiepnhan.tranbien", now=NOW)
    spot = act(spot, "receive", "tiepnhan.tranbien", now=NOW)
    assert actions(spot, "tiepnhan.tranbien") == {"forward", "request_withdrawal", "issue_result"}


def test_r26_processing_step_actions_follow_the_step_role():
    d = notary_processing(NOW)  # step 2: appraisal by a processing officer of Sở Tư pháp
    officer = actions(d, "chuyenvien.sotuphap")
    assert officer == {"forward", "return_to_step", "request_supplement", "consult", "pause"}
    # The leader may act on an officer's step and also holds the head's actions.
    assert actions(d, "lanhdao.sotuphap") == officer | {"stop", "apologise"}
    assert actions(d, "tiepnhan.tinh") == {"request_withdrawal"}
    assert actions(d, "chuyenvien.soxaydung") == set()
    assert "issue_result" not in officer  # only at the deciding step


def test_r14_result_only_at_the_last_step_and_no_forward_past_it():
    d = forward_to(notary_processing(NOW), 5, now=NOW)  # the province chairman signs
    chairman = actions(d, "lanhdao.ubndtinh")
    assert "issue_result" in chairman and "forward" not in chairman
    assert actions(d, "chuyenvien.sotuphap") == set()


def test_r13_pause_stays_offered_while_a_consultation_is_open_so_the_refusal_is_seen():
    d = consulted_processing(NOW)
    d = consult(d, now=NOW)
    assert "pause" in actions(d, "chuyenvien.sonoivu")
    assert "answer_consultation" not in actions(d, "chuyenvien.sonoivu")


def test_r12_only_the_consulted_units_officers_answer():
    d = consult(consulted_processing(NOW), now=NOW)
    consultation = fresh(d).consultations.get()
    assert answerable_consultations(fresh(d), user("chuyenvien.sotaichinh"), NOW) == [consultation.pk]
    assert actions(d, "chuyenvien.sotaichinh") == {"answer_consultation"}
    assert answerable_consultations(fresh(d), user("chuyenvien.sonoivu"), NOW) == []
    act(
        d,
        "answer_consultation",
        "chuyenvien.sotaichinh",
        now=NOW,
        consultation_id=consultation.pk,
        answer="Đồng ý.",
    )
    assert actions(d, "chuyenvien.sotaichinh") == set()


def test_r15_withdrawal_approved_by_the_head_only():
    d = notary_processing(NOW)
    d = act(d, "request_withdrawal", "tiepnhan.tinh", now=NOW, documents=[doc("withdrawal_request")])
    assert actions(d, "lanhdao.sotuphap") == {"approve_withdrawal", "resume"}
    assert actions(d, "chuyenvien.sotuphap") == set()


def test_final_states_offer_nothing():
    d = submit(NOTARY, now=NOW)
    d = act(d, "reject", "chuyenvien.sotuphap", now=NOW, reason="Không thuộc thẩm quyền giải quyết")
    assert allowed_actions(d.state) == []
    assert actions(d, "chuyenvien.sotuphap") == set()


@pytest.mark.parametrize("username", ["chuyenvien.sonoivu", "lanhdao.sonoivu", "tiepnhan.tinh3", "congdan1"])
def test_the_dry_run_changes_nothing(username):
    d = consult(consulted_processing(NOW), now=NOW)
    before = fresh(d)
    events = before.events.count()
    available_actions(before, user(username), NOW)
    after = fresh(d)
    assert (after.version, after.state, after.events.count()) == (before.version, before.state, events)
