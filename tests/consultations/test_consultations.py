"""Inter-agency consultation (R-12, R-16): request, deadline cap, reminders, late-reply report."""

import datetime
import io

import pytest
from django.core.management import call_command

from motcua.consultations import selectors, services
from motcua.consultations.models import Consultation, ReplyTimeLimit
from motcua.core.errors import InvalidInput, NotFound, RuleViolation
from motcua.documents.models import DocumentKind
from motcua.dossiers.models import OutboxMessage, OutboxTopic
from motcua.org.models import Unit
from tests.dossiers.kit import (
    FINANCE,
    HOME_AFFAIRS,
    JUSTICE,
    act,
    at,
    consult,
    consulted_processing,
    doc,
    fresh,
    last_event,
    local,
    notary_processing,
)

SCIENCE = "000.00.06.H19"  # Sở Khoa học và Công nghệ
FINANCE_OFFICERS = ["chuyenvien.sotaichinh", "lanhdao.sotaichinh", "truongphong.sotaichinh"]
CONTENT = "Đề nghị cho ý kiến về phương án tài chính, tài sản của đơn vị."


def answer(d, consultation, officer, now, text="Sở Tài chính thống nhất với phương án."):
    return act(d, "answer_consultation", officer, now=now, consultation_id=consultation.pk, answer=text)


def _stop(d, now: str):
    return act(
        d,
        "stop",
        "lanhdao.sonoivu",
        now=at(now),
        reason="Đơn vị đề nghị đã bị giải thể",
        documents=[doc(DocumentKind.STOP_NOTICE)],
    )


# --- the request (R-12) --------------------------------------------------------------------------


def test_r12_consultation_requires_content_and_deadline():
    d = consulted_processing(at("2026-03-02 08:00"))
    for fields, field in (
        ({"content": ""}, "content"),
        ({"content": "  Ý kiến?  "}, "content"),  # says nothing
        ({"days": None}, "reply_days"),
        ({"days": 0}, "reply_days"),
    ):
        with pytest.raises(RuleViolation) as exc:
            consult(d, now=at("2026-03-02 09:00"), **fields)
        assert (exc.value.rule, exc.value.field) == ("R-12", field)
    with pytest.raises(InvalidInput):
        consult(d, now=at("2026-03-02 09:00"), to_unit="000.99.99.H19")
    with pytest.raises(InvalidInput):  # not oneself
        consult(d, now=at("2026-03-02 09:00"), to_unit=HOME_AFFAIRS)
    # The lead's handler asks, not the unit to be consulted — which, not yet asked, does not even
    # see the dossier (issue 8 item 1: the same 404 as its detail).
    with pytest.raises(NotFound):
        act(
            d,
            "consult",
            "chuyenvien.sotaichinh",
            now=at("2026-03-02 09:00"),
            to_unit=FINANCE,
            content=CONTENT,
            reply_days=2,
        )
    assert not Consultation.objects.filter(dossier=d).exists()

    letter = doc(DocumentKind.CONSULTATION, signed=True)
    d = consult(d, now=at("2026-03-02 09:00"), days=3, documents=[letter])
    c = d.consultations.get()
    assert (c.from_unit.code, c.to_unit.code, c.content, c.reply_days) == (HOME_AFFAIRS, FINANCE, CONTENT, 3)
    assert local(c.due_at) == at("2026-03-05 09:00")  # 3 working days
    assert c.requested_by.username == "chuyenvien.sonoivu"
    assert last_event(d).data["consultation"] == {
        "id": c.pk,
        "to_unit": FINANCE,
        "due_at": "2026-03-05T09:00:00+07:00",
    }
    assert last_event(d).documents == [str(letter.pk)]
    assert d.state == "processing"  # the dossier goes on; only a pause is barred


