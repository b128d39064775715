"""R-25: the report lists exactly the legacy dossiers still open whose appointment (or, without one,
reception, or submission) falls before the cut-off — by unit, with counts and ages — as a
selector, a command and an Excel file."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from motcua.legacy.exports import open_legacy_workbook
from motcua.legacy.selectors import open_legacy_dossiers
from motcua.legacy.services import close_out_legacy
from motcua.org.models import Unit
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import act, at, submit, user
from tests.legacy.kit import import_csv, row

D = datetime.date
CONSTRUCTION = {"MaTTHC": "1.019905", "MaDonVi": "000.00.08.H19", "TenTTHC": "Cấp giấy phép xây dựng"}

# code suffix → the row, and why it is (not) in the report
DOSSIERS = {
    "A": row("000.00.05.H19-241115-0001", NgayHenTra="13/12/2024 08:30"),  # open, due on the 13th
    "B": row("000.00.05.H19-241115-0002", NgayHenTra="12/12/2024 23:59"),  # open, due the day before
    "C": row(  # returned: over, never listed
        "000.00.05.H19-241015-0003",
        NgayNop="15/10/2024 08:00",
        NgayTiepNhan="15/10/2024 08:00",
        NgayHenTra="01/11/2024 08:00",
        NgayKetThucXuLy="30/10/2024 08:00",
        NgayTra="31/10/2024 08:00",
        TrangThai="10",
    ),
    "D": row(  # submitted, never received: the submission date counts
        "000.00.05.H19-241120-0004",
        KenhThucHien="2",
        NgayNop="20/11/2024 09:00",
        NgayTiepNhan="",
        NgayHenTra="",
        TrangThai="1",
    ),
    "E": row(  # received without an appointment: the reception date counts
        "000.00.05.H19-241125-0005",
        NgayNop="25/11/2024 09:00",
        NgayTiepNhan="25/11/2024 09:00",
        NgayHenTra="",
        TrangThai="2",
    ),
    "F": row(  # result ready, not handed over: still open
        "000.00.05.H19-241101-0006",
        NgayNop="01/11/2024 09:00",
        NgayTiepNhan="01/11/2024 09:00",
        NgayHenTra="01/12/2024 09:00",
        NgayKetThucXuLy="28/11/2024 09:00",
        TrangThai="9",
    ),
    "G": row("000.00.08.H19-241105-0007", NgayHenTra="05/12/2024 10:00", **CONSTRUCTION),  # another unit
    "H": row("000.00.05.H19-241105-0008", NgayKetThucXuLy="20/11/2024 10:00", TrangThai="8"),  # stopped
}


@pytest.fixture
def legacy_dossiers():
    rows = []
    for n, r in enumerate(DOSSIERS.values(), start=1):
        rows.append({**r, "SoGiayTo": f"0750990002{n:02d}"})
    report = import_csv(rows)
    assert report.created == len(DOSSIERS), report.lines()
    # A dossier of our own system, open and long overdue: not a legacy one.
    local = submit("1.019901", now=at("2024-11-01 08:00"))
    act(local, "receive", "chuyenvien.sotuphap", now=at("2024-11-01 08:00"))
    return {key: r["MaHoSo"] for key, r in DOSSIERS.items()}


@pytest.mark.parametrize(
    "cutoff, listed",
    [
        (D(2024, 11, 1), ""),
        (D(2024, 11, 21), "D"),
        (D(2024, 12, 2), "DEF"),
        (D(2024, 12, 13), "BDEFG"),  # A is due on the 13th itself: not before the cut-off
        (D(2024, 12, 14), "ABDEFG"),
        (D(2026, 1, 1), "ABDEFG"),  # C returned, H stopped: never
    ],
)
def test_r25_report_lists_exactly_the_open_legacy_dossiers_past_the_cutoff(legacy_dossiers, cutoff, listed):
    report = open_legacy_dossiers(cutoff, today=D(2024, 12, 31))
    assert {r.dossier.code for r in report.rows} == {legacy_dossiers[k] for k in listed}
    assert report.total == len(listed)


def test_r25_report_groups_by_deciding_unit_with_counts_and_ages(legacy_dossiers, django_assert_num_queries):
    with django_assert_num_queries(1):
        report = open_legacy_dossiers(D(2024, 12, 14), today=D(2024, 12, 31))
    justice, construction = report.groups
    assert (justice.unit.code, construction.unit.code) == ("000.00.05.H19", "000.00.08.H19")
    # Oldest reference first: D submitted 20/11, E received 25/11, F due 01/12, B due 12/12, A due 13/12.
    assert [r.dossier.code for r in justice.rows] == [legacy_dossiers[k] for k in "DEFBA"]
    assert [(r.reference_kind, r.age_days) for r in justice.rows] == [
        ("nộp", 41),
        ("tiếp nhận", 36),
        ("hẹn trả", 30),
        ("hẹn trả", 19),
        ("hẹn trả", 18),
    ]
    assert (justice.count, justice.oldest_days, justice.average_days, justice.buckets) == (
        5,
        41,
        29,
        [3, 2, 0, 0],
    )
    assert (construction.count, construction.oldest_days) == (1, 26)
    assert report.bucket_totals == [4, 2, 0, 0]


def test_r25_report_for_a_unit_lists_only_its_dossiers(legacy_dossiers):
    construction = Unit.objects.filter(code="000.00.08.H19")
    report = open_legacy_dossiers(D(2024, 12, 14), construction)
    assert [r.dossier.code for r in report.rows] == [legacy_dossiers["G"]]


def test_r25_closed_out_dossier_leaves_the_report(legacy_dossiers):
    close_out_legacy(
        legacy_dossiers["A"],
        actor=user("lanhdao.sotuphap"),
        outcome="returned",
        reason="Đã trả kết quả theo sổ",
    )
    report = open_legacy_dossiers(D(2024, 12, 14))
    assert legacy_dossiers["A"] not in {r.dossier.code for r in report.rows}
    assert report.total == 5


def test_r25_command_prints_the_report_and_writes_a_readable_workbook(legacy_dossiers, tmp_path):
    path = tmp_path / "ton-dong.xlsx"
    out = io.StringIO()
    call_command("legacy_open_report", "--cutoff", "2024-12-14", "--xlsx", str(path), stdout=out)
    text = out.getvalue()
    assert "hẹn trả trước ngày 14/12/2024" in text
    assert ": 6 hồ sơ, 2 đơn vị." in text
    assert "- Sở Tư pháp (000.00.05.H19): 5 hồ sơ" in text
    assert legacy_dossiers["G"] in text and legacy_dossiers["C"] not in text

    book = load_workbook(path)
    assert book.sheetnames == ["Tổng hợp", "Danh sách hồ sơ"]
    summary = [r for r in book["Tổng hợp"].iter_rows(values_only=True) if r and r[1]]
    assert [r[1:4] for r in summary[1:]] == [
        ("000.00.05.H19", "Sở Tư pháp", 5),
        ("000.00.08.H19", "Sở Xây dựng", 1),
    ]
    listing = [r for r in book["Danh sách hồ sơ"].iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert [r[1] for r in listing] == [legacy_dossiers[k] for k in "DEFBAG"]
    assert listing[0][6] == "Mới nộp, chờ tiếp nhận"


def test_r25_workbook_of_an_empty_report_still_opens(legacy_dossiers):
    report = open_legacy_dossiers(D(2024, 1, 1))
    book = load_workbook(io.BytesIO(open_legacy_workbook(report, "toàn tỉnh")))
    totals = [r for r in book["Tổng hợp"].iter_rows(values_only=True) if r and r[2] == "Tổng cộng"]
    assert totals[0][3] == 0


def test_r25_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("legacy_open_report", "--cutoff", "23/12/2024")
