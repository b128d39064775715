"""R-09: dossiers of the old one-stop software are imported keeping their codes, dates and history."""

import datetime
import io
from contextlib import redirect_stdout

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.dossiers.audit import verify_chain
from motcua.dossiers.models import (
    Dossier,
    DossierCounter,
    DossierEvent,
    DossierPause,
    DossierStep,
    LegalBasis,
    Origin,
    OutboxMessage,
)
from motcua.dossiers.states import State
from motcua.legacy.mapping import map_status
from motcua.legacy.models import LegacyDossier, LegacyImport
from motcua.legacy.readers import LegacyFileError
from motcua.legacy.services import import_legacy
from motcua.org.models import Applicant
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import submit, user
from tests.legacy.kit import (
    IMPORTED_AT,
    SAMPLES,
    Upload,
    csv_bytes,
    import_csv,
    import_json,
    json_bytes,
    progress,
    row,
)

UTC = datetime.UTC


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def verify_audit_output() -> str:
    """`manage.py verify_audit` as an operator runs it after the import; it exits non-zero on a finding."""
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("verify_audit", "--no-digest", stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Dossier,
            DossierEvent,
            DossierStep,
            DossierPause,
            DossierCounter,
            Applicant,
            OutboxMessage,
            LegacyImport,
            LegacyDossier,
        )
    }


def test_r09_csv_import_keeps_codes_dates_units_and_states():
    rows = [
        # Bình Phước's Sở Tư pháp merged into Đồng Nai's on 01/7/2025: the old unit stays the
        # receiving unit, the successor decides.
        row("000.00.05.H10-241115-0007", MaDonVi="000.00.05.H10", IdHoSo="EGOV-1"),
        # Received at the Centre on behalf of Sở Xây dựng, returned; wire-format dates.
        row(
            "000.00.40.H19-241203-0012",
            MaTTHC="1.019905",
            MaDonVi="000.00.40.H19",
            ChuHoSo="Công ty TNHH Mẫu Hai",
            SoGiayTo="3699999952",
            NgayNop="20241203091500",
            NgayTiepNhan="20241203091500",
            NgayHenTra="20250103091500",
            NgayKetThucXuLy="20241230160000",
            NgayTra="20250102100000",
            TrangThai="10",
        ),
        # OpenCPS status name, submitted online and never received.
        row(
            "000.00.05.H19-241220-0002",
            KenhThucHien="2",
            NgayNop="20/12/2024 21:10",
            NgayTiepNhan="",
            NgayHenTra="",
            TrangThai="receiving",
        ),
    ]
    report = import_csv(rows, actor=user("quantri"))

    assert (report.created, report.skipped, report.failed) == (3, 0, 0), report.lines()
    merged = Dossier.objects.get(code="000.00.05.H10-241115-0007")
    assert merged.origin == Origin.LEGACY
    assert merged.national_id == "EGOV-1"
    assert merged.state == State.PROCESSING
    assert (merged.receiving_unit.code, merged.deciding_unit.code) == ("000.00.05.H10", "000.00.05.H19")
    # Vietnam's local time, stored in UTC.
    assert merged.submitted_at == merged.received_at == utc("2024-11-15 01:30")
    assert merged.due_at == merged.original_due_at == utc("2024-12-13 01:30")
    assert merged.legal_basis == LegalBasis.BEFORE_2025_07
    assert merged.legacy.legacy_status == "4"
    assert merged.legacy.original_unit_code == "000.00.05.H10"
    assert merged.legacy.raw["MaHoSo"] == merged.code

    returned = Dossier.objects.get(code="000.00.40.H19-241203-0012")
    assert returned.state == State.RETURNED
    assert (returned.receiving_unit.code, returned.deciding_unit.code) == ("000.00.40.H19", "000.00.08.H19")
    assert returned.finished_at == utc("2024-12-30 09:00")
    assert returned.returned_at == utc("2025-01-02 03:00")
    assert returned.applicant.kind == "business"

    online = Dossier.objects.get(code="000.00.05.H19-241220-0002")
    assert (online.state, online.channel, online.received_at) == (State.SUBMITTED, "online", None)
    assert online.submitted_at == utc("2024-12-20 14:10")

    # The applicant is the same record for the same person; created once (synthetic numbers).
    assert Applicant.objects.filter(identifier="075099000101").count() == 1
    # No message for the national portal: the old system synced that history itself.
    assert not OutboxMessage.objects.filter(dossier__origin=Origin.LEGACY).exists()
    batch = LegacyImport.objects.get(pk=report.batch_id)
    assert (batch.created, batch.failed, batch.by.username, batch.format) == (3, 0, "quantri", "csv")
    assert batch.finished_at is not None
    assert "không có sai lệch" in verify_audit_output()


