"""Forwarded dossiers as the national portal sends them (the forwarded-dossier shape of the issue 9
preamble, vn-code-and-data §2.4), and small helpers shared by the inbound tests."""

import hashlib
import itertools
from typing import Any

from motcua.dossiers.models import Dossier, Origin

BIRTH = "1.001193"  # Đăng ký khai sinh: commune procedure, full online service at the four wards
NOTARY = "1.019901"  # Thành lập Văn phòng công chứng: Sở Tư pháp, online at its own point
CERTIFY = "2.000815"  # Chứng thực bản sao: no online service
TRAN_BIEN = "000.00.61.H19"  # Ủy ban nhân dân phường Trấn Biên (its counter officer: chuyenvien.tranbien)
BIEN_HOA = "000.00.62.H19"  # Ủy ban nhân dân phường Biên Hòa
JUSTICE = "000.00.05.H19"  # Sở Tư pháp tỉnh Đồng Nai
JUSTICE_BINH_PHUOC = "000.00.05.H10"  # merged into JUSTICE on 01/7/2025 (demo mergers)
PROVINCE = "000.00.00.H19"

_serial = itertools.count(1)


def national_code(prefix: str = "G22.99") -> str:
    """A fresh national-portal dossier code (TT 04/2025 shape), unique within the test run."""
    return f"{prefix}-251204-{next(_serial):06d}"


def forwarded(
    national_id: str | None = None,
    *,
    procedure: str = BIRTH,
    unit: str = TRAN_BIEN,
    identifier: str = "075199004321",
    name: str = "Trần Thị Mai",
    phone: str = "0912345678",
    vneid: str = "1",
    components: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A forwarded dossier; its files are generated and served by the simulator (GET /files/<id>)
    when it is offered, their SHA-256 computed unless `HashTepTin` is given."""
    payload = {
        "MaHoSo": national_id or national_code(),
        "MaTTHC": procedure,
        "MaDonViTiepNhan": unit,
        "NgayNop": "20251204083000",
        "LoaiDoiTuong": "1",
        "TrichYeuHoSo": "Đăng ký khai sinh cho con",
        "TaiKhoanDuocXacThucVoiVNeID": vneid,
        "MaDoiTuong": "TECH-000123",
        "ThongTinNguoiNop": {
            "TenNguoiNop": name,
            "SoDinhDanh": identifier,
            "SoDienThoai": phone,
            "Email": "mai.tran@example.vn",
            "DiaChiChiTiet": "Khu phố 3, phường Trấn Biên, tỉnh Đồng Nai",
        },
        "ThanhPhanHoSo": components if components is not None else birth_components(),
    }
    payload.update(fields)
    return payload


def birth_components() -> list[dict[str, Any]]:
    return [
        {
            "MaThanhPhanHoSo": "1.001193.GT01",
            "TenThanhPhanHoSo": "Tờ khai đăng ký khai sinh",
            "GiayToDinhKem": [{"TenGiayTo": "Tờ khai đăng ký khai sinh"}],
        },
        {
            "MaThanhPhanHoSo": "1.001193.GT02",
            "TenThanhPhanHoSo": "Giấy chứng sinh",
            "GiayToDinhKem": [{"TenGiayTo": "Giấy chứng sinh.pdf"}],
        },
    ]


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def dossiers_of(national_id: str):
    return Dossier.objects.filter(origin=Origin.NATIONAL_PORTAL, national_id=national_id)


class FileHost:
    """A file server of our own on loopback (another host than the portal), switched on when a test
    says so: until then its port refuses connections, as a file store that is down."""

    def __init__(self):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.files: dict[str, bytes] = {}
        self._server = None

    def serve(self, files: dict[str, bytes]) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.files.update(files)
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                content = host.files.get(self.path)
                self.send_response(200 if content is not None else 404)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(content or b"")))
                self.end_headers()
                self.wfile.write(content or b"")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
