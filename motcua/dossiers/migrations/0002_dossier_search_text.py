from django.db import migrations, models

from motcua.core.text import fold

TRIGRAM_INDEX = "dossier_search_text_trgm"


def fill_search_text(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    batch = []
    for dossier in Dossier.objects.only("pk", "code", "applicant_name", "applicant_identifier").iterator(
        chunk_size=2000
    ):
        dossier.search_text = fold(f"{dossier.code} {dossier.applicant_name} {dossier.applicant_identifier}")
        batch.append(dossier)
        if len(batch) == 2000:
            Dossier.objects.bulk_update(batch, ["search_text"])
            batch = []
    Dossier.objects.bulk_update(batch, ["search_text"])


def create_trigram_index(apps, schema_editor):
    # `search_text LIKE '%word%'` on PostgreSQL uses a trigram GIN index (pg_trgm, a trusted
    # extension since PostgreSQL 13); SQLite scans, which is fine at a demo's size.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{TRIGRAM_INDEX}" ON "dossiers_dossier" '
        'USING gin ("search_text" gin_trgm_ops)'
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{TRIGRAM_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