def test_r09_json_import_history_events_in_time_order_and_chain_verifies():
    record = row("000.00.04.H10-241025-0005", MaTTHC="1.019910", MaDonVi="000.00.04.H10")
    record.update(
        NgayNop="20241025083000",
        NgayTiepNhan="20241025100000",
        NgayHenTra="20241108100000",
        TrangThai=4,  # a number in JSON
        QuaTrinhXuLy=[
            # Out of order in the file: the events follow the times.
            progress("20241028090000", "Trần Thị Thẩm", "Thẩm định hồ sơ", "4", PhongBanXuLy="Phòng HTQT"),
            progress("20241025100000", "Nguyễn Văn Nhận", "Tiếp nhận hồ sơ", "2"),
            progress("20241025143000", "Nguyễn Văn Nhận", "Chuyển phòng chuyên môn", "4"),
        ],
    )
    report = import_json([record], actor=user("quantri"))

    assert (report.created, report.failed) == (1, 0), report.lines()
    d = Dossier.objects.get(code="000.00.04.H10-241025-0005")
    log = list(d.events.order_by("seq"))
    assert [(e.seq, e.action, e.at, e.from_state, e.to_state) for e in log] == [
        (1, "submit", utc("2024-10-25 01:30"), "", State.SUBMITTED),
        (2, "legacy_history", utc("2024-10-25 03:00"), State.SUBMITTED, State.RECEIVED),
        (3, "legacy_history", utc("2024-10-25 07:30"), State.RECEIVED, State.PROCESSING),
        (4, "legacy_history", utc("2024-10-28 02:00"), State.PROCESSING, State.PROCESSING),
        # The take-over itself: who imported it and when.
        (5, "legacy_history", IMPORTED_AT, State.PROCESSING, State.PROCESSING),
    ]
    assert log[1].actor_name == "Nguyễn Văn Nhận (Chuyên viên, Bộ phận một cửa)"
    assert log[1].reason == "Tiếp nhận hồ sơ"
    assert log[3].data["legacy_progress"]["PhongBanXuLy"] == "Phòng HTQT"
    assert (log[4].actor.username, log[4].data["legacy_import"]["line"]) == ("quantri", 2)
    assert d.version == 5
    assert d.last_event_hash == log[-1].hash
    assert list(verify_chain()) == []
    assert "không có sai lệch" in verify_audit_output()


def test_r09_reimporting_the_same_file_creates_nothing():
    rows = [row("000.00.05.H19-241101-0001"), row("000.00.05.H19-241101-0002", SoGiayTo="075099000102")]
    first = import_csv(rows)
    before = table_counts()

    again = import_csv(rows)

    assert (first.created, again.created, again.skipped, again.failed) == (2, 0, 2, 0)
    after = table_counts()
    assert after.pop("LegacyImport") == before.pop("LegacyImport") + 1  # the run itself is recorded
    assert after == before
    assert [r.message for r in again.rows] == [
        f"Hồ sơ đã có trong hệ thống (lô nhập số {first.batch_id})."
    ] * 2
    assert again.earlier == [(first.batch_id, IMPORTED_AT)]
    assert any(f"đã được nhập ở lô số {first.batch_id}" in line for line in again.lines())


