"""Seed 2020–2030 from the `holidays` package and create the default office hours (REGULATIONS §7.2).

Idempotent and safe to re-run: rows an administrator created or edited are never overwritten.
"""

import datetime

from django.db import migrations

DEFAULT_HOURS_FROM = datetime.date(2000, 1, 1)


def seed(apps, schema_editor):
    from motcua.calendar.seeding import apply_seed, seed_days

    apply_seed(apps.get_model("workcalendar", "CalendarDay"), seed_days())
    WorkingHours = apps.get_model("workcalendar", "WorkingHours")
    if not WorkingHours.objects.exists():
        # 07:00–11:30 and 13:30–17:00 (Tân Dân defaults; REGULATIONS §7.2); model defaults carry the times.
        WorkingHours.objects.create(
            valid_from=DEFAULT_HOURS_FROM, decision="Mặc định của hệ thống; sửa theo quyết định của UBND tỉnh"
        )


def unseed(apps, schema_editor):
    apps.get_model("workcalendar", "CalendarDay").objects.filter(origin="seed").delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
