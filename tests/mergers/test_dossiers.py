"""Open dossiers follow their unit into the successor; history, codes and deadlines stay
(REGULATIONS §0.2, issue 9 item 7)."""

import io

import pytest
from django.core.management import call_command

from motcua.consultations.models import Consultation
from motcua.dossiers.audit import verify_chain
from motcua.dossiers.models import Dossier, DossierEvent, OutboxMessage, OutboxTopic
from motcua.dossiers.states import FINAL_STATES, State
from motcua.org import services
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, once per module)
from tests.dossiers.kit import CENTRE, FINANCE, HOME_AFFAIRS, JUSTICE, fresh, user
from tests.mergers.kit import DECISION, effective_on, home_affairs, justice, make_case


@pytest.fixture
def case():
    return make_case()


def commit():
    merger = services.plan_merger(
        [justice()], home_affairs(), effective_on=effective_on(), decision=DECISION, actor=user("quantri")
    )
    return services.commit_merger(merger, actor=user("quantri"))


def test_r22_each_moved_dossier_gets_one_transfer_event_and_one_portal_message(case):
    before = {d.pk: fresh(d) for d in case.moving}
    commit()
    for old in before.values():
        dossier = fresh(old)
        new_events = list(dossier.events.filter(seq__gt=old.version).order_by("seq"))
        assert [e.action for e in new_events] == ["unit_transfer"], dossier.code
        event = new_events[0]
        assert dossier.version == old.version + 1 and dossier.last_event_hash == event.hash
        assert event.from_state == event.to_state == old.state  # recorded, not a change of state
        assert event.actor == user("quantri") and event.unit.code == JUSTICE
        assert event.data["from_unit"] == JUSTICE and event.data["to_unit"] == HOME_AFFAIRS
        assert event.data["decision"] == DECISION and event.data["effective_on"] == effective_on().isoformat()
        messages = OutboxMessage.objects.filter(event=event)
        # the national portal learns the new DonViXuLy; no notification, the state did not change.
        assert [m.topic for m in messages] == [OutboxTopic.NATIONAL_PORTAL]
        payload = messages[0].payload
        assert payload["MaHoSo"] == dossier.code
        assert payload["DonViXuLy"] == dossier.deciding_unit.code == HOME_AFFAIRS
        assert payload["TienDo"]["NoiDungXuLy"].startswith("Chuyển đơn vị do sắp xếp, sáp nhập")


def test_merger_keeps_codes_deadlines_and_the_receiving_unit(case):
    received = [case.processing, case.consulting]
    commit()
    for old in received:
        dossier = fresh(old)
        assert dossier.code == old.code
        assert dossier.receiving_unit.code == CENTRE  # who received it is history
        assert dossier.deciding_unit.code == HOME_AFFAIRS
        assert (dossier.received_at, dossier.due_at, dossier.original_due_at) == (
            old.received_at,
            old.due_at,
            old.original_due_at,
        )
        assert dossier.state == old.state and dossier.submitted_at == old.submitted_at


def test_merger_sends_a_dossier_still_to_be_received_to_the_successors_reception(case):
    old = case.submitted
    assert old.receiving_unit.code == JUSTICE and old.state == State.SUBMITTED
    commit()
    dossier = fresh(old)
    # Nobody received it yet and nobody at Sở Tư pháp may any more: it waits at Sở Nội vụ.
    assert dossier.receiving_unit.code == HOME_AFFAIRS and dossier.deciding_unit.code == HOME_AFFAIRS
    assert dossier.code == old.code and dossier.code.startswith(JUSTICE)
    submitted = dossier.events.get(action="submit")
    assert submitted.data["receiving_unit"] == JUSTICE  # where it was sent stays in its history
    assert dossier.events.get(action="unit_transfer").data["receiving_unit"] is True


def test_merger_leaves_finished_dossiers_untouched(case):
    untouched = [case.rejected, *case.others]
    events = {d.pk: d.events.count() for d in untouched}
    messages = {d.pk: OutboxMessage.objects.filter(dossier=d).count() for d in untouched}
    commit()
    for old in untouched:
        dossier = fresh(old)
        assert (
            dossier.deciding_unit_id,
            dossier.receiving_unit_id,
            dossier.version,
            dossier.last_event_hash,
        ) == (
            old.deciding_unit_id,
            old.receiving_unit_id,
            old.version,
            old.last_event_hash,
        )
        assert dossier.events.count() == events[old.pk]
        assert OutboxMessage.objects.filter(dossier=dossier).count() == messages[old.pk]
    assert fresh(case.rejected).deciding_unit.code == JUSTICE


def test_merger_moves_running_steps_and_awaited_consultations(case):
    closed = list(fresh(case.processing).steps.filter(ended_at__isnull=False).values_list("pk", "unit__code"))
    commit()
    for old in (case.processing, case.consulting):
        step = fresh(old).current_step
        assert step.ended_at is None and step.unit.code == HOME_AFFAIRS
    # Finished steps stay where they were done (R-11: the process-control sheet is history).
    assert list(
        fresh(case.processing).steps.filter(pk__in=[pk for pk, _ in closed]).values_list("pk", "unit__code")
    ) == (closed)
    asked = Consultation.objects.get(dossier=case.consulting)
    assert (asked.from_unit.code, asked.to_unit.code) == (HOME_AFFAIRS, FINANCE)
    answering = Consultation.objects.get(dossier=case.consulted)
    assert (answering.from_unit.code, answering.to_unit.code) == (HOME_AFFAIRS, HOME_AFFAIRS)
    consulted = fresh(case.consulted)
    assert consulted.deciding_unit.code == HOME_AFFAIRS and consulted.version == case.consulted.version + 1
    assert consulted.events.get(action="unit_transfer").data["consultations"] == 1


def test_merger_preview_warns_of_a_consultation_the_successor_now_asks_itself(case):
    merger = services.plan_merger(
        [justice()], home_affairs(), effective_on=effective_on(), decision=DECISION, actor=user("quantri")
    )
    part = services.preview_merger(merger).units[0].get("consultations")
    assert part.count == 2
    assert part.warnings == [
        "1 phiếu xin ý kiến giữa Sở Tư pháp và Sở Nội vụ nay là của chính Sở Nội vụ: hãy trả lời để khép lại."
    ]


def test_r11_audit_chain_verifies_after_commit(case):
    commit()
    assert list(verify_chain()) == []
    out = io.StringIO()
    call_command("verify_audit", "--no-digest", stdout=out, stderr=out)  # exits non-zero on a finding
    assert "không có sai lệch" in out.getvalue()
    assert DossierEvent.objects.filter(action="unit_transfer").count() == 4
    assert not Dossier.objects.filter(deciding_unit=justice()).exclude(state__in=FINAL_STATES).exists()
