"""Any edit of the calendar tables re-projects running deadlines (DESIGN.md): drop the cached calendar."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from motcua.calendar.models import CalendarDay, WorkingHours
from motcua.calendar.services import invalidate_calendar


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=WorkingHours)
def calendar_changed(sender, using: str = "default", **kwargs) -> None:
    # At once, so the same request sees its own edit; and again after commit, so that a calendar
    # rebuilt by another thread from the not-yet-committed state is not kept.
    invalidate_calendar()
    transaction.on_commit(invalidate_calendar, using=using)