def test_r12_reply_deadline_capped_by_lead_unit():
    # The process of this procedure gives Sở Tài chính 32 working hours: 4 working days at most.
    d = consulted_processing(at("2026-03-02 08:00"))
    with pytest.raises(RuleViolation) as exc:
        consult(d, now=at("2026-03-02 09:00"), days=5)
    assert exc.value.rule == "R-12" and "4 ngày làm việc" in exc.value.message
    consult(d, now=at("2026-03-02 09:00"), days=4)

    # Without a process step for the consulted unit: the lead unit's own limit, else 5 days.
    n = notary_processing(at("2026-03-02 08:00"))
    ask = {"to_unit": FINANCE, "content": CONTENT}
    with pytest.raises(RuleViolation):
        act(n, "consult", "chuyenvien.sotuphap", now=at("2026-03-02 09:00"), reply_days=6, **ask)
    justice = Unit.objects.get(code=JUSTICE)
    ReplyTimeLimit.objects.create(
        lead_unit=justice, max_working_days=3, decision="Quy chế phối hợp (minh họa)"
    )
    ReplyTimeLimit.objects.create(lead_unit=justice, max_working_days=1, valid_from=datetime.date(2026, 6, 1))
    with pytest.raises(RuleViolation) as exc:
        act(n, "consult", "chuyenvien.sotuphap", now=at("2026-03-02 09:00"), reply_days=4, **ask)
    assert "3 ngày làm việc" in exc.value.message
    n = act(n, "consult", "chuyenvien.sotuphap", now=at("2026-03-02 09:00"), reply_days=3, **ask)
    assert n.consultations.get().reply_days == 3
    # From June the new limit applies to new requests.
    with pytest.raises(RuleViolation) as exc:
        act(
            n,
            "consult",
            "chuyenvien.sotuphap",
            now=at("2026-06-02 09:00"),
            reply_days=2,
            to_unit=SCIENCE,
            content=CONTENT,
        )
    assert "1 ngày làm việc" in exc.value.message


# --- reminders (R-12) ----------------------------------------------------------------------------


def reminders(d):
    return list(
        OutboxMessage.objects.filter(
            dossier=d, topic=OutboxTopic.NOTIFICATION, payload__has_key="reminder"
        ).order_by("pk")
    )


def run(now: str) -> str:
    out = io.StringIO()
    call_command("send_consultation_reminders", "--now", now, stdout=out)
    return out.getvalue()


def test_r12_reminders():
    d = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"), days=3)
    c = d.consultations.get()  # due Thu 05/3 09:00
    version = fresh(d).version

    assert "0 thông báo nhắc lần 1" in run("2026-03-05T08:59:00+07:00")  # not yet due
    assert reminders(d) == []

    # Overdue: reminder 1 to the consulted unit.
    assert "Đã gửi 1 thông báo nhắc lần 1 và 0" in run("2026-03-05T10:00:00+07:00")
    [first] = reminders(d)
    assert first.payload["reminder"] == 1
    assert first.payload["to_unit"]["code"] == FINANCE and first.payload["from_unit"]["code"] == HOME_AFFAIRS
    assert sorted(p["username"] for p in first.payload["to"]) == FINANCE_OFFICERS
    assert first.payload["cc"] == []
    assert first.event is None and local(first.created_at) == at("2026-03-05 10:00")
    c.refresh_from_db()
    assert local(c.reminder1_at) == at("2026-03-05 10:00") and c.reminder2_at is None

    # Once only; the second waits one working day after the first.
    run("2026-03-05T11:00:00+07:00")
    run("2026-03-06T09:59:00+07:00")
    assert len(reminders(d)) == 1

    # Still unanswered: reminder 2, copied to the Department of Home Affairs.
    assert "0 thông báo nhắc lần 1 và 1 thông báo nhắc lần 2" in run("2026-03-06T10:00:00+07:00")
    second = reminders(d)[1]
    assert second.payload["reminder"] == 2
    assert sorted(p["username"] for p in second.payload["to"]) == FINANCE_OFFICERS
    assert [p["username"] for p in second.payload["cc"]] == ["noivu.danhgia"]
    assert second.payload["template"] == "consultation_reminder_2_home_affairs"
    c.refresh_from_db()
    assert local(c.reminder2_at) == at("2026-03-06 10:00")

    run("2026-03-20T10:00:00+07:00")
    assert len(reminders(d)) == 2  # never a third
    assert fresh(d).version == version  # reminders are not dossier events


def test_r12_reminder_delay_is_configurable_and_skips_days_off(settings):
    settings.MOTCUA_SECOND_REMINDER_WORKING_DAYS = 2
    d = consult(
        consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"), days=4
    )  # due Fri 06/3
    run("2026-03-06T16:00:00+07:00")
    run("2026-03-09T16:00:00+07:00")  # Monday: one working day only
    assert [m.payload["reminder"] for m in reminders(d)] == [1]
    run("2026-03-10T16:00:00+07:00")  # Tuesday: two working days after Friday 16:00
    assert [m.payload["reminder"] for m in reminders(d)] == [1, 2]


