"""A document is attached to one dossier only (item 4)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0007_step_deadlines")]

    operations = []
