"""A stand-in for the payment platform (PayGov, REGULATIONS §6.5) for the demo and the tests.

Standard library only, state in memory behind one lock (`manage.py payment_platform_sim`, the
fixture in `tests/payments/paygov.py`). What it does, as the platform does:

- `POST /init`: checks `MaDoiTac` and `MaXacThuc`, remembers the transaction (TrangThaiGD 3) and
  answers `MaLoi "00"` with `UrlThanhToan` (also in `message`) → its own payment page;
- `GET /pay/<MaThamChieu>`: the payer's page, buttons "Thanh toán" (success) and "Hủy" (failure);
  `POST /pay/<MaThamChieu>` records the outcome (TrangThaiGD 1 or 4, a `MaGiaoDich`), sends the
  signed confirm callback (server to server, JSON POST to the INIT's `UrlXacNhan`) and redirects
  the browser to the INIT's `UrlTraVe`;
- `POST /query`: `TrangThaiGD` of a reference; `POST /bill` (GET_BILL): the receipt PDF when paid.

Control (no auth): `POST /_control` switches — `refuse_next_init` (the next INIT answers MaLoi
"99"), `callback_delay_ms` (the callback leaves that long after the payer's click, in the
background), `drop_callback` (never sent), `duplicate_callback` (sent twice), `tamper_callback`
(sent with a wrong MaXacThuc); `GET /_state` (transactions, counters `inits`, `queries`,
`callbacks_sent`, the callbacks sent with the answers they got); `POST /_reset`;
`POST /_pay` `{"MaThamChieu", "paid": bool}` plays the payer without a browser.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from motcua.integrations.paygov import signing

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_SWITCHES: dict[str, Any] = {
    "refuse_next_init": False,
    "callback_delay_ms": 0,
    "drop_callback": False,
    "duplicate_callback": False,
    "tamper_callback": False,
}


def _now_text() -> str:
    return dt.datetime.now(tz=TZ).strftime("%Y%m%d%H%M%S")


def _tiny_pdf(title: str) -> bytes:
    text = title.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
        b"4 0 obj<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream endobj\n"
        b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


class PlatformState:
    def __init__(self, partner: str, secret: str):
        self.lock = threading.Lock()
        self.partner = partner
        self.secret = secret
        self._clear()

    def _clear(self) -> None:
        self.switches = copy.deepcopy(DEFAULT_SWITCHES)
        self.transactions: dict[str, dict[str, Any]] = {}
        self.counters = {"inits": 0, "queries": 0, "bills": 0, "callbacks_sent": 0}
        self.callbacks: list[dict[str, Any]] = []

    def reset(self) -> None:
        with self.lock:
            self._clear()

    def control(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            for key, value in changes.items():
                if key in DEFAULT_SWITCHES:
                    self.switches[key] = value
            return copy.deepcopy(self.switches)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "transactions": copy.deepcopy(self.transactions),
                **self.counters,
                "callbacks": copy.deepcopy(self.callbacks),
                "switches": copy.deepcopy(self.switches),
            }

    def _authentic(self, message: dict[str, Any], fields: tuple[str, ...]) -> bool:
        return message.get("MaDoiTac") == self.partner and signing.valid(message, fields, self.secret)

    def init(self, message: dict[str, Any], base_url: str) -> dict[str, Any]:
        with self.lock:
            self.counters["inits"] += 1
            if self.switches["refuse_next_init"]:
                self.switches["refuse_next_init"] = False
                return {"MaLoi": "99", "MoTaLoi": "Hệ thống thanh toán tạm thời không phục vụ"}
            if message.get("LoaiBanTin") != "INIT" or not self._authentic(message, signing.INIT_FIELDS):
                return {"MaLoi": "01", "MoTaLoi": "Sai mã xác thực"}
            reference = str(message.get("MaThamChieu") or "")
            amount = str(message.get("SoTien") or "")
            if not reference or not amount.isdigit() or int(amount) <= 0:
                return {"MaLoi": "02", "MoTaLoi": "Dữ liệu không hợp lệ"}
            if reference in self.transactions:
                return {"MaLoi": "03", "MoTaLoi": "Mã tham chiếu đã tồn tại"}
            self.transactions[reference] = {
                "MaThamChieu": reference,
                "SoTien": amount,
                "ThongTinGiaoDich": str(message.get("ThongTinGiaoDich") or ""),
                "UrlTraVe": str(message.get("UrlTraVe") or ""),
                "UrlXacNhan": str(message.get("UrlXacNhan") or ""),
                "TrangThaiGD": "3",
                "MaGiaoDich": "",
                "ThongTinBienLai": message.get("ThongTinBienLai") or {},
            }
            url = f"{base_url}/pay/{quote(reference)}"
            return {"MaLoi": "00", "MoTaLoi": "Thành công", "UrlThanhToan": url, "message": url}

    def transaction(self, reference: str) -> dict[str, Any] | None:
        with self.lock:
            found = self.transactions.get(reference)
            return copy.deepcopy(found) if found else None

    def settle(self, reference: str, paid: bool) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The payer's decision: the transaction and the confirm message to send (None: unknown)."""
        with self.lock:
            txn = self.transactions.get(reference)
            if txn is None:
                return None
            if txn["TrangThaiGD"] == "3":  # decided once; a second click changes nothing
                txn["TrangThaiGD"] = "1" if paid else "4"
                txn["MaGiaoDich"] = "GD" + secrets.token_hex(6).upper()
                txn["ThoiGianGD"] = _now_text()
            confirm = {
                "LoaiBanTin": "CONFIRM",
                "MaLoi": "00" if txn["TrangThaiGD"] == "1" else "24",
                "MoTaLoi": "Giao dịch thành công" if txn["TrangThaiGD"] == "1" else "Người nộp hủy giao dịch",
                "MaDoiTac": self.partner,
                "MaThamChieu": reference,
                "SoTien": txn["SoTien"],
                "MaTienTe": "VND",
                "MaGiaoDich": txn["MaGiaoDich"],
                "MaNganHang": "PAYMENT",
                "ThoiGianGD": txn["ThoiGianGD"],
                "ThongTinGiaoDich": txn["ThongTinGiaoDich"],
            }
            confirm["MaXacThuc"] = signing.confirm_hash(confirm, self.secret)
            if self.switches["tamper_callback"]:
                confirm["MaXacThuc"] = "0" * 64
            return copy.deepcopy(txn), confirm

    def query(self, message: dict[str, Any], kind: str) -> dict[str, Any]:
        with self.lock:
            self.counters["queries" if kind == "QUERY" else "bills"] += 1
            if message.get("LoaiBanTin") != kind or not self._authentic(message, signing.QUERY_FIELDS):
                return {"MaLoi": "01", "MoTaLoi": "Sai mã xác thực"}
            txn = self.transactions.get(str(message.get("MaThamChieu") or ""))
            if txn is None:
                return {"MaLoi": "04", "MoTaLoi": "Không tìm thấy giao dịch"}
            return {
                "MaLoi": "00",
                "MoTaLoi": "Thành công",
                "MaThamChieu": txn["MaThamChieu"],
                "TrangThaiGD": txn["TrangThaiGD"],
                "MaGiaoDich": txn["MaGiaoDich"],
                "SoTien": txn["SoTien"],
            }

    def record_callback(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.counters["callbacks_sent"] += 1
            self.callbacks.append(entry)


def send_callback(state: PlatformState, url: str, confirm: dict[str, Any]) -> None:
    """POST the confirm message to the province (as many times and as late as the switches say)."""
    switches = state.control({})
    if switches["drop_callback"] or not url:
        return
    if switches["callback_delay_ms"]:
        time.sleep(float(switches["callback_delay_ms"]) / 1000)
    for _ in range(2 if switches["duplicate_callback"] else 1):
        data = json.dumps(confirm, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
        )
        entry: dict[str, Any] = {"url": url, "payload": confirm}
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                entry.update(status=response.status, body=response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            entry.update(status=exc.code, body=exc.read().decode("utf-8", "replace"))
        except (urllib.error.URLError, OSError) as exc:
            entry.update(status=0, body=str(exc))
        state.record_callback(entry)


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Nền tảng thanh toán (giả lập)</title></head>
<body><h1>Nền tảng thanh toán (giả lập)</h1>
<p>Mã tham chiếu: <strong>{reference}</strong></p>
<p>Nội dung: {description}</p>
<p>Số tiền: <strong id="so-tien">{amount} đồng</strong></p>
<form method="post"><button type="submit" name="decision" value="pay">Thanh toán</button>
<button type="submit" name="decision" value="cancel">Hủy</button></form>
</body></html>"""


class PlatformHandler(BaseHTTPRequestHandler):
    server_version = "NenTangThanhToanGiaLap/1.0"
    server: PlatformServer

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, body: Any, content_type: str = "application/json; charset=utf-8", **headers):
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, raw: bytes) -> dict[str, Any]:
        try:
            data = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def do_GET(self) -> None:
        state = self.server.state
        path = unquote(urlsplit(self.path).path).rstrip("/")
        if path == "/_state":
            self._send(200, state.snapshot())
        elif path.startswith("/pay/"):
            txn = state.transaction(path[len("/pay/") :])
            if txn is None:
                self._send(404, "Không tìm thấy giao dịch".encode(), "text/plain; charset=utf-8")
                return
            page = PAGE.format(
                reference=html.escape(txn["MaThamChieu"]),
                description=html.escape(txn["ThongTinGiaoDich"]),
                amount=f"{int(txn['SoTien']):,}".replace(",", "."),
            )
            self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
        else:
            self._send(404, {"MaLoi": "404", "MoTaLoi": "Không tìm thấy địa chỉ"})

    def _settle(self, reference: str, paid: bool) -> dict[str, Any] | None:
        settled = self.server.state.settle(reference, paid)
        if settled is None:
            return None
        txn, confirm = settled
        url = txn["UrlXacNhan"]
        if self.server.state.control({})["callback_delay_ms"]:
            threading.Thread(
                target=send_callback, args=(self.server.state, url, confirm), daemon=True
            ).start()
        else:
            send_callback(self.server.state, url, confirm)
        return txn

    def do_POST(self) -> None:
        state = self.server.state
        path = unquote(urlsplit(self.path).path).rstrip("/")
        raw = self._body()
        if path == "/init":
            self._send(200, state.init(self._json(raw), self.server.base_url))
        elif path == "/query":
            self._send(200, state.query(self._json(raw), "QUERY"))
        elif path == "/bill":
            message = self._json(raw)
            answer = state.query(message, "GET_BILL")
            if answer["MaLoi"] == "00" and answer["TrangThaiGD"] == "1":
                title = f"Bien lai {answer['MaThamChieu']} {answer['MaGiaoDich']} {answer['SoTien']} VND"
                self._send(200, _tiny_pdf(title), "application/pdf")
            else:
                self._send(
                    200, answer if answer["MaLoi"] != "00" else {"MaLoi": "05", "MoTaLoi": "Chưa thanh toán"}
                )
        elif path.startswith("/pay/"):
            decision = parse_qs(raw.decode("utf-8", "replace")).get("decision", [""])[-1]
            txn = self._settle(path[len("/pay/") :], decision == "pay")
            if txn is None:
                self._send(404, "Không tìm thấy giao dịch".encode(), "text/plain; charset=utf-8")
            elif txn["UrlTraVe"]:
                sep = "&" if "?" in txn["UrlTraVe"] else "?"
                target = f"{txn['UrlTraVe']}{sep}MaThamChieu={quote(txn['MaThamChieu'])}"
                self._send(303, b"", "text/plain", Location=target)
            else:
                self._send(200, "Đã ghi nhận".encode(), "text/plain; charset=utf-8")
        elif path == "/_control":
            self._send(200, {"switches": state.control(self._json(raw))})
        elif path == "/_reset":
            state.reset()
            self._send(200, {"ok": True})
        elif path == "/_pay":
            body = self._json(raw)
            txn = self._settle(str(body.get("MaThamChieu") or ""), bool(body.get("paid", True)))
            self._send(200 if txn else 404, {"transaction": txn})
        else:
            self._send(404, {"MaLoi": "404", "MoTaLoi": "Không tìm thấy địa chỉ"})


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: PlatformState, verbose: bool = False):
        super().__init__(address, PlatformHandler)
        self.state = state
        self.verbose = verbose

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def make_server(
    *, host: str = "127.0.0.1", port: int = 0, partner: str, secret: str, verbose: bool = False
) -> PlatformServer:
    return PlatformServer((host, port), PlatformState(partner, secret), verbose)
