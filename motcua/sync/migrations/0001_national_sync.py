"""Issue 9: what the province knows of its side of the national sync."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dossiers", "0009_national_sync"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="NationalRecord",
            fields=[
                (
                    "dossier",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="dossiers.dossier",
                    ),
                ),
                (
                    "added_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="ngày tạo trên Cổng DVCQG"),
                ),
                (
                    "last_delivered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="lần đồng bộ gần nhất"),
                ),
                ("last_message_id", models.UUIDField(blank=True, null=True)),
                (
                    "last_status",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="trạng thái đã đồng bộ"
                    ),
                ),
            ],
            options={
                "verbose_name": "hồ sơ trên Cổng DVCQG",
                "verbose_name_plural": "hồ sơ trên Cổng DVCQG",
            },
        ),
        migrations.CreateModel(
            name="PullCursor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=64, unique=True)),
                ("position", models.CharField(blank=True, max_length=255)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="DeadLetter",
            fields=[],
            options={
                "verbose_name": "bản tin đồng bộ lỗi",
                "verbose_name_plural": "bản tin đồng bộ lỗi (chờ xử lý)",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("dossiers.outboxmessage",),
        ),
        migrations.CreateModel(
            name="Partner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=64, unique=True, verbose_name="mã đối tác")),
                ("name", models.CharField(max_length=255, verbose_name="tên đối tác")),
                ("key_digest", models.CharField(editable=False, max_length=64)),
                ("active", models.BooleanField(default=True, verbose_name="đang hoạt động")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                (
                    "units",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="org.unit", verbose_name="đơn vị được chuyển hồ sơ"
                    ),
                ),
            ],
            options={
                "verbose_name": "đối tác kết nối",
                "verbose_name_plural": "đối tác kết nối",
            },
        ),
        migrations.CreateModel(
            name="InboundDossier",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "national_id",
                    models.CharField(max_length=64, unique=True, verbose_name="mã hồ sơ trên Cổng DVCQG"),
                ),
                (
                    "via",
                    models.CharField(
                        choices=[("pull", "Lấy về định kỳ"), ("push", "Cổng DVCQG gửi")], max_length=8
                    ),
                ),
                ("received_at", models.DateTimeField()),
                ("payload", models.JSONField()),
                (
                    "status",
                    models.CharField(
                        choices=[("accepted", "Đã tạo hồ sơ"), ("refused", "Không nhận được")], max_length=16
                    ),
                ),
                ("error", models.TextField(blank=True)),
                (
                    "dossier",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="dossiers.dossier",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sync.partner",
                    ),
                ),
            ],
            options={
                "verbose_name": "hồ sơ Cổng DVCQG chuyển về",
                "verbose_name_plural": "hồ sơ Cổng DVCQG chuyển về",
                "ordering": ["-received_at"],
            },
        ),
    ]
