"""One test per rule of the letters (REQUIREMENTS.md), through `services.submit` / `services.apply`.

All on the demo province; times are explicit (March 2026 has no public holiday), so every
deadline below can be checked by hand: office hours 07:00–11:30 and 13:30–17:00, 8 h a day.
"""

import datetime

import pytest

from motcua.catalog.models import OnlineLevel, Procedure
from motcua.core.errors import NotFound, PermissionDenied, RuleViolation
from motcua.documents.models import DocumentKind
from motcua.dossiers import deadlines
from motcua.dossiers.models import LegalBasis, OutboxMessage, OutboxTopic
from motcua.dossiers.outbox import national_record
from motcua.dossiers.states import NATIONAL_STATUS, State, national_status
from tests.dossiers.kit import (
    CENTRE,
    CONSULTED,
    FINANCE,
    INTERNAL_ONLINE,
    JUSTICE,
    NOTARY,
    ON_THE_SPOT,
    WARD,
    WARD_CENTRE,
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
)


def refused(rule: str, exc_info) -> None:
    assert exc_info.value.rule == rule, (exc_info.value.rule, exc_info.value.message)


# --- Reception and routing (letter 000, 2018) --------------------------------------------------


def test_r02_online_dossier_goes_to_deciding_unit_point():
    d = submit(NOTARY, now=at("2026-03-02 08:00"))

    assert d.channel == "online"
    assert d.receiving_unit.code == d.deciding_unit.code == JUSTICE
    assert d.reception_point.channel == "online"
    assert d.reception_point.on_behalf_of is None  # never through the Centre's on-behalf point
    assert d.code.startswith(f"{JUSTICE}-260302-")
    # The Centre cannot receive it (it does not even see it); Sở Tư pháp's own reception point does.
    with pytest.raises(NotFound):
        act(d, "receive", "tiepnhan.tinh", now=at("2026-03-02 09:00"))
    d = act(d, "receive", "chuyenvien.sotuphap", now=at("2026-03-02 09:00"))
    d = act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-02 09:05"))
    assert d.state == State.PROCESSING
    assert "handover" not in last_event(d).data  # nothing to hand over, no paper to post
    assert d.current_step.unit.code == JUSTICE


def test_r03_counter_dossier_handed_over_with_postal_transfer():
    # Before 15:00: the paper travels the same working day.
    d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 10:00"))
    assert (d.receiving_unit.code, d.deciding_unit.code) == (CENTRE, JUSTICE)
    assert d.reception_point.on_behalf_of.code == JUSTICE
    assert d.code.startswith(f"{CENTRE}-260302-")
    d = act(d, "receive", "tiepnhan.tinh", now=at("2026-03-02 10:05"))
    d = act(d, "forward", "tiepnhan.tinh", now=at("2026-03-02 10:10"))
    handover = last_event(d).data["handover"]
    assert handover == {
        "from": CENTRE,
        "to": JUSTICE,
        "paper_transfer_due": "2026-03-02",
        "postal": True,
    }
    assert d.current_step.unit.code == JUSTICE  # now in the department's queue
    reception = d.steps.get(order=1)
    assert reception.unit.code == CENTRE and reception.handler.username == "tiepnhan.tinh"

    # After 15:00: the next working day (Friday → Monday).
    late = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-06 15:20"))
    late = act(late, "receive", "tiepnhan.tinh", now=at("2026-03-06 15:25"))
    late = act(late, "forward", "tiepnhan.tinh", now=at("2026-03-06 15:30"))
    assert last_event(late).data["handover"]["paper_transfer_due"] == "2026-03-09"


@pytest.mark.parametrize(
    "received, due",
    [
        ("2026-03-02 07:00", "2026-03-02"),  # opening
        ("2026-03-02 14:59", "2026-03-02"),
        ("2026-03-02 15:00", "2026-03-03"),  # from 15:00: next working day
        ("2026-03-02 16:59", "2026-03-03"),
        ("2026-03-02 17:30", "2026-03-03"),  # after closing: still only the next working day
        ("2026-03-06 16:00", "2026-03-09"),  # Friday afternoon → Monday
        ("2026-03-07 10:00", "2026-03-09"),  # Saturday → Monday
        ("2026-03-07 16:00", "2026-03-09"),  # Saturday after 15:00 → still Monday
        ("2026-02-13 16:00", "2026-02-23"),  # before Tết 2026 (16–20/2) → after it
    ],
)
def test_r03_paper_transfer_due(received, due):
    assert deadlines.paper_transfer_due(at(received)) == datetime.date.fromisoformat(due)