# Each bad row, where it sits in the file and why it is refused (Vietnamese, for whoever prepared
# the export); the good rows around them are imported.
BAD_ROWS = [
    (row("000.00.05.H19-241101-0011", MaTTHC="9.999999"), "Không có thủ tục mã “9.999999”"),
    (row("HS-241101-11"), "không đúng dạng <mã đơn vị>-<YYMMDD>-<NNNN>"),
    (row("000.00.05.H19-241101-0012", NgayTiepNhan="31/02/2024 08:00"), "NgayTiepNhan: “31/02/2024 08:00”"),
    (row("000.00.05.H19-241101-0013", TrangThai="dang-lam"), "Trạng thái “dang-lam” không rõ"),
    (row("000.00.05.H19-241101-0014", MaDonVi="000.00.99.H19"), "Không có đơn vị mã “000.00.99.H19”"),
    (row("000.00.05.H19-241101-0015", SoGiayTo="123456789"), "Số định danh cá nhân gồm đúng 12 chữ số"),
    (
        row("000.00.05.H19-241101-0016", NgayNop="16/11/2024 08:30"),
        "Ngày tiếp nhận (NgayTiepNhan) trước ngày nộp (NgayNop)",
    ),
    (row("000.00.05.H19-241101-0017", NgayTiepNhan=""), "cần ngày tiếp nhận (NgayTiepNhan)"),
    (row("000.00.05.H19-241101-0018", KenhThucHien="7"), "KenhThucHien “7” không hợp lệ"),
    (row("000.00.05.H19-241101-0019", NgayNop="01/01/2027 08:00"), "ở tương lai"),
]


def test_r09_bad_rows_reported_with_line_numbers_and_the_rest_imported():
    good = [
        # A quoted address over two physical lines: the rows after it keep their true line numbers.
        row("000.00.05.H19-241101-0001", DiaChi="Số 1 đường Mẫu,\nphường Trấn Biên"),
        row("000.00.05.H19-241101-0002", SoGiayTo="075099000102"),
    ]
    bad = [r for r, _ in BAD_ROWS]
    duplicate = row("000.00.05.H19-241101-0001", SoGiayTo="075099000103")
    report = import_csv([good[0], *bad, duplicate, good[1]])

    assert (report.created, report.failed) == (2, len(BAD_ROWS) + 1), report.lines()
    failed = [r for r in report.rows if r.status == "failed"]
    # Header = line 1; the first row takes lines 2–3.
    assert [r.line for r in failed] == list(range(4, 4 + len(BAD_ROWS) + 1))
    for result, (_, reason) in zip(failed, BAD_ROWS, strict=False):
        assert reason in result.message, (result.line, result.message)
    assert failed[-1].message == "Trùng mã hồ sơ với dòng 2 của tệp."
    assert set(Dossier.objects.filter(origin=Origin.LEGACY).values_list("code", flat=True)) == {
        "000.00.05.H19-241101-0001",
        "000.00.05.H19-241101-0002",
    }
    batch = LegacyImport.objects.get(pk=report.batch_id)
    assert batch.failed == len(BAD_ROWS) + 1
    assert [r["line"] for r in batch.report["rows"]] == [r.line for r in failed]


def test_r09_command_prints_vietnamese_summary_and_fails_when_a_row_failed(tmp_path):
    path = tmp_path / "ho-so-cu.csv"
    path.write_bytes(
        csv_bytes([row("000.00.05.H19-241101-0001"), row("000.00.05.H19-241101-0002", MaTTHC="x")])
    )
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_legacy", str(path), "--source", "Egov", stdout=out)
    assert exit_info.value.code == 1
    text = out.getvalue()
    assert "Hồ sơ tạo mới: 1" in text
    assert "Dòng bị từ chối: 1" in text
    assert "Dòng 3 (000.00.05.H19-241101-0002) — LỖI: Không có thủ tục mã “x”" in text
    assert (
        Dossier.objects.get(code="000.00.05.H19-241101-0001").events.first().data["legacy"]["source"]
        == "Egov"
    )


