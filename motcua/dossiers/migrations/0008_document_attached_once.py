"""A document is attached to one dossier only (item 4)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0007_step_deadlines")]

    operations = [
        migrations.AddConstraint(
            model_name="dossierdocument",
            constraint=models.UniqueConstraint(fields=["document"], name="dossier_document_attached_once"),
        ),
    ]
