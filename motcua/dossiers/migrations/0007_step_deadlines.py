"""Step deadlines move with pauses (item 5)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0006_submission_idempotency")]

    operations = []
