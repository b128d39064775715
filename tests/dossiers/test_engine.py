"""The one door (`services.apply`) and the transition table: versions, permissions, clocks, steps,
national status codes and the outbox (issue 3 items 2–3)."""

import datetime
import inspect
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.core.errors import NotFound, PermissionDenied, RuleViolation
from motcua.documents.models import DocumentKind
from motcua.dossiers import guards, lifecycle, outbox, services
from motcua.dossiers.context import ActionInput, Context
from motcua.dossiers.lifecycle import PREVIOUS, TRANSITIONS
from motcua.dossiers.models import Dossier, DossierEvent, OutboxMessage, OutboxTopic
from motcua.dossiers.services import ActionNotAllowed, StaleVersion
from motcua.dossiers.states import NATIONAL_STATUS, NATIONAL_STATUS_NAMES, Action, State
from motcua.org.models import Applicant
from tests.dossiers.kit import (
    NOTARY,
    NOTARY_HANDLERS,
    ApplicantInput,
    act,
    at,
    consult,
    consulted_processing,
    doc,
    events,
    forward_to,
    fresh,
    last_event,
    local,
    notary_processing,
    notary_received,
    submit,
    user,
)

# --- the table -----------------------------------------------------------------------------------


def test_every_state_maps_to_a_national_status_code():
    assert set(NATIONAL_STATUS) == set(State.values)
    assert set(NATIONAL_STATUS.values()) == set(range(1, 11))  # every code 1–10 is reachable
    assert set(NATIONAL_STATUS_NAMES) == set(range(1, 11))


ACTOR_GUARDS = {
    fn for name, fn in inspect.getmembers(guards, inspect.isfunction) if name.startswith("actor_")
}


def test_every_transition_checks_the_actor():
    """Read the table: no action can be applied by just anyone."""
    assert len(ACTOR_GUARDS) >= 6
    unchecked = [key for key, t in TRANSITIONS.items() if not ACTOR_GUARDS & set(t.guards)]
    assert unchecked == []


@pytest.mark.parametrize("guard", sorted(ACTOR_GUARDS, key=lambda f: f.__name__), ids=lambda f: f.__name__)
def test_actor_guards_refuse_an_anonymous_user(guard):
    d = forward_to(notary_processing(at("2026-03-02 08:00")), 2, now=at("2026-03-02 08:00"))
    d = (
        consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"))
        if guard is guards.actor_in_consulted_unit
        else d
    )
    data = ActionInput(version=d.version, consultation_id=getattr(d.consultations.first(), "pk", None))
    with pytest.raises(PermissionDenied):
        guard(Context(dossier=fresh(d), actor=AnonymousUser(), data=data, now=at("2026-03-03 08:00")))


@pytest.mark.parametrize(
    ("guard", "rule"),
    [
        (guards.actor_heads_stop, "R-14"),
        (guards.actor_heads_withdrawal, "R-15"),
        (guards.actor_heads_apology, "R-27"),
    ],
)
def test_head_refusals_cite_the_rule_of_the_action(guard, rule):
    d = forward_to(notary_processing(at("2026-03-02 08:00")), 2, now=at("2026-03-02 08:00"))
    with pytest.raises(PermissionDenied) as exc_info:
        guard(
            Context(
                dossier=fresh(d),
                actor=AnonymousUser(),
                data=ActionInput(version=d.version),
                now=d.submitted_at,
            )
        )
    assert exc_info.value.rule == rule


def test_table_states_and_actions_are_known():
    for (state, action), transition in TRANSITIONS.items():
        assert state in State.values and action in Action.values
        assert transition.to in State.values or transition.to == PREVIOUS
        if transition.to == PREVIOUS:
            assert lifecycle.e.back_to_resume_state in transition.effects
    # Nothing leaves a final state.
    assert not [key for key in TRANSITIONS if key[0] in {"rejected", "withdrawn", "stopped", "returned"}]


