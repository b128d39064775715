"""The rules of feedback (R-31) and dossier ratings (R-32), on the demo province."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from motcua.calendar.services import get_calendar
from motcua.catalog.models import Procedure
from motcua.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from motcua.dossiers.states import State
from motcua.feedback import services, transitions
from motcua.feedback.models import (
    Classification,
    DossierRating,
    Petition,
    PetitionAction,
    PetitionEvent,
    PetitionStatus,
)
from motcua.org.models import Unit, UnitKind
from tests.dossiers.kit import JUSTICE, NOTARY, at, local, user
from tests.feedback.kit import LEADER, OFFICER, dossier_of, petition


def test_r31_deadlines_count_working_days_across_a_weekend():
    p = petition("2026-03-06 16:00")  # a Friday
    assert local(p.refuse_due_at) == at("2026-03-10 16:00")  # Fri 1 h + Mon 8 h + Tue 7 h
    assert local(p.info_due_at).date() == datetime.date(2026, 3, 13)
    assert local(p.answer_due_at).date() == datetime.date(2026, 3, 27)


def test_r31_deadlines_skip_a_holiday():
    assert not get_calendar().is_working_day(datetime.date(2026, 4, 27))  # nghỉ bù Giỗ Tổ
    p = petition("2026-04-24 09:00")  # Friday before it
    # Fri 6 h, Sat–Mon off, Tue 8 h, Wed 2 h.
    assert local(p.refuse_due_at) == at("2026-04-29 09:00")


def test_r31_routing_dossier_then_procedure_then_provincial_office():
    d = dossier_of("congdan1", "2026-03-02 08:00", State.PROCESSING)
    assert petition("2026-03-03 08:00", dossier=d.code).unit == d.deciding_unit
    procedure = Procedure.objects.get(code=NOTARY)
    routed = petition("2026-03-03 08:00", procedure=NOTARY).unit
    assert routed.pk in set(procedure.unit_links.values_list("unit_id", flat=True))
    assert petition("2026-03-03 08:00").unit.kind == UnitKind.PROVINCIAL_OFFICE


def test_r31_anonymous_sender_must_leave_a_contact():
    with pytest.raises(InvalidInput) as exc:
        petition("2026-03-03 08:00", sender_phone="")
    assert exc.value.rule == "R-31"


def test_r31_signed_in_sender_is_linked():
    p = petition("2026-03-03 08:00", by="congdan1", sender_phone="")
    assert p.user == user("congdan1")


def test_r31_classification_and_answer_by_the_units_officer_only():
    d = dossier_of("congdan1", "2026-03-02 08:00", State.PROCESSING)
    p = petition("2026-03-03 08:00", dossier=d.code)
    with pytest.raises(PermissionDenied) as exc:
        services.classify(p, Classification.BEHAVIOUR, actor=user("congdan2"), now=at("2026-03-03 09:00"))
    assert exc.value.rule == "R-31"
    with pytest.raises(RuleViolation):  # not classified yet
        services.answer(p, "Đã xử lý.", actor=user(OFFICER), now=at("2026-03-03 09:00"))
    p = services.classify(p, Classification.BEHAVIOUR, actor=user(OFFICER), now=at("2026-03-03 09:00"))
    assert p.classification == Classification.BEHAVIOUR and local(p.classified_at) == at("2026-03-03 09:00")
    p = services.answer(p, "Đã nhắc nhở cán bộ.", actor=user(OFFICER), now=at("2026-03-04 09:00"))
    assert p.status == PetitionStatus.ANSWERED and p.answered_by == user(OFFICER)
    assert local(p.publish_due_at) == at("2026-03-06 09:00")
    with pytest.raises(PermissionDenied):  # publishing is the leadership's
        services.publish(p, actor=user(OFFICER), now=at("2026-03-04 10:00"))
    p = services.publish(p, actor=user(LEADER), now=at("2026-03-04 10:00"))
    assert p.status == PetitionStatus.PUBLISHED and p.public
    actions = list(PetitionEvent.objects.filter(petition=p).values_list("action", flat=True))
    assert actions == ["submit", "classify", "answer", "publish"]


def test_r31_refusal_within_two_working_days_counts_on_time():
    from motcua.feedback.selectors import petition_figures

    justice = Unit.objects.get(code=JUSTICE)
    a = petition("2026-03-06 16:00", procedure=NOTARY)
    b = petition("2026-03-06 16:00", procedure=NOTARY)
    assert a.unit == justice
    services.refuse(a, "Không thuộc thẩm quyền.", actor=user(OFFICER), now=at("2026-03-10 15:59"))
    services.refuse(b, "Không thuộc thẩm quyền.", actor=user(OFFICER), now=at("2026-03-10 16:30"))
    figures = petition_figures({justice.pk}, at("2026-03-01 00:00"), at("2026-04-01 00:00"))
    assert figures["petition_on_time"] == (1, 2)
    assert figures["petition_classification"] == (1, 2)  # refusing classifies as "not a PAKN"


def test_r31_refuse_needs_a_reason_and_the_received_state():
    p = petition("2026-03-03 08:00", procedure=NOTARY)
    with pytest.raises(InvalidInput):
        services.refuse(p, "  ", actor=user(OFFICER), now=at("2026-03-03 09:00"))
    services.refuse(p, "Trùng nội dung.", actor=user(OFFICER), now=at("2026-03-03 09:00"))
    with pytest.raises(RuleViolation) as exc:
        services.refuse(p, "Lần nữa.", actor=user(OFFICER), now=at("2026-03-03 10:00"))
    assert exc.value.rule == "R-31"


def test_r31_information_request_stops_the_answer_clock():
    p = petition("2026-03-02 08:00", procedure=NOTARY, by="congdan1")
    before = p.answer_due_at
    services.request_information(p, "Xin cho biết mã hồ sơ.", actor=user(OFFICER), now=at("2026-03-03 08:00"))
    with pytest.raises(RuleViolation):
        services.answer(p, "…", actor=user(OFFICER), now=at("2026-03-04 08:00"))
    p = services.provide_information(p, "Mã hồ sơ là …", actor=user("congdan1"), now=at("2026-03-05 08:00"))
    assert p.status == PetitionStatus.RECEIVED
    assert get_calendar().elapsed(before, p.answer_due_at) == datetime.timedelta(hours=16)


def test_r31_only_the_sender_rates_the_published_answer_once():
    p = petition("2026-03-02 08:00", procedure=NOTARY, by="congdan1")
    services.classify(p, Classification.RULES, actor=user(OFFICER), now=at("2026-03-02 09:00"))
    with pytest.raises(RuleViolation):  # not published yet
        services.rate_answer(p, True, actor=user("congdan1"), now=at("2026-03-02 10:00"))
    services.answer(p, "Trả lời.", actor=user(OFFICER), now=at("2026-03-03 09:00"))
    services.publish(p, actor=user(LEADER), now=at("2026-03-03 10:00"))
    with pytest.raises(PermissionDenied):
        services.rate_answer(p, True, actor=user("congdan2"), now=at("2026-03-03 11:00"))
    p = services.rate_answer(p, False, actor=user("congdan1"), now=at("2026-03-03 11:00"))
    assert p.satisfied is False
    with pytest.raises(RuleViolation):
        services.rate_answer(p, True, actor=user("congdan1"), now=at("2026-03-03 12:00"))


def test_r32_applicant_rates_a_finished_dossier_once():
    d = dossier_of("congdan1", "2026-03-02 08:00", State.RETURNED)
    rating = services.rate_dossier(d.code, True, actor=user("congdan1"), comment="Nhanh, đúng hẹn.")
    assert rating.satisfied and rating.dossier == d
    with pytest.raises(RuleViolation) as exc:
        services.rate_dossier(d.code, False, actor=user("congdan1"))
    assert exc.value.rule == "R-32"
    assert DossierRating.objects.get(dossier=d).satisfied is True


def test_r32_someone_elses_dossier_cannot_be_rated():
    d = dossier_of("congdan1", "2026-03-02 08:00", State.RETURNED)
    with pytest.raises(NotFound) as exc:
        services.rate_dossier(d.code, False, actor=user("congdan2"))
    assert exc.value.rule == "R-32"
    assert not DossierRating.objects.filter(dossier=d).exists()


def test_r32_an_unfinished_dossier_cannot_be_rated():
    d = dossier_of("congdan1", "2026-03-02 08:00", State.PROCESSING)
    with pytest.raises(RuleViolation) as exc:
        services.rate_dossier(d.code, True, actor=user("congdan1"))
    assert exc.value.code == "dossier_not_finished"


def test_r31_history_is_append_only():
    p = petition("2026-03-02 08:00")
    event = p.events.get()
    event.note = "sửa"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert PetitionEvent.objects.get(pk=event.pk).note == ""


# --- the table of R-31 (motcua/feedback/transitions.py) --------------------------------------------

STEPS = [a for a in PetitionAction.values if a != PetitionAction.SUBMIT]


def test_r31_every_step_has_its_input_its_actors_and_a_status_it_is_allowed_in():
    assert set(transitions.INPUTS) == set(transitions.ACTORS) == set(STEPS)
    assert {action for (_, action) in transitions.TRANSITIONS} == set(STEPS)
    assert {t.to for t in transitions.TRANSITIONS.values()} <= set(PetitionStatus.values)
    # A refused PAKN is final; an answered one waits for its publication, a published one for its rating.
    assert [s for s in PetitionStatus.values if not transitions.allowed_actions(s)] == [
        PetitionStatus.REFUSED
    ]


# Someone each step's actor rule lets through, and an input each step accepts: what is left to refuse is
# the status alone.
STEP_CALLS = {
    PetitionAction.CLASSIFY: (OFFICER, lambda p, u: services.classify(p, Classification.RULES, actor=u)),
    PetitionAction.REFUSE: (OFFICER, lambda p, u: services.refuse(p, "Trùng nội dung.", actor=u)),
    PetitionAction.REQUEST_INFO: (
        OFFICER,
        lambda p, u: services.request_information(p, "Mã hồ sơ?", actor=u),
    ),
    PetitionAction.PROVIDE_INFO: (
        "congdan1",
        lambda p, u: services.provide_information(p, "Mã là …", actor=u),
    ),
    PetitionAction.ANSWER: (OFFICER, lambda p, u: services.answer(p, "Trả lời.", actor=u)),
    PetitionAction.PUBLISH: (LEADER, lambda p, u: services.publish(p, actor=u)),
    PetitionAction.RATE: ("congdan1", lambda p, u: services.rate_answer(p, True, actor=u)),
}


@pytest.mark.parametrize(
    "status, action",
    [(s, a) for s in PetitionStatus.values for a in STEPS if (s, a) not in transitions.TRANSITIONS],
)
def test_r31_a_step_outside_the_table_is_refused_with_the_rule_id(status, action):
    p = petition("2026-03-02 08:00", procedure=NOTARY, by="congdan1")
    Petition.objects.filter(pk=p.pk).update(status=status, classification=Classification.RULES)
    username, call = STEP_CALLS[action]
    with pytest.raises(RuleViolation) as exc:
        call(p.code, user(username))
    assert (exc.value.rule, exc.value.code) == ("R-31", "petition_state")
    assert PetitionStatus(status).label in exc.value.message
    assert Petition.objects.get(pk=p.pk).status == status
    assert list(p.events.values_list("action", flat=True)) == ["submit"]


def test_r31_who_acts_is_checked_before_the_status():
    """Someone who may not handle the PAKN learns nothing of where it stands (R-26)."""
    p = petition("2026-03-02 08:00", procedure=NOTARY)
    services.refuse(p, "Trùng nội dung.", actor=user(OFFICER), now=at("2026-03-02 09:00"))
    with pytest.raises(PermissionDenied) as exc:
        services.classify(p, Classification.RULES, actor=user("congdan2"), now=at("2026-03-02 10:00"))
    assert exc.value.rule == "R-31"


def test_r31_each_step_is_announced_after_commit_and_a_refused_one_is_not(django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, petition, event, **kwargs):
        heard.append((petition.code, event.action))

    services.petition_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            p = petition("2026-03-02 08:00", procedure=NOTARY)
            services.classify(p, Classification.RULES, actor=user(OFFICER), now=at("2026-03-02 09:00"))
            with pytest.raises(RuleViolation):  # publishing before the answer: rolled back, not announced
                services.publish(p, actor=user(LEADER), now=at("2026-03-02 10:00"))
    finally:
        services.petition_changed.disconnect(listener)
    assert heard == [(p.code, "submit"), (p.code, "classify")]