# --- One-stop (letter 001, 2018) ---------------------------------------------------------------


def test_r08_on_the_spot_result_at_counter():
    sitting = at("2026-03-03 09:00")
    d = submit(ON_THE_SPOT, channel="counter", actor="tiepnhan.tranbien", now=sitting)
    assert (d.receiving_unit.code, d.deciding_unit.code) == (WARD_CENTRE, WARD)
    d = act(d, "receive", "tiepnhan.tranbien", now=sitting)
    assert local(d.due_at) == at("2026-03-03 15:00")  # 4 working hours: 2.5 before lunch, 1.5 after
    d = act(
        d,
        "issue_result",
        "tiepnhan.tranbien",
        now=sitting + datetime.timedelta(minutes=10),
        documents=[doc(DocumentKind.RESULT, signed=True)],
    )
    assert d.state == State.RESULT_READY
    d = act(d, "return_result", "tiepnhan.tranbien", now=sitting + datetime.timedelta(minutes=15))

    assert d.state == State.RETURNED
    assert [e.action for e in events(d)] == ["submit", "receive", "issue_result", "return_result"]
    assert all(e.actor.username == "tiepnhan.tranbien" for e in events(d)[1:])
    assert d.returned_at - d.received_at == datetime.timedelta(minutes=15)  # one sitting
    assert d.returned_at < d.due_at


def test_r08_not_on_the_spot_refused_at_counter():
    d = notary_received(at("2026-03-03 09:00"))
    with pytest.raises(RuleViolation) as exc:
        act(
            d,
            "issue_result",
            "tiepnhan.tinh",
            now=at("2026-03-03 09:10"),
            documents=[doc(DocumentKind.RESULT)],
        )
    refused("R-08", exc)
    assert fresh(d).state == State.RECEIVED


# --- SOS controls (letter 002, 2019) -----------------------------------------------------------


def test_r13_pause_refused_while_consultation_open():
    d = consulted_processing(at("2026-03-02 08:00"))
    d = consult(d, now=at("2026-03-02 09:00"), days=3)  # reply due Thu 05/3 09:00
    consultation = d.consultations.get()
    pause = {"pause_reason": "financial_obligation", "reason": "Chờ nộp phí thẩm định"}

    # Awaiting the reply…
    with pytest.raises(RuleViolation) as exc:
        act(d, "pause", "chuyenvien.sonoivu", now=at("2026-03-03 09:00"), **pause)
    refused("R-13", exc)
    # …and late: still refused, not merely warned.
    with pytest.raises(RuleViolation) as exc:
        act(d, "pause", "chuyenvien.sonoivu", now=at("2026-03-10 09:00"), **pause)
    refused("R-13", exc)
    assert fresh(d).state == State.PROCESSING and fresh(d).pauses.count() == 0

    act(
        d,
        "answer_consultation",
        "chuyenvien.sotaichinh",
        now=at("2026-03-10 10:00"),
        consultation_id=consultation.pk,
        answer="Sở Tài chính thống nhất phương án.",
    )
    d = act(d, "pause", "chuyenvien.sonoivu", now=at("2026-03-10 11:00"), **pause)
    assert d.state == State.PAUSED


def test_r13_pause_needs_lawful_reason():
    d = notary_processing(at("2026-03-02 08:00"))
    for pause_reason in ("", "officer_on_leave", "cho_y_kien"):
        with pytest.raises(RuleViolation) as exc:
            act(
                d,
                "pause",
                "chuyenvien.sotuphap",
                now=at("2026-03-03 08:00"),
                pause_reason=pause_reason,
                reason="Tạm dừng",
            )
        refused("R-13", exc)
        assert exc.value.field == "pause_reason"
    with pytest.raises(RuleViolation) as exc:  # a lawful ground still needs its explanation
        act(
            d, "pause", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"), pause_reason="financial_obligation"
        )
    assert exc.value.field == "reason"

    d = act(
        d,
        "pause",
        "chuyenvien.sotuphap",
        now=at("2026-03-03 08:00"),
        pause_reason="financial_obligation",
        reason="Chờ tổ chức nộp phí thẩm định",
    )
    assert d.state == State.PAUSED
    assert NATIONAL_STATUS[d.state] == 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    assert last_event(d).data["pause_reason"] == "financial_obligation"


