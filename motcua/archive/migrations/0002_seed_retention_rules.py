"""Seed the retention periods (thời hạn bảo quản) of archived dossiers: a default and the fields the
law keeps forever. Idempotent: rules an administrator created or edited are never overwritten.

[R] These are recollections of TT 10/2022/TT-BNV (the general list of retention periods) and of the
sectors' tables, NOT checked against the texts (REGULATIONS §8, §10 item 7): civil status (hộ tịch)
and land (đất đai) permanent; anything else 10 years. Check them, and the field codes, which follow
the demo catalogue (HOTICH, DATDAI) — a province edits them to its catalogue's codes in the admin.
"""

from django.db import migrations

BASIS = "[R] TT 10/2022/TT-BNV (nhớ lại, cần đối chiếu văn bản)"
SEED = [
    # (procedure_code, field_code, years — None = vĩnh viễn, note)
    ("", "", 10, "Mặc định cho hồ sơ không có quy tắc riêng theo thủ tục hoặc lĩnh vực."),
    ("", "HOTICH", None, "Hồ sơ hộ tịch: bảo quản vĩnh viễn."),
    ("", "DATDAI", None, "Hồ sơ đất đai: bảo quản vĩnh viễn."),
]


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("archive", "RetentionRule")
    for procedure_code, field_code, years, note in SEED:
        RetentionRule.objects.get_or_create(
            procedure_code=procedure_code,
            field_code=field_code,
            defaults={"years": years, "basis": BASIS, "note": note},
        )


def unseed(apps, schema_editor):
    RetentionRule = apps.get_model("archive", "RetentionRule")
    for procedure_code, field_code, years, note in SEED:
        RetentionRule.objects.filter(
            procedure_code=procedure_code, field_code=field_code, years=years, basis=BASIS, note=note
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
