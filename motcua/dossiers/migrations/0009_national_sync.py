"""Issue 9: the national sync — stable message ids, leases, back-off and dead letters on the outbox; where a dossier came from and the indicator fields the national portal scores."""

import uuid

from django.conf import settings
from django.db import migrations, models


def give_message_ids(apps, schema_editor):
    OutboxMessage = apps.get_model("dossiers", "OutboxMessage")
    batch = []
    for message in OutboxMessage.objects.filter(message_id__isnull=True).only("pk").iterator(chunk_size=2000):
        message.message_id = uuid.uuid4()
        batch.append(message)
        if len(batch) == 2000:
            OutboxMessage.objects.bulk_update(batch, ["message_id"])
            batch = []
    OutboxMessage.objects.bulk_update(batch, ["message_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("dossiers", "0008_document_attached_once"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="applicant_tech_id",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="TechID trên Cổng DVCQG"
            ),
        ),
        migrations.AddField(
            model_name="dossier",
            name="national_id",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="mã hồ sơ trên hệ thống nguồn"
            ),
        ),
        migrations.AddField(
            model_name="dossier",
            name="origin",
            field=models.CharField(
                choices=[
                    ("local", "Hệ thống một cửa của tỉnh"),
                    ("national_portal", "Cổng Dịch vụ công quốc gia chuyển về"),
                    ("legacy", "Chuyển từ phần mềm một cửa cũ"),
                ],
                default="local",
                max_length=16,
                verbose_name="nguồn hồ sơ",
            ),
        ),
        migrations.AddField(
            model_name="dossier",
            name="vneid_verified",
            field=models.BooleanField(default=False, verbose_name="tài khoản xác thực VNeID"),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="available_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="claimed_by",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="dead_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # A unique id for every message already written (the documented way to add a unique field).
        migrations.AddField(
            model_name="outboxmessage",
            name="message_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="mã bản tin"),
        ),
        migrations.RunPython(give_message_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboxmessage",
            name="message_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="mã bản tin"
            ),
        ),
        migrations.AlterField(
            model_name="dossierevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("receive", "Tiếp nhận"),
                    ("reject", "Từ chối tiếp nhận"),
                    ("request_supplement", "Yêu cầu bổ sung, hoàn thiện hồ sơ"),
                    ("submit_supplement", "Nộp bổ sung"),
                    ("forward", "Chuyển bước xử lý"),
                    ("return_to_step", "Trả lại bước trước"),
                    ("consult", "Xin ý kiến cơ quan khác"),
                    ("answer_consultation", "Trả lời xin ý kiến"),
                    ("pause", "Tạm dừng"),
                    ("resume", "Tiếp tục xử lý"),
                    ("stop", "Dừng xử lý"),
                    ("request_withdrawal", "Đề nghị rút hồ sơ"),
                    ("approve_withdrawal", "Duyệt rút hồ sơ"),
                    ("apologise", "Xin lỗi, hẹn lại ngày trả"),
                    ("issue_result", "Ban hành kết quả"),
                    ("return_result", "Trả kết quả"),
                    ("submit", "Nộp hồ sơ"),
                    ("legacy_history", "Lịch sử từ phần mềm cũ"),
                    ("unit_transfer", "Chuyển đơn vị do sắp xếp, sáp nhập"),
                ],
                max_length=32,
            ),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("delivered_at__isnull", True)),
                fields=["topic", "dossier", "id"],
                name="outbox_pending_dossier",
            ),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("dead_at__isnull", False)),
                fields=["topic", "dead_at"],
                name="outbox_dead",
            ),
        ),
        migrations.AddConstraint(
            model_name="dossier",
            constraint=models.UniqueConstraint(
                condition=models.Q(("national_id", ""), _negated=True),
                fields=("origin", "national_id"),
                name="dossier_national_id_unique",
            ),
        ),
    ]