def test_r12_no_reminder_once_answered_or_ended():
    answered = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"), days=1)
    answer(answered, answered.consultations.get(), "chuyenvien.sotaichinh", at("2026-03-03 08:00"))
    stopped = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"), days=1)
    _stop(stopped, "2026-03-03 08:00")
    run("2026-03-10T10:00:00+07:00")
    assert reminders(answered) == [] and reminders(stopped) == []


def test_r12_send_reminders_takes_a_callback():
    d = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"), days=1)
    seen = []
    sent = services.send_reminders(at("2026-03-04 08:00"), notify=seen.append)
    assert seen == sent and [(r.number, r.consultation.dossier_id) for r in sent] == [(1, d.pk)]
    assert [u.username for u in sent[0].recipients] == FINANCE_OFFICERS
    assert reminders(d) == []  # the callback decided what to do with it
    assert services.send_reminders(at("2026-03-04 09:00"), notify=seen.append) == []


# --- late replies (R-16) -------------------------------------------------------------------------


def test_r16_late_reply_recorded_per_unit_and_officer(django_assert_num_queries):
    start = at("2026-03-02 08:00")
    a = consult(consulted_processing(start), now=at("2026-03-02 09:00"), days=1)  # due 03/3 09:00
    b = consult(consulted_processing(start), now=at("2026-03-02 09:00"), days=1)
    on_time = consult(consulted_processing(start), now=at("2026-03-02 09:00"), days=2, to_unit=SCIENCE)
    silent = consult(consulted_processing(start), now=at("2026-03-02 09:00"), days=2)  # due 04/3 09:00

    a = answer(a, a.consultations.get(), "chuyenvien.sotaichinh", at("2026-03-05 08:00"))
    b = answer(b, b.consultations.get(), "truongphong.sotaichinh", at("2026-03-03 10:00"))
    answer(on_time, on_time.consultations.get(), "chuyenvien.sokhcn", at("2026-03-03 08:00"))

    late = a.consultations.get()
    assert late.answered_late is True and late.answered_by.username == "chuyenvien.sotaichinh"
    assert last_event(a).data["consultation"] == {"id": late.pk, "late": True}
    assert on_time.consultations.get().answered_late is False
    assert silent.consultations.get().answered_at is None

    services.send_reminders(at("2026-03-06 10:00"), notify=lambda r: None)  # reminder 1 for `silent`
    services.send_reminders(at("2026-03-09 10:00"), notify=lambda r: None)  # reminder 2

    with django_assert_num_queries(2):
        report = selectors.late_replies(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    [finance] = report.units
    assert (
        finance.unit_code,
        finance.late_answers,
        finance.unanswered_overdue,
        finance.second_reminders,
    ) == (
        FINANCE,
        2,
        1,
        1,
    )
    assert [(o.username, o.unit_code, o.late_answers) for o in report.officers] == [
        ("chuyenvien.sotaichinh", FINANCE, 1),
        ("truongphong.sotaichinh", FINANCE, 1),
    ]
    assert report.officers[0].full_name == "Võ Văn Khoa"

    # Periods are by local day: nothing was answered late in February or on 04/3.
    assert selectors.late_replies(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)).units == []
    only_b = selectors.late_replies(datetime.date(2026, 3, 3), datetime.date(2026, 3, 3))
    assert [(o.username, o.late_answers) for o in only_b.officers] == [("truongphong.sotaichinh", 1)]


def test_r16_a_dossier_ended_before_the_reply_deadline_owes_no_answer():
    start = at("2026-03-02 08:00")
    ended_early = consult(consulted_processing(start), now=at("2026-03-02 09:00"), days=2)  # due 04/3
    ended_late = consult(consulted_processing(start), now=at("2026-03-02 09:00"), days=2)
    _stop(ended_early, "2026-03-03 08:00")  # before the consultation was due
    _stop(ended_late, "2026-03-05 08:00")  # the reply was already a day overdue

    report = selectors.late_replies(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert [(u.unit_code, u.unanswered_overdue) for u in report.units] == [(FINANCE, 1)]
    # Neither is awaited any more: no reminder, and they leave the consulted unit's open list.
    assert not Consultation.objects.awaiting().filter(dossier__in=[ended_early, ended_late]).exists()
