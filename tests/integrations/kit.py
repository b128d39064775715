"""Records, progress rows and a tiny receiving HTTP server for the adapter tests."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def record(code: str, status: str = "2", message_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """A dossier record in the documented field set (REGULATIONS §6.4), synthetic values."""
    return {
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "TenTTHC": "Đăng ký khai sinh",
        "MaLinhVuc": "HOTICH",
        "TenLinhVuc": "Hộ tịch",
        "KenhThucHien": "2",
        "ChuHoSo": "Nguyễn Thị Hoa",
        "LoaiDoiTuong": "1",
        "SoDienThoai": "0912345678",
        "TrichYeuHoSo": "Đăng ký khai sinh cho con",
        "NgayTiepNhan": "20250901083000",
        "NgayHenTra": "20250902083000",
        "TrangThaiHoSo": status,
        "HinhThuc": "0",
        "DonViXuLy": "Ủy ban nhân dân phường Trấn Biên",
        "TaiKhoanDuocXacThucVoiVNeID": "1",
        "DuocThanhToanTrucTuyen": "0",
        "NgayNopHoSo": "20250901080000",
        "MaBanTin": message_id or str(uuid.uuid4()),
        **fields,
    }


def progress(code: str, seq: int, status: str = "4", message_id: str | None = None, **fields: Any) -> dict:
    """A progress row (`QuaTrinhXuLyDongBoDVC`) with the receiver's dedup and order fields."""
    return {
        "MaHoSo": code,
        "NguoiXuLy": "Trần Văn Minh",
        "ChucDanh": "Công chức tư pháp – hộ tịch",
        "ThoiDiemXuLy": "20250901093000",
        "PhongBanXuLy": "Bộ phận Tư pháp – Hộ tịch",
        "NoiDungXuLy": "Thẩm định hồ sơ",
        "TrangThai": status,
        "NgayBatDau": "20250901083000",
        "NgayKetThucTheoQuyDinh": "20250902083000",
        "MaBanTin": message_id or str(uuid.uuid4()),
        "SoThuTu": seq,
        **fields,
    }


class Receiver:
    """An HTTP endpoint in the test process (a province's inbound endpoint, or a misbehaving
    gateway): records what it is sent and answers `answer(path, body)` → (status, json[, headers])."""

    def __init__(self, answer=None):
        self.requests: list[dict[str, Any]] = []
        self.answer = answer or (lambda path, body: (201, {"ok": True, "MaHoSo": body.get("MaHoSo")}))
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = {"raw": raw.decode("utf-8")}
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, answer, *headers = receiver.answer(self.path, body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers[0] if headers else {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
