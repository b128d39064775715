"""Units in which the law states a time limit (REGULATIONS §7.3)."""

from django.db import models


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "Ngày làm việc"
    WORKING_HOURS = "working_hours", "Giờ làm việc"
    CALENDAR_DAYS = "calendar_days", "Ngày"


# A working day is 8 working hours (Tân Dân, OpenCPS; REGULATIONS §7.3).
HOURS_PER_WORKING_DAY = 8
