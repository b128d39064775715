"""Helpers for the legacy-migration tests: exports of the old software written in the test, so every
expectation sits next to its data (synthetic people: personal numbers 0750990xxxxx)."""

import csv
import io
import json
from pathlib import Path

from motcua.legacy.services import import_legacy
from tests.dossiers.kit import at

SAMPLES = Path(__file__).resolve().parents[2] / "motcua" / "legacy" / "samples"
# When the tests run the import: after every date of the rows, before the demo's processes change.
IMPORTED_AT = at("2026-03-02 08:00")

COLUMNS = [
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaDonVi",
    "ChuHoSo",
    "SoGiayTo",
    "SoDienThoai",
    "DiaChi",
    "TrichYeu",
    "KenhThucHien",
    "NgayNop",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "TrangThai",
    "IdHoSo",
]


def row(code: str, **fields) -> dict[str, str]:
    """A notary-office dossier of Sở Tư pháp, received at the counter and being processed,
    unless said otherwise."""
    base = {
        "MaHoSo": code,
        "MaTTHC": "1.019901",
        "TenTTHC": "Thành lập Văn phòng công chứng",
        "MaDonVi": "000.00.05.H19",
        "ChuHoSo": "Nguyễn Thị Mẫu",
        "SoGiayTo": "075099000101",
        "SoDienThoai": "0900000101",
        "DiaChi": "Số 1 đường Mẫu",
        "TrichYeu": "Thành lập Văn phòng công chứng Mẫu",
        "KenhThucHien": "1",
        "NgayNop": "15/11/2024 08:30",
        "NgayTiepNhan": "15/11/2024 08:30",
        "NgayHenTra": "13/12/2024 08:30",
        "NgayKetThucXuLy": "",
        "NgayTra": "",
        "TrangThai": "4",
        "IdHoSo": "",
    }
    base.update(fields)
    return base


def csv_bytes(rows: list[dict[str, str]], *, bom: bool = True, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    extra = [k for r in rows for k in r if k not in COLUMNS]
    columns = [*COLUMNS, *dict.fromkeys(extra)]  # optional columns after the usual ones
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def json_bytes(records: list[dict]) -> bytes:
    return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")


class Upload(io.BytesIO):
    """A file-like upload with a name (the format comes from its extension)."""

    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name = name


def import_csv(rows, *, actor=None, dry_run=False, now=IMPORTED_AT, name="ho-so-cu.csv", **kwargs):
    return import_legacy(Upload(csv_bytes(rows, **kwargs), name), actor=actor, dry_run=dry_run, now=now)


def import_json(records, *, actor=None, dry_run=False, now=IMPORTED_AT, name="ho-so-cu.json"):
    return import_legacy(Upload(json_bytes(records), name), actor=actor, dry_run=dry_run, now=now)


def progress(when: str, who: str, content: str, status: str, **extra) -> dict[str, str]:
    """A QuaTrinhXuLy row in the QuaTrinhXuLyDongBoDVC shape."""
    return {
        "NguoiXuLy": who,
        "ChucDanh": extra.get("ChucDanh", "Chuyên viên"),
        "ThoiDiemXuLy": when,
        "PhongBanXuLy": extra.get("PhongBanXuLy", "Bộ phận một cửa"),
        "NoiDungXuLy": content,
        "TrangThai": status,
        "NgayBatDau": extra.get("NgayBatDau", ""),
        "NgayKetThucTheoQuyDinh": extra.get("NgayKetThucTheoQuyDinh", ""),
    }
