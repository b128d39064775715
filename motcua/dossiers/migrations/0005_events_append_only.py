"""Audit chain: events append-only (issue 8 item 7).

1. Each event records the id of the key its HMAC was made with (`key_id`), so a rotated key's
   chains still verify with the old key kept in MOTCUA_AUDIT_OLD_KEYS.
2. Existing events were chained with plain SHA-256, which anyone who can write to the database can
   recompute. Each dossier whose SHA-256 chain is intact is re-sealed with the HMAC key; a dossier
   whose chain is already broken is left as it is, so verify_audit keeps reporting it (re-sealing
   it would launder the tampering).
3. PostgreSQL: a trigger refuses UPDATE and DELETE of event rows, whoever sends them. Row triggers
   do not fire on TRUNCATE, which the test suite's flush uses; the table's owner can still switch
   the trigger off (ALTER TABLE … DISABLE TRIGGER), which is why the chain is keyed and its heads
   are exported in signed digests. SQLite (the single-user demo database) gets no trigger.
"""

import hashlib
import json

from django.db import migrations, models

TRIGGER = "dossierevent_append_only"
FUNCTION = "motcua_refuse_event_change"

CREATE_TRIGGER = f"""
CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Nhật ký hồ sơ chỉ được ghi thêm: không được % sự kiện (bảng %, id %).',
        CASE TG_OP WHEN 'UPDATE' THEN 'sửa' ELSE 'xóa' END, TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'restrict_violation',
              HINT = 'The dossier event log is append-only (migration dossiers 0005).';
END
$$;
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""
DROP_TRIGGER = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def _sha256_canonical(event, code: str) -> bytes:
    """The chain's canonical content, frozen as of this migration (dossiers.audit._canonical)."""
    content = {
        "dossier": code,
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "step": event.step_id,
        "unit": event.unit_id,
        "reason": event.reason,
        "data": event.data,
        "documents": event.documents,
        "prev": event.prev_hash,
    }
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def reseal_with_hmac(apps, schema_editor):
    from motcua.dossiers.audit import _sign, key_id, signing_key

    Dossier = apps.get_model("dossiers", "Dossier")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    if not DossierEvent.objects.exists():
        return
    key = signing_key()
    kid = key_id(key)
    for dossier in Dossier.objects.only("pk", "code", "version", "last_event_hash").iterator(chunk_size=500):
        events = list(DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("seq"))
        prev, intact = "", len(events) == dossier.version
        for n, event in enumerate(events, 1):
            content = _sha256_canonical(event, dossier.code)
            if event.seq != n or event.prev_hash != prev or hashlib.sha256(content).hexdigest() != event.hash:
                intact = False
                break
            prev = event.hash
        if not intact or prev != dossier.last_event_hash:
            continue
        prev = ""
        for event in events:
            event.prev_hash = prev
            event.hash = prev = _sign(key, _sha256_canonical(event, dossier.code))
            event.key_id = kid
        DossierEvent.objects.bulk_update(events, ["prev_hash", "hash", "key_id"])
        Dossier.objects.filter(pk=dossier.pk).update(last_event_hash=prev)


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no parameters: the % in RAISE stay as is
            cursor.execute(CREATE_TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_queue_partial_indexes")]

    operations = [
        migrations.AddField(
            model_name="dossierevent",
            name="key_id",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.RunPython(reseal_with_hmac, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
