"""`manage.py due_date`: the appointment line of the receipt, and clear Vietnamese errors."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("due_date", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "iso", "text"),
    [
        # Fri 13/02/2026 08:00 + 1 working day: Tết 2026 (14–22/02) is skipped.
        (
            ["--received", "2026-02-13T08:00", "--days", "1"],
            "2026-02-23T08:00:00+07:00",
            "Hẹn trả kết quả: 08 giờ 00 phút, thứ Hai, ngày 23/02/2026",
        ),
        # The same instant given in UTC (01:00Z = 08:00 in Vietnam).
        (
            ["--received", "2026-02-13T01:00:00Z", "--days", "1", "--unit", "working_days"],
            "2026-02-23T08:00:00+07:00",
            "Hẹn trả kết quả: 08 giờ 00 phút, thứ Hai, ngày 23/02/2026",
        ),
        # Lunch-time receipt, 4 working hours: from 13:30, 3.5 h to 17:00, 0.5 h on Wednesday.
        (
            ["--received", "2026-01-06T12:00+07:00", "--days", "4", "--unit", "working_hours"],
            "2026-01-07T07:30:00+07:00",
            "Hẹn trả kết quả: 07 giờ 30 phút, thứ Tư, ngày 07/01/2026",
        ),
        # 5 calendar days land on Sun 15/02/2026 (Tết) → next working day, same time.
        (
            ["--received", "2026-02-10T10:00", "--days", "5", "--unit", "calendar_days"],
            "2026-02-23T10:00:00+07:00",
            "Hẹn trả kết quả: 10 giờ 00 phút, thứ Hai, ngày 23/02/2026",
        ),
        # Half a working day on Sunday 04/01/2026 → from Mon 07:00, 4 h → 11:00.
        (
            ["--received", "2026-01-04T09:00", "--days", "0.5"],
            "2026-01-05T11:00:00+07:00",
            "Hẹn trả kết quả: 11 giờ 00 phút, thứ Hai, ngày 05/01/2026",
        ),
    ],
)
def test_prints_iso_then_the_receipt_line(args, iso, text):
    assert run(*args) == [iso, text]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--received", "13/02/2026 08:00", "--days", "1"], "Thời điểm tiếp nhận không hợp lệ"),
        (["--received", "2026-02-13T08:00", "--days", "năm"], "Thời hạn không hợp lệ"),
        (["--received", "2026-02-13T08:00", "--days", "-2"], "Thời hạn không được âm"),
        (["--received", "2026-02-13T08:00", "--days", "1", "--unit", "weeks"], "Đơn vị không hợp lệ"),
        (["--days", "1"], "Thiếu thời điểm tiếp nhận"),
        (["--received", "2026-02-13T08:00"], "Thiếu thời hạn giải quyết"),
        (["--received", "1990-02-13T08:00", "--days", "1"], "ngoài phạm vi lịch làm việc"),
    ],
)
def test_bad_input_is_a_vietnamese_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_bad_input_exits_non_zero_from_the_shell():
    # Fails while parsing, before any database access, so this runs against no particular database.
    result = subprocess.run(
        [sys.executable, "manage.py", "due_date", "--received", "hôm qua", "--days", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Thời điểm tiếp nhận không hợp lệ" in result.stderr
