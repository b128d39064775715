"""Item 4 of issue 8: "signed" is verified, not claimed.

The old `signed` flag was the uploader's checkbox; it is dropped, not carried over (a claim is not
a verification). Existing PDFs read as unsigned until `manage.py recheck_signatures` verifies them.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name="document", name="signed"),
        migrations.AddField(
            model_name="document",
            name="signature_checked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="thời điểm kiểm tra chữ ký"),
        ),
        migrations.AddField(
            model_name="document",
            name="signature_note",
            field=models.CharField(blank=True, max_length=500, verbose_name="kết quả kiểm tra chữ ký"),
        ),
        migrations.AddField(
            model_name="document",
            name="signature_signed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="thời điểm ký"),
        ),
        migrations.AddField(
            model_name="document",
            name="signature_signer",
            field=models.CharField(blank=True, max_length=255, verbose_name="người ký"),
        ),
        migrations.AddField(
            model_name="document",
            name="signature_status",
            field=models.CharField(
                choices=[
                    ("unsigned", "Không có chữ ký số"),
                    ("valid", "Chữ ký số hợp lệ"),
                    ("invalid", "Chữ ký số không hợp lệ"),
                    ("untrusted", "Chữ ký số của tổ chức chứng thực không được tin cậy"),
                ],
                default="unsigned",
                max_length=16,
                verbose_name="chữ ký số",
            ),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["uploaded_by", "uploaded_at"], name="document_uploader_idx"),
        ),
    ]
