"""`manage.py verify_audit`: the HMAC-chained event log detects edits and deletions (issue 3 item 3,
issue 8 item 7).

Every tampering below is done the way a database owner would: with SQL, after switching off the
PostgreSQL trigger that refuses UPDATE and DELETE of event rows (migration 0005) — the owner of
the table can do that, which is exactly why the chain is keyed with a secret kept outside the
database.
"""

import hashlib
import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from motcua.dossiers import audit
from motcua.dossiers.audit import verify_chain
from motcua.dossiers.models import Dossier, DossierEvent
from tests.dossiers.kit import NOTARY, at, notary_processing, submit
from tests.dossiers.tamper import delete_event, owner_cursor
from tests.dossiers.tamper import event_table as _table


def verify(*codes) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", *codes, stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def dossiers():
    return [notary_processing(at("2026-03-02 08:00")), submit(NOTARY, now=at("2026-03-02 09:00"))]


def test_untouched_log_verifies(dossiers):
    code, output = verify()
    assert code == 0
    assert "Nhật ký toàn vẹn" in output and "không có sai lệch" in output
    assert list(verify_chain()) == []


def _rehash(dossier: Dossier, digest) -> None:
    """Recompute a dossier's whole chain with `digest(canonical bytes)` and store it, as an
    intruder who edited an event and wants the chain to look intact again."""
    prev = ""
    with owner_cursor() as cursor:
        for event in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
            event.prev_hash = prev
            new = digest(audit._canonical(event, dossier.code))
            cursor.execute(
                f"UPDATE {_table()} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, event.pk]
            )
            prev = new
    Dossier.objects.filter(pk=dossier.pk).update(last_event_hash=prev)


def test_event_hash_is_an_hmac_so_a_chain_rehashed_with_plain_sha256_is_reported(dossiers):
    d = dossiers[0]
    with owner_cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET reason = %s WHERE dossier_id = %s AND seq = 2", ["Sửa lén", d.pk]
        )
    _rehash(d, lambda content: hashlib.sha256(content).hexdigest())

    code, output = verify()
    assert code == 1
    assert f"Hồ sơ {d.code}: sự kiện số 1 đã bị sửa." in output
    assert f"Hồ sơ {d.code}: sự kiện số 2 đã bị sửa." in output
    assert dossiers[1].code not in output


def test_chain_signed_with_another_key_is_reported(dossiers):
    with override_settings(MOTCUA_AUDIT_KEY="khoa-khac-cua-ke-gian-0123456789abcdef"):
        intruder = submit(NOTARY, now=at("2026-03-02 10:00"))
    code, output = verify()
    assert code == 1
    assert f"Hồ sơ {intruder.code}: sự kiện số 1 ký bằng khóa không xác định" in output
    assert dossiers[0].code not in output and dossiers[1].code not in output


def test_old_chains_verify_with_the_old_key_after_rotation(dossiers):
    old = "khoa-cu-da-thay-0123456789abcdef0123"
    with override_settings(MOTCUA_AUDIT_KEY=old):
        before = submit(NOTARY, now=at("2026-03-02 10:00"))
    assert before.events.get().key_id == audit.key_id(old)
    new = "khoa-moi-0123456789abcdef0123456789"
    retired = [old, audit.DEMO_AUDIT_KEY]  # the fixture's dossiers were signed with the demo key
    with override_settings(MOTCUA_AUDIT_KEY=new, MOTCUA_AUDIT_OLD_KEYS=retired):
        after = submit(NOTARY, now=at("2026-03-02 11:00"))
        assert after.events.get().key_id == audit.key_id(new)
        code, output = verify()
        assert code == 0 and "không có sai lệch" in output
    with override_settings(MOTCUA_AUDIT_KEY=new, MOTCUA_AUDIT_OLD_KEYS=[audit.DEMO_AUDIT_KEY]):
        code, output = verify()  # the old key forgotten: its events can no longer be vouched for
    assert code == 1 and f"Hồ sơ {before.code}: sự kiện số 1 ký bằng khóa không xác định" in output
    assert after.code not in output


