"""Deadlines stay true (issue 8 item 5): a step's stored planned end moves with lawful pauses and
supplements, and an edit of the working calendar re-projects the stored dates of open dossiers.

Every assertion reads the value stored in the database, never a recomputation.
"""

import datetime

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.calendar.models import CalendarDay, DayKind, DayOrigin
from motcua.documents.models import DocumentKind
from motcua.dossiers import deadlines, queues
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.states import State
from tests.dossiers.kit import act, at, doc, fresh, local, notary_processing, user

PAUSE = {"pause_reason": "financial_obligation", "reason": "Chờ tổ chức nộp phí thẩm định"}
SUPPLEMENT = {"reason": "Thiếu đề án thành lập", "items": ["Đề án thành lập Văn phòng công chứng"]}


def stored_step(d: Dossier, order: int) -> DossierStep:
    return DossierStep.objects.filter(dossier=d, order=order).order_by("-pk").first()


# --- a step's planned end moves with lawful pauses (R-13) ----------------------------------------


def test_r13_pause_moves_the_running_steps_stored_planned_end_by_the_paused_working_time():
    d = notary_processing(at("2026-03-02 08:00"))  # appraisal: 120 working hours → 23/03 08:00
    assert local(stored_step(d, 2).planned_end_at) == at("2026-03-23 08:00")
    d = act(d, "pause", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"), **PAUSE)
    # Tue 08:00 → Thu 08:00: 16 working hours paused.
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-05 08:00"))
    assert local(stored_step(d, 2).planned_end_at) == at("2026-03-25 08:00")


def test_r13_step_finished_within_budget_plus_pause_is_not_late():
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(d, "pause", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"), **PAUSE)
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-05 08:00"))
    # After the unmoved 23/03 08:00, before the moved 25/03 08:00.
    d = act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-24 16:00"))
    appraisal = stored_step(d, 2)
    assert appraisal.late is False
    assert local(appraisal.planned_end_at) == at("2026-03-25 08:00")


def test_r13_step_finished_after_budget_plus_pause_is_late():
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(d, "pause", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"), **PAUSE)
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-05 08:00"))
    d = act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-25 09:00"))
    assert stored_step(d, 2).late is True


def test_r13_step_that_ends_while_paused_does_not_count_the_paused_time():
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(d, "pause", "chuyenvien.sotuphap", now=at("2026-03-20 08:00"), **PAUSE)
    # Stopped while still paused, after the unmoved planned end (23/03 08:00): the step used
    # 112 of its 120 working hours before the pause, so it is not late.
    d = act(
        d,
        "stop",
        "lanhdao.sotuphap",
        now=at("2026-03-27 08:00"),
        reason="Tổ chức không nộp phí thẩm định",
        documents=[doc(DocumentKind.STOP_NOTICE, signed=True)],
    )
    assert d.state == State.STOPPED
    appraisal = stored_step(d, 2)
    assert appraisal.late is False
    assert local(appraisal.planned_end_at) == at("2026-03-30 08:00")  # 27/03 08:00 + the 8 h left


# --- and with a supplement round (REGULATIONS §2.4: the time restarts on completion) -------------


def test_r17_supplement_restarts_the_running_steps_budget_from_completion():
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(d, "request_supplement", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"), **SUPPLEMENT)
    d = act(d, "submit_supplement", "tiepnhan.tinh", now=at("2026-03-05 08:00"))
    assert d.state == State.PROCESSING and d.current_step.order == 2
    # The whole 120 working hours again from Thu 05/03 08:00, like the dossier's own clock: moved by
    # more than the 16 waiting hours (it also gives back the 8 h spent on the incomplete dossier).
    appraisal = stored_step(d, 2)
    assert local(appraisal.planned_end_at) == at("2026-03-26 08:00")
    assert local(d.due_at) == at("2026-04-02 08:00")  # dossier: 20 working days from completion


def test_r17_step_finished_within_budget_plus_supplement_wait_is_not_late():
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(d, "request_supplement", "chuyenvien.sotuphap", now=at("2026-03-02 08:00"), **SUPPLEMENT)
    d = act(d, "submit_supplement", "tiepnhan.tinh", now=at("2026-03-04 08:00"))  # 16 h of waiting
    d = act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-24 16:00"))
    appraisal = stored_step(d, 2)
    assert local(appraisal.planned_end_at) == at("2026-03-25 08:00")  # 23/03 + the 16 h
    assert appraisal.late is False


# --- an edit of the working calendar re-projects the stored dates ---------------------------------


def returned_notary(now: datetime.datetime) -> Dossier:
    """A notary dossier processed and returned the same day (an ended dossier with a due date)."""
    d = notary_processing(now)
    d = act(d, "forward", "chuyenvien.sotuphap", now=now)
    d = act(d, "forward", "truongphong.sotuphap", now=now)
    d = act(d, "forward", "lanhdao.sotuphap", now=now)
    d = act(d, "issue_result", "lanhdao.ubndtinh", now=now, documents=[doc(DocumentKind.RESULT, signed=True)])
    d = act(d, "return_result", "tiepnhan.tinh", now=now)
    assert d.state == State.RETURNED
    return d


def add_day_off(day: datetime.date) -> None:
    """A day off entered by the administrator (as the admin saves it), in a transaction that commits."""
    with transaction.atomic():
        CalendarDay.objects.create(
            date=day, kind=DayKind.SWAPPED_DAY_OFF, name="Nghỉ đột xuất", origin=DayOrigin.MANUAL
        )


def test_calendar_edit_moves_the_stored_due_date_of_an_open_dossier(django_capture_on_commit_callbacks):
    open_ = notary_processing(at("2026-03-02 08:00"))
    assert local(open_.due_at) == at("2026-03-30 08:00")
    with django_capture_on_commit_callbacks(execute=True):
        add_day_off(datetime.date(2026, 3, 10))
    stored = fresh(open_)
    assert local(stored.due_at) == at("2026-03-31 08:00")
    assert local(stored.original_due_at) == at("2026-03-30 08:00")  # the first appointment is kept
    assert local(stored_step(open_, 2).planned_end_at) == at("2026-03-24 08:00")


def test_calendar_edit_leaves_an_ended_dossier_untouched(django_capture_on_commit_callbacks):
    ended = returned_notary(at("2026-03-02 08:00"))
    before = fresh(ended).due_at
    steps_before = list(DossierStep.objects.filter(dossier=ended).values_list("planned_end_at", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        add_day_off(datetime.date(2026, 3, 10))
    assert fresh(ended).due_at == before
    assert list(DossierStep.objects.filter(dossier=ended).values_list("planned_end_at", flat=True)) == (
        steps_before
    )


def test_calendar_edit_moves_a_paused_dossier_as_if_resumed_at_once(django_capture_on_commit_callbacks):
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(d, "pause", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"), **PAUSE)
    with django_capture_on_commit_callbacks(execute=True):
        add_day_off(datetime.date(2026, 3, 10))
    # Not pushed ten years away by the open pause: the stored date is the appointment as it stands,
    # and resuming adds the paused working time to it.
    assert local(fresh(d).due_at) == at("2026-03-31 08:00")
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-05 08:00"))
    assert local(fresh(d).due_at) == at("2026-04-02 08:00")


def test_rolled_back_calendar_edit_changes_nothing(django_capture_on_commit_callbacks):
    d = notary_processing(at("2026-03-02 08:00"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        CalendarDay.objects.create(date=datetime.date(2026, 3, 10), kind=DayKind.SWAPPED_DAY_OFF, name="X")
        transaction.set_rollback(True)
    assert callbacks == []
    assert local(fresh(d).due_at) == at("2026-03-30 08:00")


def test_work_queue_shows_the_re_projected_date(django_capture_on_commit_callbacks):
    d = notary_processing(at("2026-03-02 08:00"))  # due 30/03 08:00
    officer, now = user("chuyenvien.sotuphap"), at("2026-03-30 09:00")
    assert d.pk in set(queues.overdue(officer, now=now).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        add_day_off(datetime.date(2026, 3, 10))
    # Now due 31/03 08:00: no longer "quá hạn", but "sắp đến hạn".
    assert d.pk not in set(queues.overdue(officer, now=now).values_list("pk", flat=True))
    assert d.pk in set(queues.due_soon(officer, now=now).values_list("pk", flat=True))
    counts = queues.queue_counts(officer, now=now)
    assert counts["overdue"] == queues.overdue(officer, now=now).count()


def test_re_projection_queries_do_not_grow_with_the_number_of_dossiers():
    def queries_to_reproject() -> int:
        with CaptureQueriesContext(connection) as ctx:
            result = deadlines.reproject_open_dossiers(batch_size=100)
        assert result["due_changed"] == result["dossiers"]  # every one was moved by the edit
        return len(ctx.captured_queries)

    few = [notary_processing(at(f"2026-03-{day:02d} 08:00")) for day in (2, 3)]
    CalendarDay.objects.create(date=datetime.date(2026, 3, 10), kind=DayKind.SWAPPED_DAY_OFF, name="X")
    with_two = queries_to_reproject()
    many = few + [notary_processing(at(f"2026-03-{day:02d} 08:00")) for day in (4, 5, 6, 9)]
    CalendarDay.objects.create(date=datetime.date(2026, 3, 11), kind=DayKind.SWAPPED_DAY_OFF, name="Y")
    assert queries_to_reproject() == with_two
    assert local(fresh(many[0]).due_at) == at("2026-04-01 08:00")


def test_re_projection_in_small_batches_stores_every_open_dossier():
    made = [notary_processing(at(f"2026-03-{day:02d} 08:00")) for day in (2, 3, 4)]
    CalendarDay.objects.create(date=datetime.date(2026, 3, 10), kind=DayKind.SWAPPED_DAY_OFF, name="X")
    deadlines.reproject_open_dossiers(batch_size=1)
    assert [local(fresh(d).due_at) for d in made] == [
        at("2026-03-31 08:00"),
        at("2026-04-01 08:00"),
        at("2026-04-02 08:00"),
    ]


def test_r13_paused_step_is_not_shown_overdue_on_the_process_control_sheet():
    from motcua.dossiers.selectors import process_control_sheet

    d = notary_processing(at("2026-03-02 08:00"))  # appraisal planned to end 23/03 08:00
    d = act(d, "pause", "chuyenvien.sotuphap", now=at("2026-03-20 08:00"), **PAUSE)
    row = next(r for r in process_control_sheet(fresh(d), now=at("2026-03-27 08:00")) if r.order == 2)
    assert row.status == "in_progress"  # its clock stands still while paused
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-27 08:00"))
    row = next(r for r in process_control_sheet(fresh(d), now=at("2026-04-01 08:00")) if r.order == 2)
    assert row.status == "overdue"  # moved to 30/03 08:00 on resume, and now past it
