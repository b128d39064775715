"""R-09, R-25: an imported open dossier is workable in our engine afterwards — received, processed and
returned through `services.apply` — and the ones that cannot or need not go on are closed out."""

import datetime

import pytest

from motcua.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from motcua.documents.models import DocumentKind
from motcua.dossiers.audit import verify_chain
from motcua.dossiers.models import Dossier, DossierPause, OutboxMessage, OutboxTopic
from motcua.dossiers.states import Action, State
from motcua.legacy.services import close_out_legacy
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import act, at, doc, forward_to, fresh, submit, user
from tests.legacy.kit import IMPORTED_AT, import_csv, row

LATER = IMPORTED_AT + datetime.timedelta(hours=2)


def imported(code: str, **fields) -> Dossier:
    report = import_csv([row(code, **fields)])
    assert report.created == 1, report.lines()
    return Dossier.objects.get(code=code)


def national_messages(d: Dossier) -> list[dict]:
    return [
        m.payload
        for m in OutboxMessage.objects.filter(dossier=d, topic=OutboxTopic.NATIONAL_PORTAL).order_by("pk")
    ]


def finish_notary(d: Dossier, *, now: datetime.datetime) -> Dossier:
    """From the appraisal step to the result handed over at the Centre's counter 1."""
    d = forward_to(d, 5, now=now)
    d = act(d, "issue_result", "lanhdao.ubndtinh", now=now, documents=[doc(DocumentKind.RESULT)])
    assert d.state == State.RESULT_READY
    return act(d, "return_result", "tiepnhan.tinh", now=now)


def test_r09_imported_submitted_dossier_is_received_processed_and_returned_by_the_engine():
    d = imported(
        "000.00.40.H19-241220-0005",
        MaDonVi="000.00.40.H19",  # the Centre, on behalf of Sở Tư pháp
        NgayTiepNhan="",
        NgayHenTra="",
        TrangThai="1",
    )
    assert (d.state, d.current_step, d.deciding_unit.code) == (State.SUBMITTED, None, "000.00.05.H19")

    d = act(d, "receive", "tiepnhan.tinh", now=LATER)
    assert d.state == State.RECEIVED and d.received_at == LATER and d.due_at is not None
    d = act(d, "forward", "tiepnhan.tinh", now=LATER)
    assert (d.state, d.current_step.order, d.current_step.unit.code) == (State.PROCESSING, 2, "000.00.05.H19")
    d = finish_notary(d, now=LATER)

    assert d.state == State.RETURNED
    # The engine's changes go to the national portal as for any dossier; the imported history did not.
    assert [p["TienDo"]["SoThuTu"] for p in national_messages(d)] == list(range(3, d.version + 1))
    assert list(verify_chain(Dossier.objects.filter(pk=d.pk))) == []


def test_r09_imported_processing_dossier_goes_on_at_its_first_processing_step():
    # Received in 2024 by Bình Phước's Sở Tư pháp, merged into Đồng Nai's on 01/7/2025.
    d = imported("000.00.05.H10-241115-0007", MaDonVi="000.00.05.H10")
    steps = list(d.steps.order_by("order"))
    # The reception, done at the time of reception by the old unit; the appraisal, opened at the import.
    assert [(s.order, s.unit.code, s.started_at, s.ended_at) for s in steps] == [
        (1, "000.00.05.H10", d.received_at, d.received_at),
        (2, "000.00.05.H19", IMPORTED_AT, None),
    ]
    assert d.current_step == steps[1]
    assert steps[1].planned_end_at > IMPORTED_AT  # its budget runs from the take-over

    d = finish_notary(d, now=LATER)

    assert d.state == State.RETURNED and d.returned_at == LATER
    assert d.due_at == d.original_due_at  # the old appointment stays the appointment
    assert list(verify_chain(Dossier.objects.filter(pk=d.pk))) == []


