"""R-21: the in-person attempts refused under R-19 (dossiers.RefusedAttempt)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_catalog_sync_run"),
        ("dossiers", "0011_outbox_names"),
        ("org", "0002_unit_merger_two_phase"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RefusedAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("counter", "Trực tiếp"),
                            ("online", "Trực tuyến"),
                            ("postal", "Qua dịch vụ bưu chính công ích"),
                        ],
                        max_length=16,
                        verbose_name="cách thức nộp",
                    ),
                ),
                (
                    "actor_name",
                    models.CharField(blank=True, max_length=255, verbose_name="tên cán bộ tiếp nhận"),
                ),
                ("at", models.DateTimeField(db_index=True, verbose_name="thời điểm")),
                ("rule", models.CharField(default="R-19", max_length=8, verbose_name="quy tắc")),
                ("reason", models.TextField(verbose_name="lý do từ chối")),
                (
                    "applicant_identifier",
                    models.CharField(blank=True, max_length=35, verbose_name="số định danh người nộp"),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="cán bộ tiếp nhận",
                    ),
                ),
                (
                    "counter",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.counter",
                        verbose_name="quầy",
                    ),
                ),
                (
                    "procedure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refused_attempts",
                        to="catalog.procedure",
                        verbose_name="thủ tục",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.unit",
                        verbose_name="đơn vị tiếp nhận",
                    ),
                ),
            ],
            options={
                "verbose_name": "lượt từ chối tiếp nhận trực tiếp",
                "verbose_name_plural": "lượt từ chối tiếp nhận trực tiếp (R-19)",
                "ordering": ["-at", "-pk"],
            },
        ),
    ]
