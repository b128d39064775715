"""`manage.py import_catalog FILE` (R-09): thin, Vietnamese summary, non-zero exit on errors."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.models import Procedure
from tests.catalog.conftest import SAMPLE


def run(*args, stdin: str | None = None, monkeypatch=None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("import_catalog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_file_then_again(units):
    out, err = run(str(SAMPLE))
    assert "Thêm mới: 3; cập nhật: 0; không thay đổi: 0; cảnh báo: 3; lỗi: 0." in out
    assert "Cảnh báo — 2.000488: Không tìm thấy đơn vị mã 000.00.77.H19 (Công an tỉnh)" in out
    assert err == ""
    assert Procedure.objects.count() == 3
    out, _ = run(str(SAMPLE))
    assert "Thêm mới: 0; cập nhật: 0; không thay đổi: 3;" in out


def test_single_payload_from_stdin(db, monkeypatch):
    payload = {
        "MaTTHC": "1.000001",
        "TENTTHC": "Đăng ký khai sinh",
        "LINHVUCTHUCHIEN": [{"MALINHVUC": "HT", "TENLINHVUC": "Hộ tịch"}],
    }
    out, _ = run("-", stdin=json.dumps(payload, ensure_ascii=False), monkeypatch=monkeypatch)
    assert "Thêm mới: 1;" in out
    assert Procedure.objects.get().name == "Đăng ký khai sinh"


def test_plain_list_file(db, tmp_path):
    path = tmp_path / "ds.json"
    path.write_text(
        json.dumps([{"MATTHC": "1.000002", "TENTTHC": "Đăng ký kết hôn"}], ensure_ascii=False),
        encoding="utf-8",
    )
    out, _ = run(str(path))
    assert "Thêm mới: 1;" in out


def test_errors_are_listed_and_exit_non_zero(db, tmp_path):
    path = tmp_path / "loi.json"
    path.write_text(
        json.dumps([{"MaTTHC": "1.000003"}, {"MaTTHC": "1.000004", "TENTTHC": "Chứng thực bản sao"}]),
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_catalog", str(path), stdout=out, stderr=err)
    assert exc.value.returncode == 1
    assert "Lỗi — 1.000003: Thủ tục 1.000003 thiếu tên thủ tục (TENTTHC)." in err.getvalue()
    assert "Thêm mới: 1; cập nhật: 0; không thay đổi: 0; cảnh báo: 2; lỗi: 1." in out.getvalue()
    assert list(Procedure.objects.values_list("code", flat=True)) == ["1.000004"]


@pytest.mark.parametrize(
    ("content", "message"), [("{không phải json", "không phải JSON hợp lệ"), ("42", "Tệp phải chứa")]
)
def test_unreadable_file(db, tmp_path, content, message):
    path = tmp_path / "hong.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(str(path))


def test_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        run(str(tmp_path / "khong-co.json"))