def test_r09_dry_run_validates_everything_and_writes_nothing():
    rows = [
        row("000.00.05.H19-241101-0001"),
        row("000.00.05.H19-241101-0002", SoGiayTo="075099000102", TrangThai="6"),
        row("000.00.05.H19-241101-0003", MaTTHC="9.999999"),
    ]
    before = table_counts()

    report = import_csv(rows, dry_run=True)

    assert table_counts() == before
    assert (report.created, report.failed, report.batch_id) == (2, 1, None)
    assert report.rows[2].line == 4
    assert "Chạy thử (không ghi gì vào cơ sở dữ liệu)" in report.lines()[0]
    # …and what it validated is what a real run then does.
    real = import_csv(rows)
    assert [(r.line, r.status) for r in real.rows] == [(r.line, r.status) for r in report.rows]


@pytest.mark.parametrize(
    "received, basis",
    [
        ("30/06/2025 23:59", LegalBasis.BEFORE_2025_07),  # NĐ 61/2018 until the reform
        ("01/07/2025 00:00", LegalBasis.FROM_2025_07),  # NĐ 118/2025 from 01/7/2025, Vietnam time
        ("15/11/2024 08:30", LegalBasis.BEFORE_2025_07),
    ],
)
def test_r09_legal_basis_follows_the_reception_date(received, basis):
    import_csv([row("000.00.05.H19-250630-0001", NgayNop=received, NgayTiepNhan=received, NgayHenTra="")])
    assert Dossier.objects.get(code="000.00.05.H19-250630-0001").legal_basis == basis


@pytest.mark.parametrize(
    "status, state",
    [
        ("1", State.SUBMITTED),
        ("2", State.RECEIVED),
        ("3", State.REJECTED),
        ("4", State.PROCESSING),
        ("5", State.AWAITING_SUPPLEMENT),
        ("6", State.PAUSED),
        ("7", State.WITHDRAWN),
        ("8", State.STOPPED),
        ("9", State.RESULT_READY),
        ("10", State.RETURNED),
        ("04", State.PROCESSING),
        ("receiving", State.SUBMITTED),
        ("new", State.RECEIVED),
        ("denied", State.REJECTED),
        ("processing", State.PROCESSING),
        ("waiting", State.AWAITING_SUPPLEMENT),
        ("correcting", State.AWAITING_SUPPLEMENT),
        ("paying", State.PAUSED),
        ("pausing", State.PAUSED),
        ("cancelling", State.WITHDRAWAL_REQUESTED),
        ("cancelled", State.WITHDRAWN),
        ("unresolved", State.STOPPED),
        ("releasing", State.RESULT_READY),
        ("done", State.RETURNED),
        ("interoperating", State.PROCESSING),
        ("Đang xử lý", State.PROCESSING),
        ("da tra ket qua", State.RETURNED),
    ],
)
def test_r09_old_status_maps_to_our_state(status, state):
    assert map_status(status).state == state


@pytest.mark.parametrize("status", ["0", "11", "", "xong"])
def test_r09_unknown_old_status_is_not_guessed(status):
    assert map_status(status) is None


@pytest.mark.parametrize(
    "content, name, message",
    [
        (
            csv_bytes([row("000.00.05.H19-241101-0001")]).replace(b"MaTTHC", b"Ma"),
            "a.csv",
            "thiếu cột bắt buộc: MaTTHC",
        ),
        # An export in the old Windows code page (Vietnamese, decomposed): not UTF-8.
        ("MaHoSo,ChuHoSo\nx,Hô Thi Mâu\n".encode("cp1258"), "a.csv", "UTF-8"),
        (json_bytes([row("000.00.05.H19-241101-0001")])[:-3], "a.json", "Tệp JSON hỏng"),
        (b'{"MaHoSo": "x"}', "a.json", "phải là một mảng"),
        (b"", "a.txt", "Không xác định được định dạng tệp"),
    ],
)
def test_r09_unreadable_file_is_refused_whole(content, name, message):
    before = table_counts()
    with pytest.raises(LegacyFileError) as refused:
        import_legacy(Upload(content, name), now=IMPORTED_AT)
    assert message in refused.value.message
    assert table_counts() == before