# --- the one door: version, table, permission ----------------------------------------------------


def test_stale_version_is_refused():
    d = notary_received(at("2026-03-02 08:00"))
    stale = d.version - 1
    with pytest.raises(StaleVersion) as exc:
        act(d, "forward", "tiepnhan.tinh", now=at("2026-03-02 08:10"), version=stale)
    assert exc.value.status_code == 409 and exc.value.current == d.version
    assert fresh(d).state == State.RECEIVED and fresh(d).version == d.version


def test_action_not_in_table_is_refused():
    d = submit(NOTARY, now=at("2026-03-02 08:00"))
    for action in ("return_result", "forward", "approve_withdrawal", "resume"):
        with pytest.raises(ActionNotAllowed) as exc:
            act(d, action, "chuyenvien.sotuphap", now=at("2026-03-02 08:10"))
        assert exc.value.status_code == 409
        assert "Mới nộp" in exc.value.message
    assert fresh(d).version == 1 and fresh(d).events.count() == 1


def test_permission_per_unit():
    d = notary_processing(at("2026-03-02 08:00"))
    # An officer of another department cannot touch Sở Tư pháp's step — to him the dossier does
    # not exist (item 1 of issue 8: no existence leak) — nor can the Centre or the applicant.
    for outsider in ("chuyenvien.soxaydung", "lanhdao.soxaydung"):
        with pytest.raises(NotFound):
            act(d, "forward", outsider, now=at("2026-03-02 09:00"))
    for onlooker in ("tiepnhan.tinh", "congdan1"):
        with pytest.raises(PermissionDenied):
            act(d, "forward", onlooker, now=at("2026-03-02 09:00"))
    with pytest.raises(NotFound):
        act(d, "forward", None, now=at("2026-03-02 09:00"))
    # Within the unit, a step is handled by its role or a role above it, never below.
    d = forward_to(d, 4, now=at("2026-03-03 08:00"))  # "Lãnh đạo Sở ký tờ trình"
    for junior in ("chuyenvien.sotuphap", "truongphong.sotuphap"):
        with pytest.raises(PermissionDenied):
            act(d, "forward", junior, now=at("2026-03-03 09:00"))
    assert fresh(d).current_step.order == 4


def test_senior_may_do_a_junior_step():
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(d, "forward", "truongphong.sotuphap", now=at("2026-03-02 09:00"))  # did the appraisal
    assert d.current_step.order == 3
    assert d.steps.get(order=2).handler.username == "truongphong.sotuphap"


def test_no_forward_past_the_last_processing_step():
    d = forward_to(notary_processing(at("2026-03-02 08:00")), 5, now=at("2026-03-02 09:00"))
    with pytest.raises(RuleViolation) as exc:
        act(d, "forward", "lanhdao.ubndtinh", now=at("2026-03-03 08:00"))
    assert exc.value.rule == "R-11"
    assert fresh(d).current_step.order == 5


def test_return_to_an_earlier_step_needs_a_reason():
    d = forward_to(notary_processing(at("2026-03-02 08:00")), 3, now=at("2026-03-02 09:00"))
    with pytest.raises(RuleViolation):
        act(d, "return_to_step", "truongphong.sotuphap", now=at("2026-03-03 08:00"), step_order=2)
    d = act(
        d,
        "return_to_step",
        "truongphong.sotuphap",
        now=at("2026-03-03 08:00"),
        step_order=2,
        reason="Dự thảo chưa nêu căn cứ pháp lý",
    )
    assert d.current_step.order == 2
    assert [s.order for s in d.steps.all()] == [1, 2, 3, 2]


# --- clocks --------------------------------------------------------------------------------------


