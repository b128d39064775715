"""Any edit of the calendar tables re-projects running deadlines (DESIGN.md): drop the cached
calendar, and tell whoever keeps dates computed from it (`calendar_edited`)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from motcua.calendar.models import CalendarDay, WorkingHours
from motcua.calendar.services import invalidate_calendar

# Sent inside the transaction of each saved or deleted CalendarDay / WorkingHours row, with
# `using` (the database alias). The calendar sits below the apps that store deadlines and may not
# call them (import-linter layers): the dossiers app listens and re-projects after the commit.
calendar_edited = Signal()


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=WorkingHours)
def calendar_changed(sender, using: str = "default", **kwargs) -> None:
    # At once, so the same request sees its own edit; and again after commit, so that a calendar
    # rebuilt by another thread from the not-yet-committed state is not kept.
    invalidate_calendar()
    transaction.on_commit(invalidate_calendar, using=using)
    calendar_edited.send(sender=sender, using=using, instance=kwargs.get("instance"))