def test_r09_imported_result_is_handed_over_at_the_counter():
    d = imported("000.00.05.H19-241101-0009", TrangThai="9", NgayKetThucXuLy="10/12/2024 16:00")
    d = act(d, "return_result", "tiepnhan.tinh", now=LATER)
    assert (d.state, d.returned_at) == (State.RETURNED, LATER)


def test_r09_imported_paused_dossier_resumes_with_its_step_and_a_due_date():
    d = imported("000.00.05.H19-241101-0010", TrangThai="6")
    assert (d.state, d.pause_ground, d.resume_state) == (
        State.PAUSED,
        "financial_obligation",
        State.PROCESSING,
    )
    assert DossierPause.objects.get(dossier=d, ended_at__isnull=True).started_at == IMPORTED_AT

    pause = {"pause_reason": "financial_obligation", "reason": "Đã nộp lệ phí"}
    d = act(d, "resume", "chuyenvien.sotuphap", now=LATER, **pause)

    assert (d.state, d.current_step.order) == (State.PROCESSING, 2)
    # The due date is projected again from the old reception (20 working days): a pause that began
    # after the time ran out adds nothing, and the projection is the old system's appointment.
    assert d.due_at == d.original_due_at == fresh(d).due_at


def test_r09_imported_supplement_is_handed_in_and_processing_goes_on():
    d = imported("000.00.05.H19-241101-0011", TrangThai="waiting")
    assert (d.state, d.resume_state, d.supplement_requests) == (
        State.AWAITING_SUPPLEMENT,
        State.PROCESSING,
        1,
    )

    d = act(d, "submit_supplement", "chuyenvien.sotuphap", now=LATER)  # counter officer of Sở Tư pháp

    assert (d.state, d.current_step.order) == (State.PROCESSING, 2)
    assert d.clock_started_at == LATER  # REGULATIONS §2.4: the legal time restarts on completion


def test_r25_open_dossier_of_an_abolished_district_is_closed_out_by_the_provincial_office():
    # Thành phố Biên Hòa ended on 30/6/2025 without a successor (districts were abolished): the
    # province answers for its dossiers, and nobody can take them further in the engine.
    d = imported(
        "000.00.21.H19-250610-0031",
        MaTTHC="1.001612",
        MaDonVi="000.00.21.H19",
        NgayNop="10/06/2025 14:00",
        NgayTiepNhan="10/06/2025 14:00",
        NgayHenTra="13/06/2025 14:00",
        TrangThai="2",
    )
    assert (d.state, d.receiving_unit.code, d.deciding_unit.code) == (
        State.RECEIVED,
        "000.00.21.H19",
        "000.00.00.H19",
    )

    d = close_out_legacy(
        d,
        actor=user("vanphong.ubnd"),
        outcome="returned",
        reason="Đã trả kết quả ngày 20/06/2025 theo sổ theo dõi của UBND thành phố Biên Hòa",
        version=d.version,
        finished_at=at("2025-06-20 10:00"),  # as the paper register says
        now=LATER,
    )

    # The real dates, not the day the record was cleaned up (the index judges on them).
    real = at("2025-06-20 10:00")
    assert (d.state, d.finished_at, d.returned_at, d.current_step) == (State.RETURNED, real, real, None)
    event = d.events.order_by("-seq").first()
    assert (event.action, event.from_state, event.to_state) == (
        Action.RETURN_RESULT,
        State.RECEIVED,
        State.RETURNED,
    )
    assert event.actor.username == "vanphong.ubnd"
    assert event.at == LATER  # the record of it is made now
    assert event.data == {"legacy_close_out": "returned", "finished_at": "2025-06-20T10:00:00+07:00"}
    assert event.reason == (
        "Kết thúc hồ sơ tồn đọng từ phần mềm cũ — Đã giải quyết, đã trả kết quả lúc 10:00 20/06/2025: "
        "Đã trả kết quả ngày 20/06/2025 theo sổ theo dõi của UBND thành phố Biên Hòa"
    )
    legacy = d.legacy
    legacy.refresh_from_db()
    assert (legacy.close_out_outcome, legacy.closed_out_by.username, legacy.closed_out_at) == (
        "returned",
        "vanphong.ubnd",
        LATER,
    )
    # The national portal learns that the dossier is over: one message, for this event.
    [payload] = national_messages(d)
    assert (payload["TrangThaiHoSo"], payload["TienDo"]["SoThuTu"]) == (10, event.seq)
    assert (payload["NgayKetThucXuLy"], payload["NgayTra"]) == ("20250620100000", "20250620100000")
    assert list(verify_chain(Dossier.objects.filter(pk=d.pk))) == []