def test_r13_force_majeure_pause_is_not_reported_as_a_financial_obligation():
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(
        d,
        "pause",
        "chuyenvien.sotuphap",
        now=at("2026-03-03 08:00"),
        pause_reason="force_majeure",
        reason="Bão số 3, UBND tỉnh cho nghỉ làm việc theo Công điện số 01/CĐ-UBND",
    )
    assert d.state == State.PAUSED and national_status(d) == 4
    sent = OutboxMessage.objects.filter(dossier=d, topic=OutboxTopic.NATIONAL_PORTAL).latest("pk")
    assert sent.payload["TrangThaiHoSo"] == 4
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-04 08:00"))
    assert d.state == State.PROCESSING and d.pause_ground == "" and national_status(d) == 4


def _at_decision(now):
    return forward_to(notary_processing(now), 5, now=now)


def test_r14_no_result_without_document():
    d = notary_processing(at("2026-03-02 08:00"))
    # Not from the appraisal step: the approvals of the process cannot be skipped.
    with pytest.raises(RuleViolation) as exc:
        act(
            d,
            "issue_result",
            "chuyenvien.sotuphap",
            now=at("2026-03-03 08:00"),
            documents=[doc(DocumentKind.RESULT)],
        )
    refused("R-14", exc)

    d = _at_decision(at("2026-03-02 08:00"))
    for documents in ([], [doc(DocumentKind.OTHER)], [doc(DocumentKind.SUPPLEMENT)]):
        with pytest.raises(RuleViolation) as exc:
            act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-04 08:00"), documents=documents)
        refused("R-14", exc)
    assert fresh(d).state == State.PROCESSING and fresh(d).finished_at is None

    result = doc(DocumentKind.RESULT, signed=True)
    d = act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-04 08:00"), documents=[result])
    assert d.state == State.RESULT_READY and NATIONAL_STATUS[d.state] == 9
    assert local(d.finished_at) == at("2026-03-04 08:00")
    assert last_event(d).documents == [str(result.pk)]
    assert d.attachments.filter(document=result).exists()


def test_r14_no_result_while_a_consultation_is_awaited():
    d = _at_decision(at("2026-03-02 08:00"))
    d = act(
        d,
        "consult",
        "lanhdao.ubndtinh",
        now=at("2026-03-02 09:00"),
        to_unit=FINANCE,
        reply_days=3,
        content="Đề nghị Sở Tài chính cho ý kiến về mức thu phí công chứng.",
    )
    result = doc(DocumentKind.RESULT, signed=True)
    with pytest.raises(RuleViolation) as exc:
        act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-03 08:00"), documents=[result])
    refused("R-14", exc)
    assert "chưa trả lời" in exc.value.message
    assert fresh(d).state == State.PROCESSING and fresh(d).finished_at is None

    # A refusal with its reason does not wait for the opinion.
    refusal = act(
        fresh(d),
        "issue_result",
        "lanhdao.ubndtinh",
        now=at("2026-03-03 08:00"),
        outcome="refusal",
        reason="Hồ sơ thuộc trường hợp không được công chứng theo Điều 44 Luật Công chứng.",
        documents=[doc(DocumentKind.REFUSAL, signed=True)],
    )
    assert refusal.state == State.RESULT_READY


def test_r14_refusal_needs_reason_and_document():
    d = _at_decision(at("2026-03-02 08:00"))
    refusal = {"outcome": "refusal"}
    with pytest.raises(RuleViolation) as exc:  # no reason
        act(
            d,
            "issue_result",
            "lanhdao.ubndtinh",
            now=at("2026-03-04 08:00"),
            documents=[doc(DocumentKind.REFUSAL)],
            **refusal,
        )
    refused("R-14", exc)
    assert exc.value.field == "reason"
    with pytest.raises(RuleViolation) as exc:  # no written refusal
        act(
            d,
            "issue_result",
            "lanhdao.ubndtinh",
            now=at("2026-03-04 08:00"),
            reason="Không đủ điều kiện thành lập",
            **refusal,
        )
    refused("R-14", exc)
    assert exc.value.field == "documents"

    d = act(
        d,
        "issue_result",
        "lanhdao.ubndtinh",
        now=at("2026-03-04 08:00"),
        reason="Không đủ điều kiện thành lập theo Luật Công chứng",
        documents=[doc(DocumentKind.REFUSAL, signed=True)],
        **refusal,
    )
    assert d.state == State.RESULT_READY
    assert last_event(d).data["outcome"] == "refusal"


