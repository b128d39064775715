"""The rules of 3.6 (dossiers of procedures with catalogue fees only) and 4.1 (electronic results of
synced dossiers) changed what a fact and a monthly row hold: every received dossier is marked to be
read again; the engine's next refresh rewrites them (derived data, nothing else changes)."""

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
    dependencies = [("index", "0002_qd766_2022"), ("dossiers", "0013_report_indexes")]
    operations = [migrations.RunPython(mark_all, migrations.RunPython.noop)]