def test_r25_close_out_ends_the_open_step_and_pause():
    d = imported("000.00.05.H19-241101-0012", TrangThai="6")
    step = d.current_step
    d = close_out_legacy(
        d,
        actor=user("lanhdao.sotuphap"),
        outcome="stopped",
        reason="Đã có thông báo dừng số 12/TB",
        now=LATER,
    )
    step.refresh_from_db()
    assert (d.state, step.ended_at, step.ended_by.username) == (State.STOPPED, LATER, "lanhdao.sotuphap")
    assert not DossierPause.objects.filter(dossier=d, ended_at__isnull=True).exists()
    assert (d.pause_ground, d.resume_state) == ("", "")


HEAD, REASON = "lanhdao.sotuphap", "Đã trả kết quả theo sổ theo dõi"


@pytest.mark.parametrize(
    "username, outcome, reason, finished_at, refusal, message",
    [
        # Only the deciding unit's head, the provincial office or an administrator.
        ("chuyenvien.sotuphap", "returned", REASON, None, PermissionDenied, "Chỉ lãnh đạo Sở Tư pháp"),
        # Another unit's leader does not even see it (no existence leak, R-26).
        ("lanhdao.soxaydung", "returned", REASON, None, NotFound, "Không tìm thấy"),
        (HEAD, "returned", "xong", None, RuleViolation, "Phải ghi rõ lý do"),
        (HEAD, "rejected", "Không đủ điều kiện tiếp nhận", None, RuleViolation, "đã được tiếp nhận"),
        (HEAD, "forgotten", REASON, None, InvalidInput, "Cách kết thúc hồ sơ không hợp lệ"),
        # The real end lies between the reception (15/11/2024 08:30) and now.
        (HEAD, "returned", REASON, LATER + datetime.timedelta(days=1), RuleViolation, "ở tương lai"),
        (HEAD, "stopped", REASON, at("2024-11-15 08:00"), RuleViolation, "trước ngày nộp, tiếp nhận"),
    ],
)
def test_r25_close_out_refusals(username, outcome, reason, finished_at, refusal, message):
    d = imported("000.00.05.H19-241101-0013")
    with pytest.raises(refusal) as refused:
        close_out_legacy(
            d, actor=user(username), outcome=outcome, reason=reason, finished_at=finished_at, now=LATER
        )
    assert message in refused.value.message
    assert fresh(d).state == State.PROCESSING and fresh(d).version == d.version


def test_r25_a_finished_or_local_dossier_is_not_closed_out():
    done = imported("000.00.05.H19-241101-0014", TrangThai="10", NgayKetThucXuLy="01/12/2024 08:00")
    with pytest.raises(RuleViolation, match="đã kết thúc"):
        close_out_legacy(
            done, actor=user("lanhdao.sotuphap"), outcome="returned", reason="Đã trả kết quả rồi", now=LATER
        )
    local = act(
        act(
            submit("1.019901", now=at("2026-03-02 08:00")),
            "receive",
            "chuyenvien.sotuphap",
            now=at("2026-03-02 08:00"),
        ),
        "forward",
        "chuyenvien.sotuphap",
        now=at("2026-03-02 08:00"),
    )
    with pytest.raises(NotFound):
        close_out_legacy(
            local, actor=user("lanhdao.sotuphap"), outcome="returned", reason="Không áp dụng được", now=LATER
        )
