"""`manage.py verify_audit`: the hash-chained event log detects edits and deletions (issue 3 item 3)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.dossiers.audit import verify_chain
from motcua.dossiers.models import DossierEvent, OutboxMessage
from tests.dossiers.kit import NOTARY, at, notary_processing, submit


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


def _table() -> str:
    return connection.ops.quote_name(DossierEvent._meta.db_table)


def test_direct_sql_edit_of_a_reason_is_detected(dossiers):
    d = dossiers[0]
    event = d.events.get(seq=2)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET reason = %s WHERE id = %s", ["Sửa lén", event.pk])

    code, output = verify()
    assert code == 1
    assert f"Hồ sơ {d.code}: sự kiện số 2 đã bị sửa." in output
    assert "PHÁT HIỆN SAI LỆCH" in output and "1/2 hồ sơ" in output
    assert dossiers[1].code not in output  # the other dossier is intact
    assert verify(dossiers[1].code)[0] == 0


def test_direct_sql_edit_of_the_time_is_detected(dossiers):
    d = dossiers[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET at = %s WHERE dossier_id = %s AND seq = %s",
            [at("2026-03-01 08:00"), d.pk, 1],
        )
    assert verify()[0] == 1


def test_direct_sql_delete_of_the_last_event_is_detected(dossiers):
    d = dossiers[0]
    last = d.events.order_by("-seq").first()
    with connection.cursor() as cursor:
        outbox = connection.ops.quote_name(OutboxMessage._meta.db_table)
        cursor.execute(f"DELETE FROM {outbox} WHERE event_id = %s", [last.pk])
        cursor.execute(f"DELETE FROM {_table()} WHERE id = %s", [last.pk])

    code, output = verify()
    assert code == 1
    assert f"Hồ sơ {d.code}: chuỗi sự kiện không khớp với hồ sơ" in output


def test_direct_sql_delete_in_the_middle_is_detected(dossiers):
    d = dossiers[0]
    middle = d.events.get(seq=2)
    with connection.cursor() as cursor:
        outbox = connection.ops.quote_name(OutboxMessage._meta.db_table)
        cursor.execute(f"DELETE FROM {outbox} WHERE event_id = %s", [middle.pk])
        cursor.execute(f"DELETE FROM {_table()} WHERE id = %s", [middle.pk])
    code, output = verify(d.code)
    assert code == 1
    assert "thiếu hoặc thừa sự kiện" in output and "không nối với sự kiện trước" in output


def test_unknown_code_is_reported():
    code, output = verify("000.00.05.H19-260302-9999")
    assert code == 2 and "Không tìm thấy hồ sơ" in output