def test_r14_stop_needs_notice():
    d = notary_processing(at("2026-03-02 08:00"))
    notice = doc(DocumentKind.STOP_NOTICE, signed=True)
    with pytest.raises(PermissionDenied):  # only the head stops a dossier
        act(
            d,
            "stop",
            "chuyenvien.sotuphap",
            now=at("2026-03-03 08:00"),
            reason="Không thể giải quyết",
            documents=[notice],
        )
    with pytest.raises(RuleViolation) as exc:
        act(d, "stop", "lanhdao.sotuphap", now=at("2026-03-03 08:00"), reason="Không thể giải quyết")
    refused("R-14", exc)
    with pytest.raises(RuleViolation) as exc:
        act(d, "stop", "lanhdao.sotuphap", now=at("2026-03-03 08:00"), documents=[notice])
    refused("R-14", exc)

    d = act(
        d,
        "stop",
        "lanhdao.sotuphap",
        now=at("2026-03-03 08:00"),
        reason="Cơ sở pháp lý của thủ tục đã bị bãi bỏ",
        documents=[notice],
    )
    assert d.state == State.STOPPED and NATIONAL_STATUS[d.state] == 8
    assert d.finished_at is not None and d.current_step is None
    assert d.steps.get(order=2).ended_at is not None


def test_r15_withdrawal_needs_request_head_and_signed_document():
    d = notary_processing(at("2026-03-02 08:00"), channel="online")
    with pytest.raises(RuleViolation) as exc:  # the applicant's request is in writing
        act(d, "request_withdrawal", "congdan1", now=at("2026-03-03 08:00"))
    refused("R-15", exc)
    with pytest.raises(NotFound):  # another citizen cannot withdraw it (nor see it)
        act(
            d,
            "request_withdrawal",
            "congdan2",
            now=at("2026-03-03 08:00"),
            documents=[doc(DocumentKind.WITHDRAWAL_REQUEST, by="congdan2")],
        )
    d = act(
        d,
        "request_withdrawal",
        "congdan1",
        now=at("2026-03-03 08:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_REQUEST, by="congdan1")],
    )
    assert d.state == State.WITHDRAWAL_REQUESTED

    signed = doc(DocumentKind.WITHDRAWAL_APPROVAL, signed=True)
    for officer in ("chuyenvien.sotuphap", "truongphong.sotuphap", "lanhdao.soxaydung"):
        # Not the head of Sở Tư pháp (and another department's head does not even see the dossier).
        with pytest.raises(NotFound if officer == "lanhdao.soxaydung" else PermissionDenied):
            act(d, "approve_withdrawal", officer, now=at("2026-03-03 09:00"), documents=[signed])
    with pytest.raises(RuleViolation) as exc:  # unsigned
        act(
            d,
            "approve_withdrawal",
            "lanhdao.sotuphap",
            now=at("2026-03-03 09:00"),
            documents=[doc(DocumentKind.WITHDRAWAL_APPROVAL, signed=False)],
        )
    refused("R-15", exc)
    assert fresh(d).state == State.WITHDRAWAL_REQUESTED

    d = act(d, "approve_withdrawal", "lanhdao.sotuphap", now=at("2026-03-03 09:00"), documents=[signed])
    assert d.state == State.WITHDRAWN and NATIONAL_STATUS[d.state] == 7
    assert last_event(d).actor.username == "lanhdao.sotuphap"


def test_r17_supplement_lists_all_items_once():
    received = at("2026-03-02 08:00")
    d = notary_processing(received)
    assert local(d.due_at) == at("2026-03-30 08:00")  # 20 working days
    with pytest.raises(RuleViolation) as exc:  # every missing item, listed
        act(
            d,
            "request_supplement",
            "chuyenvien.sotuphap",
            now=at("2026-03-03 08:00"),
            reason="Hồ sơ thiếu",
            items=[" "],
        )
    refused("R-17", exc)
    items = ["Bản sao quyết định bổ nhiệm công chứng viên", "Đề án thành lập có chữ ký của công chứng viên"]
    d = act(
        d,
        "request_supplement",
        "chuyenvien.sotuphap",
        now=at("2026-03-03 08:00"),
        reason="Thành phần hồ sơ chưa đầy đủ",
        items=items,
    )
    assert d.state == State.AWAITING_SUPPLEMENT and NATIONAL_STATUS[d.state] == 5
    assert last_event(d).data["items"] == items  # one complete list, in the event

    # The applicant hands in everything on Monday 09/3 10:00: the legal time restarts from there.
    completed = at("2026-03-09 10:00")
    d = act(
        d,
        "submit_supplement",
        "congdan1",
        now=completed,
        documents=[doc(DocumentKind.SUPPLEMENT, by="congdan1")],
    )
    assert d.state == State.PROCESSING and d.current_step.order == 2
    assert local(d.due_at) == at("2026-04-06 10:00")  # completion + the full 20 working days
    assert local(d.original_due_at) == at("2026-03-30 08:00")
    data = last_event(d).data
    assert (data["due_before"], data["due_after"]) == (
        "2026-03-30T08:00:00+07:00",
        "2026-04-06T10:00:00+07:00",
    )
    assert national_record(d)["NgayHenTra"] == "20260406100000"

    # A second request is refused…
    with pytest.raises(RuleViolation) as exc:
        act(
            d,
            "request_supplement",
            "chuyenvien.sotuphap",
            now=at("2026-03-10 08:00"),
            reason="Thiếu giấy tờ",
            items=["Lý lịch tư pháp"],
        )
    refused("R-17", exc)
    assert exc.value.field == "legal_exception"
    # …unless the specialised law's exception is cited.
    d = act(
        d,
        "request_supplement",
        "chuyenvien.sotuphap",
        now=at("2026-03-10 08:00"),
        reason="Thiếu giấy tờ",
        items=["Phiếu lý lịch tư pháp"],
        legal_exception="Khoản 3 Điều 23 Luật Công chứng 2024 (minh họa)",
    )
    assert d.supplement_requests == 2  # visible in reports
    assert last_event(d).data["legal_exception"].startswith("Khoản 3")


def test_r17_reception_guidance_and_post_reception_request_are_each_once():
    d = submit(NOTARY, now=at("2026-03-02 08:00"))
    ask = {"reason": "Hồ sơ chưa đầy đủ", "items": ["Đơn đề nghị có chữ ký"]}
    d = act(d, "request_supplement", "chuyenvien.sotuphap", now=at("2026-03-02 09:00"), **ask)
    assert d.state == State.AWAITING_SUPPLEMENT
    d = act(
        d,
        "submit_supplement",
        "congdan1",
        now=at("2026-03-03 09:00"),
        documents=[doc(DocumentKind.SUPPLEMENT, by="congdan1")],
    )
    assert d.state == State.SUBMITTED and d.due_at is None  # the clock starts at receipt
    with pytest.raises(RuleViolation):  # guidance at reception is given once
        act(d, "request_supplement", "chuyenvien.sotuphap", now=at("2026-03-03 10:00"), **ask)

    d = act(d, "receive", "chuyenvien.sotuphap", now=at("2026-03-03 10:00"))
    d = act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-03 10:05"))
    # After reception the deciding agency may ask once, after appraisal (NĐ 61 Điều 19).
    d = act(d, "request_supplement", "chuyenvien.sotuphap", now=at("2026-03-04 10:00"), **ask)
    assert d.state == State.AWAITING_SUPPLEMENT and d.supplement_requests == 2


# --- Internal procedures (letter 003, 2022) ----------------------------------------------------


def test_r19_internal_online_procedure_refused_at_counter_and_post():
    body = ApplicantInput(kind="state_body", identifier=WARD, name="Ủy ban nhân dân phường Trấn Biên")
    for channel, officer in (("counter", "tiepnhan.tinh3"), ("postal", "chuyenvien.songoaivu")):
        with pytest.raises(RuleViolation) as exc:
            submit(
                INTERNAL_ONLINE, channel=channel, actor=officer, now=at("2026-03-02 08:00"), applicant=body
            )
        refused("R-19", exc)
        assert "phải nộp trực tuyến" in exc.value.message
    own = ApplicantInput(
        kind="state_body", identifier="000.00.63.H19", name="Ủy ban nhân dân phường Long Khánh"
    )
    d = submit(INTERNAL_ONLINE, actor="coquan1", now=at("2026-03-02 08:00"), applicant=own)
    assert d.channel == "online" and d.deciding_unit.code == "000.00.04.H19"

    # A dossier entered at the counter before the procedure went online is refused at receipt.
    paper = submit(
        CONSULTED, channel="counter", actor="tiepnhan.tinh3", now=at("2026-03-02 08:00"), applicant=body
    )
    Procedure.objects.filter(code=CONSULTED).update(online_level=OnlineLevel.PARTIAL)
    with pytest.raises(RuleViolation) as exc:
        act(paper, "receive", "tiepnhan.tinh3", now=at("2026-03-02 08:10"))
    refused("R-19", exc)


# --- Late dossiers (letter 004, 2025) ----------------------------------------------------------


def test_r27_apology_later_than_one_working_day_before_due_is_accepted_and_marked_late():
    d = notary_processing(at("2026-03-02 08:00"))  # due Mon 30/3 08:00
    d = act(
        d,
        "apologise",
        "lanhdao.sotuphap",
        now=at("2026-03-27 14:00"),  # Friday afternoon: 3 working hours before the due date
        new_due_at=at("2026-04-06 08:00"),
        explanation="Chờ kết quả xác minh của Công an phường",
        documents=[doc(DocumentKind.APOLOGY, signed=True)],
    )
    assert last_event(d).data["in_time"] is False
    assert d.extended_due_at == at("2026-04-06 08:00")


def test_r27_apology_once_with_head_explanation():
    d = notary_processing(at("2026-03-02 08:00"))
    due = d.due_at
    new_due = at("2026-04-06 08:00")
    apology = doc(DocumentKind.APOLOGY, signed=True)
    good = {
        "new_due_at": new_due,
        "explanation": "Hồ sơ phức tạp, phải xác minh tại hai địa phương",
        "documents": [apology],
    }
    when = at("2026-03-26 08:00")

    with pytest.raises(PermissionDenied):  # the head explains, not the officer
        act(d, "apologise", "chuyenvien.sotuphap", now=when, **good)
    for broken in ({"explanation": ""}, {"documents": []}, {"new_due_at": due}, {"new_due_at": None}):
        with pytest.raises(RuleViolation) as exc:
            act(d, "apologise", "lanhdao.sotuphap", now=when, **{**good, **broken})
        refused("R-27", exc)

    d = act(d, "apologise", "lanhdao.sotuphap", now=when, **good)
    assert d.state == State.PROCESSING
    assert d.due_at == due == d.original_due_at  # the appointment synced to DVCQG is kept
    assert d.extended_due_at == new_due  # the new date is recorded beside it
    assert national_record(d)["NgayHenTra"] == "20260330080000"
    data = last_event(d).data
    assert data["explanation"].startswith("Hồ sơ phức tạp") and data["new_due_at"] == new_due.isoformat()
    assert data["in_time"] is True  # two working days before the due date (REGULATIONS §2.5: ≥ 1)

    with pytest.raises(RuleViolation) as exc:  # not more than once
        act(
            d,
            "apologise",
            "lanhdao.sotuphap",
            now=at("2026-04-03 08:00"),
            **{**good, "new_due_at": at("2026-04-20 08:00")},
        )
    refused("R-27", exc)


# --- Legal basis (REGULATIONS §0) ----------------------------------------------------------------


def test_legal_basis_by_receipt_date():
    before = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2025-06-30 10:00"))
    before = act(before, "receive", "tiepnhan.tinh", now=at("2025-06-30 10:05"))
    assert before.legal_basis == LegalBasis.BEFORE_2025_07

    # Submitted online on the last evening of the old regime, received on the first morning of the new.
    night = submit(NOTARY, now=at("2025-06-30 20:00"))
    assert night.legal_basis == LegalBasis.BEFORE_2025_07  # provisional, by submission
    night = act(night, "receive", "chuyenvien.sotuphap", now=at("2025-07-01 08:00"))
    assert night.legal_basis == LegalBasis.FROM_2025_07

    after = notary_received(at("2025-07-01 08:00"))
    assert after.legal_basis == LegalBasis.FROM_2025_07


def test_r26_online_applicant_cannot_use_another_accounts_identity():
    from motcua.org.models import Applicant

    mine = submit(NOTARY, now=at("2026-03-02 08:00"))  # links congdan1 to its identity
    owner = Applicant.objects.get(pk=mine.applicant_id)
    other = ApplicantInput(kind="citizen", identifier=owner.identifier, name=owner.name, phone="0999999999")
    with pytest.raises(PermissionDenied) as exc_info:
        submit(NOTARY, actor="congdan2", applicant=other, now=at("2026-03-02 08:10"))
    refused("R-26", exc_info)
    owner.refresh_from_db()
    assert owner.phone != "0999999999"
