"""Every edit of the calendar tables is announced (`calendar_edited`), so that the apps above the
calendar, which it may not import, re-project the dates they store (issue 8 item 5)."""

import datetime

import pytest
from django.db import transaction

from motcua.calendar.models import CalendarDay, DayKind, WorkingHours
from motcua.calendar.signals import calendar_edited

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def listener(sender, **kwargs):
        calls.append((sender, kwargs.get("using"), kwargs.get("instance")))

    calendar_edited.connect(listener)
    yield calls
    calendar_edited.disconnect(listener)


def test_adding_editing_and_deleting_a_day_is_announced(heard):
    day = CalendarDay.objects.create(date=datetime.date(2026, 3, 10), kind=DayKind.SWAPPED_DAY_OFF, name="X")
    day.name = "Nghỉ đột xuất"
    day.save()
    day.delete()
    assert [(sender, using) for sender, using, _ in heard] == [(CalendarDay, "default")] * 3
    assert heard[0][2].date == datetime.date(2026, 3, 10)


def test_changing_the_office_hours_is_announced(heard):
    hours = WorkingHours.objects.order_by("valid_from").first()
    hours.morning_start = datetime.time(7, 30)
    hours.save()
    assert [sender for sender, _, _ in heard] == [WorkingHours]


def test_only_a_committed_edit_runs_what_receivers_registered_for_its_commit(
    django_capture_on_commit_callbacks,
):
    ran = []

    def listener(sender, using, **kwargs):
        transaction.on_commit(lambda: ran.append(kwargs["instance"].name), using=using)

    calendar_edited.connect(listener, dispatch_uid="test-calendar-edited")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                CalendarDay.objects.create(
                    date=datetime.date(2026, 3, 10), kind=DayKind.SWAPPED_DAY_OFF, name="Hủy"
                )
                transaction.set_rollback(True)
            with transaction.atomic():
                CalendarDay.objects.create(
                    date=datetime.date(2026, 3, 11), kind=DayKind.SWAPPED_DAY_OFF, name="Giữ"
                )
    finally:
        calendar_edited.disconnect(dispatch_uid="test-calendar-edited")
    assert ran == ["Giữ"]