def test_audit_key_is_required_when_debug_is_off():
    with (
        override_settings(DEBUG=False, MOTCUA_AUDIT_KEY=""),
        pytest.raises(ImproperlyConfigured, match="MOTCUA_AUDIT_KEY"),
    ):
        audit.check_key_configured()
    with override_settings(DEBUG=True, MOTCUA_AUDIT_KEY=""):
        audit.check_key_configured()  # the demo key is allowed while developing
    with (
        override_settings(DEBUG=False, MOTCUA_AUDIT_KEY="ngan-qua"),
        pytest.raises(ImproperlyConfigured, match="at least 32 characters"),
    ):
        audit.check_key_configured()
    with override_settings(DEBUG=False, MOTCUA_AUDIT_KEY="0123456789abcdef" * 4):
        audit.check_key_configured()
    with (
        override_settings(DEBUG=False, MOTCUA_AUDIT_KEY=audit.DEMO_AUDIT_KEY),
        pytest.raises(ImproperlyConfigured, match="MOTCUA_AUDIT_KEY"),
    ):
        audit.check_key_configured()  # nor may production name the demo key explicitly


def test_direct_sql_edit_of_a_reason_is_detected(dossiers):
    d = dossiers[0]
    event = d.events.get(seq=2)
    with owner_cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET reason = %s WHERE id = %s", ["Sửa lén", event.pk])

    code, output = verify()
    assert code == 1
    assert f"Hồ sơ {d.code}: sự kiện số 2 đã bị sửa." in output
    assert "PHÁT HIỆN SAI LỆCH" in output and "1/2 hồ sơ" in output
    assert dossiers[1].code not in output  # the other dossier is intact
    assert verify(dossiers[1].code)[0] == 0


def test_direct_sql_edit_of_the_time_is_detected(dossiers):
    d = dossiers[0]
    with owner_cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET at = %s WHERE dossier_id = %s AND seq = %s",
            [at("2026-03-01 08:00"), d.pk, 1],
        )
    assert verify()[0] == 1


def test_direct_sql_delete_of_the_last_event_is_detected(dossiers):
    d = dossiers[0]
    last = d.events.order_by("-seq").first()
    with owner_cursor() as cursor:
        delete_event(cursor, last)

    code, output = verify()
    assert code == 1
    assert f"Hồ sơ {d.code}: chuỗi sự kiện không khớp với hồ sơ" in output


def test_direct_sql_delete_in_the_middle_is_detected(dossiers):
    d = dossiers[0]
    middle = d.events.get(seq=2)
    with owner_cursor() as cursor:
        delete_event(cursor, middle)
    code, output = verify(d.code)
    assert code == 1
    assert "thiếu hoặc thừa sự kiện" in output and "không nối với sự kiện trước" in output


def test_unknown_code_is_reported():
    code, output = verify("000.00.05.H19-260302-9999")
    assert code == 2 and "Không tìm thấy hồ sơ" in output


migration_0005 = importlib.import_module("motcua.dossiers.migrations.0005_events_append_only")


def test_migration_0005_reseals_intact_sha256_chains_and_keeps_broken_ones_reported(dossiers):
    """Before item 7 the chain was plain SHA-256. The upgrade re-seals every intact chain with the
    HMAC key, but never a broken one: re-sealing it would launder the tampering."""
    intact, broken = dossiers
    for d in dossiers:
        _rehash(d, lambda content: hashlib.sha256(content).hexdigest())
    with owner_cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET key_id = ''")
        cursor.execute(
            f"UPDATE {_table()} SET reason = %s WHERE dossier_id = %s AND seq = 1", ["Sửa lén", broken.pk]
        )
        migration_0005.reseal_with_hmac(django_apps, None)

    assert set(DossierEvent.objects.filter(dossier=intact).values_list("key_id", flat=True)) == {
        audit.key_id(audit.signing_key())
    }
    code, output = verify()
    assert code == 1
    assert intact.code not in output
    assert f"Hồ sơ {broken.code}: sự kiện số 1 ký bằng khóa không xác định" in output