def test_pause_resume_excludes_the_paused_interval():
    d = notary_processing(at("2026-03-02 16:12"))
    assert local(d.due_at) == at("2026-03-30 16:12")
    d = act(
        d,
        "pause",
        "chuyenvien.sotuphap",
        now=at("2026-03-03 08:00"),
        pause_reason="financial_obligation",
        reason="Chờ tổ chức nộp phí thẩm định",
    )
    # Two working days later the obligation is met (Tue 08:00 → Thu 08:00).
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-05 08:00"))
    assert d.state == State.PROCESSING and d.current_step.order == 2
    assert local(d.due_at) == at("2026-04-01 16:12")  # + exactly the two paused working days
    assert local(d.original_due_at) == at("2026-03-30 16:12")
    pause = d.pauses.get()
    assert (local(pause.started_at), local(pause.ended_at)) == (
        at("2026-03-03 08:00"),
        at("2026-03-05 08:00"),
    )
    data = last_event(d).data
    assert (data["due_before"], data["due_after"]) == (
        "2026-03-30T16:12:00+07:00",
        "2026-04-01T16:12:00+07:00",
    )


def test_pause_over_a_weekend_costs_only_working_time():
    d = notary_processing(at("2026-03-02 08:00"))
    pause = {"pause_reason": "financial_obligation", "reason": "Chờ nộp lệ phí"}
    d = act(d, "pause", "chuyenvien.sotuphap", now=at("2026-03-06 16:00"), **pause)  # Friday 16:00
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-09 08:00"), **pause)  # Monday 08:00
    # Paused working time: Fri 16:00–17:00 and Mon 07:00–08:00 = 2 hours.
    assert local(d.due_at) == at("2026-03-30 10:00")


# --- per-step budgets (R-11, R-27) ---------------------------------------------------------------


def test_each_step_records_handler_times_and_lateness():
    d = notary_processing(at("2026-03-02 08:00"))
    # Appraisal (120 h = 15 working days) takes 16 working days: late; the others are on time.
    d = act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-24 08:00"))
    d = act(d, "forward", "truongphong.sotuphap", now=at("2026-03-24 10:00"))
    d = act(d, "forward", "lanhdao.sotuphap", now=at("2026-03-24 11:00"))
    d = act(
        d,
        "issue_result",
        "lanhdao.ubndtinh",
        now=at("2026-03-25 08:00"),
        documents=[doc(DocumentKind.RESULT)],
    )
    d = act(d, "return_result", "tiepnhan.tinh", now=at("2026-03-25 09:00"))
    steps = list(d.steps.order_by("order"))

    assert [s.order for s in steps] == [1, 2, 3, 4, 5, 6]
    assert [s.handler.username for s in steps] == [
        "tiepnhan.tinh",
        *NOTARY_HANDLERS.values(),
        "tiepnhan.tinh",
    ]
    assert all(s.started_at and s.ended_at and s.planned_end_at for s in steps)
    appraisal = steps[1]
    assert local(appraisal.planned_end_at) == at("2026-03-23 08:00")
    assert [s.late for s in steps] == [False, True, False, False, False, False]
    assert appraisal.ended_by.username == "chuyenvien.sotuphap"
    assert [s.unit.code for s in steps] == [
        "000.00.40.H19",
        "000.00.05.H19",
        "000.00.05.H19",
        "000.00.05.H19",
        "000.00.00.H19",
        "000.00.40.H19",
    ]
    # Consecutive steps touch: the sheet has no holes.
    for before, after in itertools.pairwise(steps[1:]):
        assert before.ended_at == after.started_at


# --- events and the outbox ----------------------------------------------------------------------


