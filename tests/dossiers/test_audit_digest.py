"""Signed daily digests of the chain heads (issue 8 item 7): `manage.py export_audit_digest` writes
every dossier's (code, version, last hash), signed with the audit key; `verify_audit` compares the
database with the latest digest, so deleting a dossier's last events (even with its row fixed up),
deleting a whole dossier, or re-hashing a chain with the key are all detected."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from motcua.dossiers import audit
from motcua.dossiers.models import Dossier, DossierEvent
from tests.dossiers.kit import NOTARY, at, notary_processing, submit
from tests.dossiers.tamper import (
    delete_dossier,
    delete_last_event_and_fix_the_dossier,
    event_table,
    owner_cursor,
)


@pytest.fixture(autouse=True)
def digest_dir(settings, tmp_path) -> Path:
    settings.MOTCUA_AUDIT_DIGEST_DIR = tmp_path / "audit"
    return settings.MOTCUA_AUDIT_DIGEST_DIR


@pytest.fixture
def dossiers():
    return [notary_processing(at("2026-03-02 08:00")), submit(NOTARY, now=at("2026-03-02 09:00"))]


def run(command: str, *args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def export(now: str = "2026-03-02 23:00") -> Path:
    return audit.export_digest(now=at(now))


def test_export_writes_a_signed_digest_of_every_dossier(dossiers, digest_dir):
    path = export()
    assert path == digest_dir / "audit-digest-2026-03-02.json"
    body = json.loads(path.read_text())
    heads = {row[1]: row[2:] for row in body["dossiers"]}
    for d in dossiers:
        d.refresh_from_db()
        assert heads[d.code] == [d.version, d.last_event_hash]
    assert body["dossier_count"] == Dossier.objects.count()
    assert body["event_count"] == DossierEvent.objects.count()
    assert body["generated_at"] == "2026-03-02T16:00:00+00:00"  # stored and written in UTC
    assert body["key_id"] == audit.key_id(audit.signing_key())
    assert len(body["signature"]) == 64
    assert audit.read_digest(path).dossier_count == body["dossier_count"]


def test_export_command_writes_into_the_given_folder(dossiers, tmp_path):
    code, output = run("export_audit_digest", "--dir", str(tmp_path / "elsewhere"))
    assert code == 0
    (written,) = (tmp_path / "elsewhere").glob("audit-digest-*.json")
    assert f"Đã ghi bản tóm lược nhật ký {written}" in output and "2 hồ sơ" in output


def test_a_second_export_the_same_day_never_overwrites_the_first(dossiers, digest_dir):
    first = export("2026-03-02 08:00")
    content = first.read_bytes()
    second = export("2026-03-02 20:00")
    assert second != first and second.name == "audit-digest-2026-03-02-2.json"
    assert first.read_bytes() == content
    assert audit.latest_digest(digest_dir) == second
    assert not list(digest_dir.glob("*.tmp"))  # written to a temporary file, then renamed


def test_untouched_log_verifies_against_the_latest_digest(dossiers):
    export()
    later = submit(NOTARY, now=at("2026-03-03 08:00"))  # a dossier newer than the digest is fine
    code, output = run("verify_audit")
    assert code == 0, output
    assert "audit-digest-2026-03-02.json" in output and "không có sai lệch" in output
    assert later.code not in output


def test_deleting_the_last_event_and_fixing_the_dossier_row_is_detected_with_a_digest(dossiers):
    d = dossiers[0]
    d.refresh_from_db()
    export()
    delete_last_event_and_fix_the_dossier(d)

    assert run("verify_audit", "--no-digest")[0] == 0  # the chain alone looks intact
    code, output = run("verify_audit")
    assert code == 1
    assert (
        f"Hồ sơ {d.code}: bản tóm lược ngày 2026-03-02 ghi {d.version} sự kiện, "
        f"nay chỉ còn {d.version - 1} (sự kiện cuối đã bị xóa)."
    ) in output
    assert dossiers[1].code not in output
    assert run("verify_audit", d.code)[0] == 1  # checking that dossier alone compares it too
    assert run("verify_audit", dossiers[1].code)[0] == 0


def test_deleting_a_whole_dossier_is_detected_with_a_digest(dossiers):
    gone = dossiers[1]
    export()
    delete_dossier(gone)
    assert not Dossier.objects.filter(pk=gone.pk).exists()

    code, output = run("verify_audit")
    assert code == 1
    assert (
        f"Hồ sơ {gone.code}: có trong bản tóm lược ngày 2026-03-02 nhưng đã bị xóa khỏi cơ sở dữ liệu."
        in output
    )


def test_a_chain_rehashed_with_the_key_is_detected_with_a_digest(dossiers):
    """An intruder holding the key edits an event and re-seals the chain: the chain verifies, but
    its head no longer matches the head signed in yesterday's digest."""
    d = dossiers[0]
    export()
    prev = ""
    with owner_cursor() as cursor:
        for event in DossierEvent.objects.filter(dossier=d).order_by("seq"):
            event.prev_hash = prev
            if event.seq == 2:
                event.reason = "Sửa lén"
            new = audit.event_hash(event, d.code)
            cursor.execute(
                f"UPDATE {event_table()} SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.reason, prev, new, event.pk],
            )
            prev = new
    Dossier.objects.filter(pk=d.pk).update(last_event_hash=prev)

    assert run("verify_audit", "--no-digest")[0] == 0
    code, output = run("verify_audit")
    assert code == 1
    version = Dossier.objects.get(pk=d.pk).version
    assert (
        f"Hồ sơ {d.code}: sự kiện số {version} khác với bản tóm lược ngày 2026-03-02 (chuỗi đã bị băm lại)."
        in output
    )


def test_a_tampered_digest_file_is_rejected(dossiers):
    path = export()
    lines = path.read_bytes().splitlines(keepends=True)
    count = len(json.loads(path.read_text())["dossiers"])
    del lines[1]  # hide a dossier before deleting it, and fix the count
    lines[-2] = lines[-2].replace(b'"dossier_count":%d' % count, b'"dossier_count":%d' % (count - 1))
    path.write_bytes(b"".join(lines))

    code, output = run("verify_audit", "--digest", str(path))
    assert code == 1
    assert f"Bản tóm lược {path} không hợp lệ: chữ ký sai" in output


def test_a_digest_signed_with_an_unknown_key_is_rejected(dossiers):
    with override_settings(MOTCUA_AUDIT_KEY="khoa-khac-cua-ke-gian-0123456789abcdef"):
        path = export()
    code, output = run("verify_audit", "--digest", str(path))
    assert code == 1 and "khóa không xác định" in output


def test_a_digest_rewritten_in_another_layout_is_rejected(dossiers):
    path = export()
    path.write_text(json.dumps(json.loads(path.read_text()), indent=2))
    code, output = run("verify_audit", "--digest", str(path))
    assert code == 1 and f"Bản tóm lược {path} không hợp lệ" in output


def test_a_missing_digest_file_is_reported(tmp_path):
    code, output = run("verify_audit", "--digest", str(tmp_path / "khong-co.json"))
    assert code == 2 and "Không đọc được bản tóm lược" in output


def test_without_any_digest_the_chain_is_still_checked(dossiers):
    code, output = run("verify_audit")
    assert code == 0 and "Chưa có bản tóm lược nhật ký" in output
