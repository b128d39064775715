"""Background work of the dossiers app (django-tasks; the backend is `settings.TASKS`)."""

from django_tasks import task

from motcua.dossiers import deadlines


@task()
def reproject_open_due_dates() -> dict[str, int]:
    """After an edit of the working calendar: store the open dossiers' due dates and their running
    steps' planned ends as the new calendar gives them (DESIGN.md: "changing the calendar re-projects
    running deadlines"), so queues, counters and reports read true stored dates.

    Enqueued once per committed transaction that edited the calendar (`dossiers.receivers`); safe to
    run again or concurrently with itself: it only ever stores the projection of the current data.
    """
    return dict(deadlines.reproject_open_dossiers())