def test_every_event_has_its_national_portal_message():
    d = notary_processing(at("2026-03-02 08:00"), channel="online")
    d = act(
        d,
        "request_supplement",
        "chuyenvien.sotuphap",
        now=at("2026-03-03 08:00"),
        reason="Thiếu giấy tờ",
        items=["Đề án"],
    )
    d = act(d, "submit_supplement", "congdan1", now=at("2026-03-04 08:00"))
    d = forward_to(d, 5, now=at("2026-03-05 08:00"))
    d = act(
        d,
        "issue_result",
        "lanhdao.ubndtinh",
        now=at("2026-03-06 08:00"),
        documents=[doc(DocumentKind.RESULT)],
    )
    d = act(d, "return_result", "chuyenvien.sotuphap", now=at("2026-03-06 09:00"))
    assert d.state == State.RETURNED

    log = events(d)
    assert [e.seq for e in log] == list(range(1, d.version + 1))
    for event in log:
        messages = OutboxMessage.objects.filter(event=event, topic=OutboxTopic.NATIONAL_PORTAL)
        assert messages.count() == 1, event.action
        payload = messages.get().payload
        assert payload["MaHoSo"] == d.code
        assert payload["TrangThaiHoSo"] == NATIONAL_STATUS[event.to_state]
        assert payload["TienDo"]["ThoiDiemXuLy"] == local(event.at).strftime("%Y%m%d%H%M%S")
        assert messages.get().created_at == event.at
    final = OutboxMessage.objects.filter(event=log[-1], topic=OutboxTopic.NATIONAL_PORTAL).get().payload
    assert final["TrangThaiHoSo"] == 10 and final["NgayTra"] == "20260306090000"
    assert final["KenhThucHien"] == 2


def _footprint(d: Dossier) -> tuple:
    row = Dossier.objects.get(pk=d.pk)
    return (
        row.version,
        row.state,
        row.last_event_hash,
        DossierEvent.objects.filter(dossier=d).count(),
        OutboxMessage.objects.filter(dossier=d).count(),
        row.steps.count(),
        row.pauses.count(),
    )


def test_refused_action_leaves_no_trace():
    d = notary_processing(at("2026-03-02 08:00"))
    before = _footprint(d)
    refusals = [
        ("issue_result", "lanhdao.ubndtinh", {}),  # R-14 (and not at the decision step)
        ("stop", "lanhdao.sotuphap", {"reason": "Dừng"}),  # no notice
        ("pause", "chuyenvien.sotuphap", {"pause_reason": "nghi_phep"}),
        ("forward", "chuyenvien.soxaydung", {}),  # another unit: not even visible (NotFound)
        ("request_supplement", "chuyenvien.sotuphap", {"items": []}),
        ("consult", "chuyenvien.sotuphap", {"to_unit": "000.00.03.H19", "content": "ngắn"}),
    ]
    for action, actor, fields in refusals:
        with pytest.raises((RuleViolation, PermissionDenied, NotFound)):
            act(d, action, actor, now=at("2026-03-03 08:00"), **fields)
        assert _footprint(d) == before, action


def test_event_and_outbox_are_one_transaction(monkeypatch):
    d = notary_processing(at("2026-03-02 08:00"))
    before = _footprint(d)

    def broken_outbox(dossier, event):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "enqueue_status_change", broken_outbox)
    with pytest.raises(RuntimeError):
        act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"))
    assert _footprint(d) == before  # no event without its message, no half-moved step


# --- nested waiting states -----------------------------------------------------------------------


