"""The predecessor's officers act for the successor from the merger day, and the moved dossiers are
in their queues and in the successor's (R-26: permissions per unit and role; issue 9 item 7)."""

import datetime

import pytest

from motcua.dossiers import queues
from motcua.dossiers.selectors import visible_dossiers
from motcua.org import services
from motcua.org.models import Role, RoleAssignment
from motcua.org.selectors import has_role
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, once per module)
from tests.dossiers.kit import HOME_AFFAIRS, act, at, doc, fresh, notary_received, user
from tests.mergers.kit import DECISION, effective_on, home_affairs, justice, make_case


@pytest.fixture
def case():
    return make_case()


def commit():
    merger = services.plan_merger(
        [justice()], home_affairs(), effective_on=effective_on(), decision=DECISION, actor=user("quantri")
    )
    return services.commit_merger(merger, actor=user("quantri"))


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_r26_predecessor_officers_roles_end_the_day_before_and_start_on_the_successor(case):
    officer = user("chuyenvien.sotuphap")
    yesterday = effective_on() - datetime.timedelta(days=1)
    commit()
    for role in (Role.PROCESSING_OFFICER, Role.COUNTER_OFFICER):
        old = RoleAssignment.objects.get(user=officer, unit=justice(), role=role)
        new = RoleAssignment.objects.get(user=officer, unit=home_affairs(), role=role)
        assert (old.valid_to, new.valid_from, new.valid_to) == (yesterday, effective_on(), None)
        assert has_role(officer, role, home_affairs())
        assert (
            not RoleAssignment.objects.valid_on(effective_on()).filter(user=officer, unit=justice()).exists()
        )
        assert has_role(officer, role, justice(), on=yesterday)  # history: what he could do then
    # The successor's own officers keep what they had.
    own = RoleAssignment.objects.get(user=user("chuyenvien.sonoivu"), role=Role.PROCESSING_OFFICER)
    assert (own.unit.code, own.valid_to) == (HOME_AFFAIRS, None)


def test_r26_an_officer_already_holding_the_role_on_the_successor_keeps_one_assignment(case):
    director = user("lanhdao.sotuphap")
    services.grant_role(director, home_affairs(), Role.UNIT_LEADER)
    merger = services.plan_merger(
        [justice()], home_affairs(), effective_on=effective_on(), decision=DECISION, actor=user("quantri")
    )
    preview = services.preview_merger(merger)
    assert "Dương Minh Nam — Lãnh đạo đơn vị (đã có sẵn)" in preview.units[0].get("role_assignments").items
    services.commit_merger(merger, actor=user("quantri"))
    assert (
        RoleAssignment.objects.filter(user=director, unit=home_affairs(), role=Role.UNIT_LEADER).count() == 1
    )


def test_r26_moved_dossiers_appear_in_the_moved_officers_and_the_successors_queues(case):
    appraisal = {case.processing.code, case.consulting.code}
    predecessor_officer, successor_officer = user("chuyenvien.sotuphap"), user("chuyenvien.sonoivu")
    assert appraisal <= codes(queues.division(predecessor_officer))
    assert not appraisal & codes(queues.division(successor_officer))
    commit()
    for officer in (predecessor_officer, successor_officer):
        assert appraisal <= codes(queues.division(officer)), officer
        assert appraisal <= codes(queues.mine(officer)), officer  # the step waits for their role there
        assert case.submitted.code in codes(queues.to_receive(officer)), officer
        assert case.consulted.code in codes(queues.consult_in(officer)), officer  # Sở Tư pháp's opinion
        assert {d.code for d in case.moving} <= codes(visible_dossiers(officer))
    assert case.consulting.code in codes(queues.consult_out(successor_officer))  # waiting for Sở Tài chính
    # Late (received 02/11, 20 working days): the apology waits for the head of the unit that now
    # decides — the successor's, and the predecessor's former director now acting there.
    for head in ("lanhdao.sonoivu", "lanhdao.sotuphap"):
        assert case.processing.code in codes(queues.approvals(user(head))), head


def test_r26_the_successors_officers_carry_on_with_the_moved_dossiers(case):
    now = at("2026-11-04 08:00")
    commit()
    moved = act(case.processing, "forward", "chuyenvien.sonoivu", now=now)  # appraisal done, at Sở Nội vụ
    assert moved.current_step.order == 3 and moved.current_step.unit.code == HOME_AFFAIRS
    received = act(case.submitted, "receive", "chuyenvien.sonoivu", now=now)
    assert received.received_at == now and received.receiving_unit.code == HOME_AFFAIRS
    # Sở Tư pháp's former officer acts there too — as an officer of Sở Nội vụ.
    forwarded = act(case.consulting, "forward", "chuyenvien.sotuphap", now=now)
    assert fresh(forwarded).current_step.unit.code == HOME_AFFAIRS


def test_r26_the_successors_counter_takes_a_supplement_for_a_dossier_the_predecessor_received(case):
    d = notary_processing_online()
    d = act(
        d,
        "request_supplement",
        "chuyenvien.sotuphap",
        now=at("2026-11-03 08:00"),
        reason="Thành phần hồ sơ chưa đầy đủ",
        items=["Bản sao quyết định bổ nhiệm công chứng viên"],
    )
    assert d.receiving_unit == justice()
    commit()
    counter_officer = user("chuyenvien.sonoivu")
    assert d.code in codes(queues.awaiting_supplement(counter_officer))
    handed_in = act(
        d,
        "submit_supplement",
        "chuyenvien.sonoivu",
        now=at("2026-11-05 08:00"),
        documents=[doc("supplement")],
    )
    assert handed_in.receiving_unit == justice()  # still the unit that received it


def notary_processing_online():
    d = notary_received(at("2026-11-02 08:00"), channel="online")
    return act(d, "forward", "chuyenvien.sotuphap", now=at("2026-11-02 08:30"))
