"""Issue 11 fills three columns of the facts that were placeholders: `paid_online` (3.4, 3.6, R-29),
`reused` (4.4, R-30) and `complained` (5.4, R-31, R-32). Every received dossier is marked to be read
again; the engine's next refresh rewrites them (derived data, nothing else changes)."""

from django.db import migrations


def mark_all(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    IndexDirty = apps.get_model("index", "IndexDirty")
    ids = (
        Dossier.objects.filter(received_at__isnull=False)
        .values_list("pk", flat=True)
        .iterator(chunk_size=5000)
    )
    batch = []
    for pk in ids:
        batch.append(IndexDirty(dossier_id=pk))
        if len(batch) == 5000:
            IndexDirty.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    IndexDirty.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("index", "0003_read_facts_again"),
        ("dossiers", "0014_fee_paid_via"),
        ("documents", "0003_reused_from"),
        ("feedback", "0001_initial"),
    ]
    operations = [migrations.RunPython(mark_all, migrations.RunPython.noop)]
