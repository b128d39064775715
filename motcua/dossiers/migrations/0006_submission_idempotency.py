"""Idempotent online submission (item 3)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_events_append_only")]

    operations = []