def test_dropped_withdrawal_goes_back_to_the_supplement_then_to_processing():
    d = notary_processing(at("2026-03-02 08:00"), channel="online")
    d = act(
        d,
        "request_supplement",
        "chuyenvien.sotuphap",
        now=at("2026-03-03 08:00"),
        reason="Thiếu giấy tờ",
        items=["Đề án"],
    )
    d = act(
        d,
        "request_withdrawal",
        "congdan1",
        now=at("2026-03-04 08:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_REQUEST, by="congdan1")],
    )
    d = act(
        d,
        "resume",
        "lanhdao.sotuphap",
        now=at("2026-03-05 08:00"),
        reason="Công dân rút lại đề nghị rút hồ sơ",
    )
    assert d.state == State.AWAITING_SUPPLEMENT
    d = act(d, "submit_supplement", "congdan1", now=at("2026-03-06 08:00"))
    assert d.state == State.PROCESSING and d.current_step.order == 2


def test_dropped_withdrawal_goes_back_to_the_pause_then_to_processing():
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(
        d,
        "pause",
        "chuyenvien.sotuphap",
        now=at("2026-03-03 08:00"),
        pause_reason="financial_obligation",
        reason="Chờ nộp phí",
    )
    d = act(
        d,
        "request_withdrawal",
        "tiepnhan.tinh",
        now=at("2026-03-04 08:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_REQUEST)],
    )
    d = act(d, "resume", "lanhdao.sotuphap", now=at("2026-03-05 08:00"), reason="Tổ chức rút lại đề nghị")
    assert d.state == State.PAUSED
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-06 08:00"))
    assert d.state == State.PROCESSING
    assert local(d.due_at) == at("2026-04-02 08:00")  # Mon 30/3 + three paused working days


def test_consulted_unit_answers_while_the_lead_waits_for_a_supplement():
    d = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"))
    d = act(
        d,
        "request_supplement",
        "chuyenvien.sonoivu",
        now=at("2026-03-02 10:00"),
        reason="Thiếu đề án",
        items=["Đề án"],
    )
    d = act(
        d,
        "answer_consultation",
        "chuyenvien.sotaichinh",
        now=at("2026-03-03 08:00"),
        consultation_id=d.consultations.get().pk,
        answer="Thống nhất phương án tài chính.",
    )
    assert d.state == State.AWAITING_SUPPLEMENT
    assert d.consultations.get().answered_late is False
    d = act(d, "submit_supplement", "tiepnhan.tinh3", now=at("2026-03-04 08:00"))
    assert d.state == State.PROCESSING


# --- submission ----------------------------------------------------------------------------------


def test_r26_online_submission_is_for_the_account_itself_only():
    """Issue 8 item 3: someone else's dossier (e.g. under an authorisation) is entered at the
    counter; online, an account submits as its own verified identity and is never relinked."""
    mine = submit(NOTARY, now=at("2026-03-02 08:00"))
    assert mine.applicant.user == user("congdan1")
    other = ApplicantInput(kind="citizen", identifier="075099000009", name="Lê Văn Ủy Quyền")
    with pytest.raises(PermissionDenied) as exc:
        submit(NOTARY, now=at("2026-03-02 08:05"), applicant=other)
    assert exc.value.rule == "R-26"
    assert not Applicant.objects.filter(identifier="075099000009").exists()
    assert Applicant.objects.get(user=user("congdan1")).identifier == "075088000001"


def test_codes_are_per_receiving_unit_and_day():
    first = submit(NOTARY, now=at("2026-03-02 08:00"))
    second = submit(NOTARY, now=at("2026-03-02 08:01"))
    counter = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 08:02"))
    next_day = submit(NOTARY, now=at("2026-03-03 08:00"))
    assert first.code.endswith("-260302-0001") and second.code.endswith("-260302-0002")
    assert counter.code == "000.00.40.H19-260302-0001"
    assert next_day.code.endswith("-260303-0001")


def test_apply_rejects_unknown_actions():
    d = submit(NOTARY, now=at("2026-03-02 08:00"))
    with pytest.raises(services.InvalidInput):
        services.apply(d.code, "teleport", user("chuyenvien.sotuphap"), ActionInput(version=1))


def test_dossier_in_final_state_accepts_nothing():
    d = notary_received(at("2026-03-02 08:00"))
    d = act(
        d,
        "stop",
        "lanhdao.sotuphap",
        now=at("2026-03-02 09:00"),
        reason="Thủ tục đã bị bãi bỏ",
        documents=[doc(DocumentKind.STOP_NOTICE)],
    )
    for action in Action.values:
        with pytest.raises((ActionNotAllowed, services.InvalidInput)):
            act(d, action, "lanhdao.sotuphap", now=at("2026-03-02 10:00"))
    assert d.finished_at is not None
    assert datetime.timedelta(0) < d.finished_at - d.received_at
