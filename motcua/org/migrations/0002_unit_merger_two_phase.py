"""Two-phase unit mergers (issue 9 item 7): draft → committed (or cancelled), who did what and when,
and what the commit moved. Mergers recorded before this migration were applied at once: they are
committed, at the time they were recorded."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def mark_recorded_mergers_committed(apps, schema_editor):
    UnitMerger = apps.get_model("org", "UnitMerger")
    for merger in UnitMerger.objects.filter(committed_at__isnull=True):
        merger.committed_at = merger.recorded_at
        merger.save(update_fields=["committed_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="unitmerger",
            options={
                "ordering": ["-effective_on", "-pk"],
                "verbose_name": "sáp nhập đơn vị",
                "verbose_name_plural": "sáp nhập đơn vị",
            },
        ),
        migrations.AddField(
            model_name="unitmerger",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="thời điểm huỷ"),
        ),
        migrations.AddField(
            model_name="unitmerger",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người huỷ",
            ),
        ),
        migrations.AddField(
            model_name="unitmerger",
            name="committed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="thời điểm thực hiện"),
        ),
        migrations.AddField(
            model_name="unitmerger",
            name="committed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người thực hiện",
            ),
        ),
        migrations.AddField(
            model_name="unitmerger",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người lập",
            ),
        ),
        migrations.AddField(
            model_name="unitmerger",
            name="moved",
            field=models.JSONField(blank=True, default=dict, verbose_name="kết quả thực hiện"),
        ),
        # Rows already there were applied immediately by the one-phase merge_units: committed.
        migrations.AddField(
            model_name="unitmerger",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Dự thảo (chưa thực hiện)"),
                    ("committed", "Đã thực hiện"),
                    ("cancelled", "Đã huỷ"),
                ],
                default="committed",
                max_length=16,
                verbose_name="trạng thái",
            ),
        ),
        migrations.AlterField(
            model_name="unitmerger",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Dự thảo (chưa thực hiện)"),
                    ("committed", "Đã thực hiện"),
                    ("cancelled", "Đã huỷ"),
                ],
                default="draft",
                max_length=16,
                verbose_name="trạng thái",
            ),
        ),
        migrations.RunPython(mark_recorded_mergers_committed, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="unitmerger",
            name="recorded_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="ngày lập"),
        ),
    ]
