"""Production path of a calendar edit (issue 8 item 5): the re-projection task is stored in the
database when the edit commits (django-tasks-db) and `manage.py worker` runs it."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from motcua.calendar.models import CalendarDay, DayKind

# Transactional (the task row is written by the commit): the flush would drop the migrations'
# seeded calendar, which `keep_seeded_data` restores for the modules that run later.
pytestmark = pytest.mark.usefixtures("keep_seeded_data")

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_committed_calendar_edit_is_queued_once_and_run_by_the_worker(settings):
    settings.TASKS = DATABASE_TASKS
    # Two rows in one transaction (as the admin's list page saves them): one re-projection.
    with transaction.atomic():
        CalendarDay.objects.create(date=datetime.date(2026, 3, 10), kind=DayKind.SWAPPED_DAY_OFF, name="X")
        CalendarDay.objects.create(date=datetime.date(2026, 3, 11), kind=DayKind.SWAPPED_DAY_OFF, name="Y")
        assert not DBTaskResult.objects.exists()  # nothing before the commit
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "motcua.dossiers.tasks.reproject_open_due_dates"
    assert queued.status == "READY"

    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == {"dossiers": 0, "due_changed": 0, "steps_changed": 0}