def test_r09_semicolon_csv_without_bom_reads_the_same():
    report = import_csv([row("000.00.05.H19-241101-0001")], bom=False, delimiter=";")
    assert (report.created, report.failed) == (1, 0), report.lines()


def test_r09_shipped_samples_import_cleanly():
    """docs/legacy-import.md points at these files: they must stay true to the mapping."""
    for sample in ("ho-so-cu-mau.csv", "ho-so-cu-mau.json"):
        report = import_legacy(SAMPLES / sample, now=IMPORTED_AT)
        assert report.failed == 0, report.lines()
        assert report.created > 0
    assert "không có sai lệch" in verify_audit_output()


def test_r09_code_counter_continues_after_a_kept_code_of_today():
    """REGULATIONS §3.3 "never reuse a number": imported on the day of the switch-over, the old
    system's code of today makes our sequence continue after it."""
    now = timezone.now()
    today = timezone.localdate(now)
    code = f"000.00.05.H19-{today:%y%m%d}-0042"
    submitted = timezone.localtime(now - datetime.timedelta(minutes=5)).strftime("%d/%m/%Y %H:%M")
    import_csv(
        [row(code, KenhThucHien="2", NgayNop=submitted, NgayTiepNhan="", NgayHenTra="", TrangThai="1")],
        now=now,
    )
    d = submit("1.019901", now=now)
    assert d.code == f"000.00.05.H19-{today:%y%m%d}-0043"


BIRTH = "1.001193"  # Đăng ký khai sinh: every ward decides its own


@pytest.mark.parametrize(
    "fields, receiving, deciding",
    [
        ({"MaDonVi": "000.00.05.H19"}, "000.00.05.H19", "000.00.05.H19"),
        # Merged on 01/7/2025 (NQ 202/2025/QH15): the successor answers.
        ({"MaDonVi": "000.00.05.H10"}, "000.00.05.H10", "000.00.05.H19"),
        # Districts were abolished without a successor: the unit above answers, through its merger.
        ({"MaDonVi": "000.00.21.H19"}, "000.00.21.H19", "000.00.00.H19"),
        ({"MaDonVi": "000.00.11.H10"}, "000.00.11.H10", "000.00.00.H19"),
        # A centre receives on behalf: the procedure's owner decides…
        ({"MaDonVi": "000.00.40.H19"}, "000.00.40.H19", "000.00.05.H19"),
        # …the ward whose centre it is, when the procedure belongs to every ward…
        ({"MaDonVi": "000.01.61.H19", "MaTTHC": BIRTH}, "000.01.61.H19", "000.00.61.H19"),
        # …or the unit the export names.
        (
            {"MaDonVi": "000.00.40.H19", "MaTTHC": BIRTH, "MaDonViXuLy": "000.00.62.H19"},
            "000.00.40.H19",
            "000.00.62.H19",
        ),
    ],
)
def test_r09_units_through_mergers_keep_the_original_as_receiving_unit(fields, receiving, deciding):
    report = import_csv([row("000.00.05.H19-241101-0001", **fields)])
    assert report.created == 1, report.lines()
    d = Dossier.objects.get(code="000.00.05.H19-241101-0001")
    assert (d.receiving_unit.code, d.deciding_unit.code) == (receiving, deciding)


def test_r09_centre_without_a_clear_deciding_unit_asks_for_it():
    report = import_csv([row("000.00.40.H19-241101-0001", MaDonVi="000.00.40.H19", MaTTHC=BIRTH)])
    assert report.failed == 1
    assert "hãy ghi cột MaDonViXuLy" in report.rows[0].message
