"""A stand-in for the National Public Service Portal (Cổng DVCQG), speaking both protocol generations.

Standard library only, state in memory behind one lock, so it runs anywhere (`manage.py
national_portal_sim`, the test fixture in `tests/national_portal.py`, `make run`). It is faithful
where the province's code could go wrong, and nowhere else:

- the wire: REST through the LGSP/NGSP (`/token`, `/dvcqg/hoso/themmoi|capnhat|tiendo`, look-ups)
  and the older "service" envelope (`/adapter/auth`, `/adapter/integration` with `DongBoHoSoMC`,
  `CapNhatTienDoHoSoMC`, `TraCuuHoSo`, `LayDanhSachTTHC`, `LayThuTuc`, `LayHoSoChuyenVe`),
  REGULATIONS §6.1–6.2, vn-code-and-data §2.2–2.3;
- what the portal checks (§6.4): `MaHoSo`, `MaTTHC`, `TrangThaiHoSo` 1..10, dates `yyyyMMddHHmmss`,
  `TrichYeuHoSo` ≤ 1000, progress `NguoiXuLy` ≤ 50. A call applies all its records or none, and
  answers `{"error_code", "message"}` as documented ("-3" … "đã tồn tại", "4" … "không tồn tại",
  "2" "<field> không hợp lệ");
- what goes wrong in the field: outage (503), slowness, random 500s, lost acknowledgements (applied,
  then 504 — the client re-sends and the receiver sees a duplicate), expired sessions/tokens.

Records and rows carry `MaBanTin` (the outbox message id): an id already applied is acknowledged but
not applied again, and counted in `duplicates`; progress rows carry `SoThuTu` (the dossier's event
sequence) and one not above the last applied for its dossier is counted in `out_of_order`. The
counters are per kind (a message's record and its progress row share the id).

Control (no auth, never subject to the switches): `POST /_sim/control`, `GET /_sim/state`,
`POST /_sim/reset`, `POST /_sim/procedures`, `POST /_sim/forwarded`, `POST /_sim/push`,
`GET /_sim/dump` + `POST /_sim/load` (the fixture keeps the state across a simulated crash).

Push to the province (`POST /_sim/push`): each dossier is POSTed as JSON to `url` with headers
`X-Partner: <partner>` and `Authorization: Bearer <key>` (extra `headers` may be given).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import random
import re
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_CATALOG = Path(__file__).with_name("sim_data") / "procedures"

RECORD_DATE_FIELDS = ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy", "NgayTuChoi", "NgayNopHoSo")
PROGRESS_DATE_FIELDS = ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh")
STATUSES = {str(n) for n in range(1, 11)}
_DATE = re.compile(r"^\d{14}$")

OK_MESSAGE = "Thành công"
DEFAULT_SWITCHES: dict[str, Any] = {
    "outage": False,
    "delay_ms": 0,
    "error_rate": 0.0,
    "lost_ack_rate": 0.0,
    "refuse_codes": [],
    "session_ttl": 3600,
}


class Refusal(Exception):
    """An answer of the portal other than success; nothing of the call is applied."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _valid_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        dt.datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        return False
    return True


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


class PortalState:
    """Everything the portal knows; every public method takes the lock."""

    def __init__(
        self,
        *,
        catalog: list[dict[str, Any]] | None = None,
        seed: int | None = None,
        switches: dict[str, Any] | None = None,
        client_id: str = "motcua-demo",
        client_secret: str = "motcua-demo-secret",
    ):
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.client_id = client_id
        self.client_secret = client_secret
        self.initial_catalog = [copy.deepcopy(p) for p in (catalog or [])]
        self.initial_switches = {**DEFAULT_SWITCHES, **(switches or {})}
        self._clear()

    # --- state ---------------------------------------------------------------------------------
    def _clear(self) -> None:
        self.switches: dict[str, Any] = copy.deepcopy(self.initial_switches)
        self.dossiers: dict[str, dict[str, Any]] = {}
        self.applied_ids: dict[str, set[str]] = {"record": set(), "progress": set()}
        self.last_seq: dict[str, int] = {}
        self.counters = {"applied": 0, "duplicates": 0, "out_of_order": 0, "requests": 0, "logins": 0}
        self.procedures: dict[str, dict[str, Any]] = {}
        for payload in self.initial_catalog:
            self.procedures[_text(payload.get("MaTTHC"))] = copy.deepcopy(payload)
        self.forwarded: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.tokens: dict[str, float] = {}  # token or session → expiry (monotonic)

    def reset(self) -> None:
        with self.lock:
            self._clear()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "dossiers": copy.deepcopy(self.dossiers),
                **self.counters,
                "switches": copy.deepcopy(self.switches),
                "procedures": len(self.procedures),
                "forwarded": len(self.forwarded),
            }

    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {
                "dossiers": copy.deepcopy(self.dossiers),
                "applied_ids": {k: sorted(v) for k, v in self.applied_ids.items()},
                "last_seq": dict(self.last_seq),
                "counters": dict(self.counters),
                "switches": copy.deepcopy(self.switches),
                "procedures": list(self.procedures.values()),
                "forwarded": copy.deepcopy(self.forwarded),
                "files": {k: base64.b64encode(v).decode() for k, v in self.files.items()},
            }

    def load(self, data: dict[str, Any]) -> None:
        with self.lock:
            self._clear()
            self.dossiers = data.get("dossiers", {})
            self.applied_ids = {k: set(v) for k, v in data.get("applied_ids", {}).items()}
            self.applied_ids.setdefault("record", set())
            self.applied_ids.setdefault("progress", set())
            self.last_seq = {k: int(v) for k, v in data.get("last_seq", {}).items()}
            self.counters.update(data.get("counters", {}))
            self.switches.update(data.get("switches", {}))
            self.procedures = {_text(p.get("MaTTHC")): p for p in data.get("procedures", [])}
            self.forwarded = data.get("forwarded", [])
            self.files = {k: base64.b64decode(v) for k, v in data.get("files", {}).items()}

    def control(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            for key in DEFAULT_SWITCHES:
                if key in changes:
                    value = changes[key]
                    if key == "refuse_codes":
                        value = [str(c) for c in (value or [])]
                    elif key in ("error_rate", "lost_ack_rate"):
                        value = min(1.0, max(0.0, float(value)))
                    elif key in ("delay_ms", "session_ttl"):
                        value = max(0, int(value))
                    elif key == "outage":
                        value = bool(value)
                    self.switches[key] = value
            if changes.get("expire_sessions"):  # every token and session issued so far ends now
                self.tokens.clear()
            return copy.deepcopy(self.switches)

    def count_request(self) -> dict[str, Any]:
        with self.lock:
            self.counters["requests"] += 1
            return dict(self.switches)

    def chance(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self.lock:
            return self.random.random() < rate

    # --- authentication ------------------------------------------------------------------------
    def issue(self, client_id: str, secret: str) -> tuple[str, int] | None:
        if client_id != self.client_id or secret != self.client_secret:
            return None
        with self.lock:
            self.counters["logins"] += 1
            ttl = int(self.switches["session_ttl"])
            token = secrets.token_urlsafe(24)
            self.tokens[token] = time.monotonic() + ttl
            return token, ttl

    def valid(self, token: str) -> bool:
        with self.lock:
            expiry = self.tokens.get(token)
            if expiry is None:
                return False
            if expiry <= time.monotonic():
                del self.tokens[token]
                return False
            return True

    # --- outbound from the province: add / update / progress -------------------------------------
    def _check_record(self, record: Any) -> str:
        if not isinstance(record, dict):
            raise Refusal("2", "Dữ liệu hồ sơ không hợp lệ")
        code = _text(record.get("MaHoSo")).strip()
        if not code:
            raise Refusal("2", "MaHoSo không hợp lệ")
        if code in self.switches["refuse_codes"]:
            raise Refusal("2", f"MaHoSo không hợp lệ (hồ sơ {code} bị từ chối)")
        if not _text(record.get("MaTTHC")).strip():
            raise Refusal("2", f"MaTTHC không hợp lệ (hồ sơ {code})")
        if _text(record.get("TrangThaiHoSo")) not in STATUSES:
            raise Refusal("2", f"TrangThaiHoSo không hợp lệ (hồ sơ {code})")
        for name in RECORD_DATE_FIELDS:
            value = record.get(name)
            if value not in (None, "") and not _valid_date(value):
                raise Refusal("2", f"{name} không hợp lệ (hồ sơ {code}, định dạng yyyyMMddHHmmss)")
        if len(_text(record.get("TrichYeuHoSo"))) > 1000:
            raise Refusal("2", f"TrichYeuHoSo không hợp lệ (hồ sơ {code}, tối đa 1000 ký tự)")
        return code

    def _check_row(self, row: Any) -> str:
        if not isinstance(row, dict):
            raise Refusal("2", "Dữ liệu tiến độ không hợp lệ")
        code = _text(row.get("MaHoSo")).strip()
        if not code:
            raise Refusal("2", "MaHoSo không hợp lệ")
        if code in self.switches["refuse_codes"]:
            raise Refusal("2", f"MaHoSo không hợp lệ (hồ sơ {code} bị từ chối)")
        if _text(row.get("TrangThai")) not in STATUSES:
            raise Refusal("2", f"TrangThai không hợp lệ (hồ sơ {code})")
        for name in PROGRESS_DATE_FIELDS:
            value = row.get(name)
            if value not in (None, "") and not _valid_date(value):
                raise Refusal("2", f"{name} không hợp lệ (hồ sơ {code}, định dạng yyyyMMddHHmmss)")
        if len(_text(row.get("NguoiXuLy"))) > 50:
            raise Refusal("2", f"NguoiXuLy không hợp lệ (hồ sơ {code}, tối đa 50 ký tự)")
        return code

    def _entry(self, code: str) -> dict[str, Any]:
        return self.dossiers.setdefault(code, {"record": None, "progress": [], "message_ids": []})

    def _note_id(self, entry: dict[str, Any], message_id: str) -> None:
        # One list per dossier, in the order ids were first applied (a message's record and its
        # progress row share the id, so it is listed once).
        if message_id and message_id not in entry["message_ids"]:
            entry["message_ids"].append(message_id)

    def sync_records(self, records: Any, *, updating: bool) -> int:
        """DongBoHoSoMC / URLThemMoi / URLCapNhat: all or nothing. Answers the number applied."""
        if not isinstance(records, list) or not records:
            raise Refusal("2", "data không hợp lệ (cần một mảng hồ sơ)")
        with self.lock:
            codes = [self._check_record(r) for r in records]
            seen_ids = self.applied_ids["record"]
            todo: list[tuple[str, dict[str, Any]]] = []
            duplicates = 0
            added_here: set[str] = set()
            for code, record in zip(codes, records, strict=True):
                message_id = _text(record.get("MaBanTin"))
                if message_id and message_id in seen_ids:
                    duplicates += 1
                    continue
                known = code in self.dossiers and self.dossiers[code]["record"] is not None
                if updating and not known and code not in added_here:
                    raise Refusal("4", f"Hồ sơ {code} không tồn tại")
                if not updating and (known or code in added_here):
                    raise Refusal("-3", f"Hồ sơ {code} đã tồn tại")
                added_here.add(code)
                todo.append((code, record))
            batch_ids: set[str] = set()
            for code, record in todo:
                entry = self._entry(code)
                entry["record"] = copy.deepcopy(record)
                message_id = _text(record.get("MaBanTin"))
                if message_id:
                    if message_id in batch_ids:  # twice in one call: applied once
                        duplicates += 1
                        continue
                    batch_ids.add(message_id)
                    seen_ids.add(message_id)
                    self._note_id(entry, message_id)
                self.counters["applied"] += 1
            self.counters["duplicates"] += duplicates
            return len(todo)

    def push_progress(self, rows: Any) -> int:
        """CapNhatTienDoHoSoMC / URLDongBoTienTrinh: all or nothing."""
        if not isinstance(rows, list) or not rows:
            raise Refusal("2", "data không hợp lệ (cần một mảng tiến độ)")
        with self.lock:
            codes = [self._check_row(r) for r in rows]
            for code in codes:
                if code not in self.dossiers or self.dossiers[code]["record"] is None:
                    raise Refusal("4", f"Hồ sơ {code} không tồn tại")
            seen_ids = self.applied_ids["progress"]
            applied = duplicates = 0
            for code, row in zip(codes, rows, strict=True):
                message_id = _text(row.get("MaBanTin"))
                if message_id and message_id in seen_ids:
                    duplicates += 1
                    continue
                entry = self._entry(code)
                seq = row.get("SoThuTu")
                if seq not in (None, ""):
                    try:
                        seq_n = int(seq)
                    except (TypeError, ValueError):
                        seq_n = None
                    if seq_n is not None:
                        if code in self.last_seq and seq_n <= self.last_seq[code]:
                            self.counters["out_of_order"] += 1
                        self.last_seq[code] = max(seq_n, self.last_seq.get(code, seq_n))
                entry["progress"].append(copy.deepcopy(row))
                if message_id:
                    seen_ids.add(message_id)
                    self._note_id(entry, message_id)
                applied += 1
            self.counters["applied"] += applied
            self.counters["duplicates"] += duplicates
            return applied

    # --- look-ups --------------------------------------------------------------------------------
    def find(self, code: str) -> dict[str, Any]:
        with self.lock:
            entry = self.dossiers.get(code)
            if not entry or entry["record"] is None:
                raise Refusal("4", f"Hồ sơ {code} không tồn tại")
            return {**copy.deepcopy(entry["record"]), "QuaTrinhXuLy": copy.deepcopy(entry["progress"])}

    def list_procedures(self) -> list[dict[str, Any]]:
        keys = ("ID", "MaTTHC", "TENTTHC", "MACOQUANCONGBO", "LOAITTHC", "TRANGTHAI", "LINHVUCTHUCHIEN")
        with self.lock:
            return [{k: copy.deepcopy(p[k]) for k in keys if k in p} for p in self.procedures.values()]

    def procedure(self, code: str) -> dict[str, Any]:
        with self.lock:
            if code not in self.procedures:
                raise Refusal("4", f"Thủ tục {code} không tồn tại")
            return copy.deepcopy(self.procedures[code])

    def set_procedures(self, body: Any) -> int:
        """A list (add or replace each by MaTTHC), or {"procedures": [...], "replace": bool,
        "remove": [MaTTHC...]} (replace = the catalogue becomes exactly that list)."""
        if isinstance(body, list):
            body = {"procedures": body}
        if not isinstance(body, dict):
            raise Refusal("2", "Danh sách thủ tục không hợp lệ")
        with self.lock:
            if body.get("replace"):
                self.procedures = {}
            for code in body.get("remove", []) or []:
                self.procedures.pop(str(code), None)
            for payload in body.get("procedures", []) or []:
                if not isinstance(payload, dict) or not _text(payload.get("MaTTHC")):
                    raise Refusal("2", "MaTTHC không hợp lệ")
                self.procedures[_text(payload["MaTTHC"])] = copy.deepcopy(payload)
            return len(self.procedures)

    # --- inbound to the province: forwarded dossiers -----------------------------------------------
    def offer(self, dossiers: Any, base_url: str) -> int:
        if not isinstance(dossiers, list):
            raise Refusal("2", "Danh sách hồ sơ không hợp lệ")
        with self.lock:
            for dossier in dossiers:
                if not isinstance(dossier, dict) or not _text(dossier.get("MaHoSo")):
                    raise Refusal("2", "MaHoSo không hợp lệ")
                dossier = copy.deepcopy(dossier)
                for part in dossier.get("ThanhPhanHoSo", []) or []:
                    for doc in part.get("GiayToDinhKem", []) or []:
                        self._attach(doc, dossier["MaHoSo"], base_url)
                self.forwarded.append(dossier)
            return len(self.forwarded)

    def _attach(self, doc: dict[str, Any], code: str, base_url: str) -> None:
        """A file offered with the dossier is served at GET /files/<id>: given as `NoiDungBase64`,
        or generated (a small PDF) when the dossier names no `DuongDan`; `HashTepTin` is computed
        when not given (a wrong one given on purpose stays, to test the province's check)."""
        if doc.get("DuongDan") and "NoiDungBase64" not in doc:
            return
        if "NoiDungBase64" in doc:
            content = base64.b64decode(doc.pop("NoiDungBase64"))
        else:
            name = _text(doc.get("TenGiayTo")) or "giay-to"
            content = _tiny_pdf(f"{code} - {name}")
        file_id = secrets.token_hex(8)
        self.files[file_id] = content
        doc["DuongDan"] = f"{base_url}/files/{file_id}"
        doc.setdefault("HashTepTin", hashlib.sha256(content).hexdigest())

    def forwarded_after(self, cursor: str, limit: int) -> tuple[list[dict[str, Any]], str]:
        """The dossiers offered after position `cursor`, at most `limit`, and the next cursor
        (unchanged when nothing new). Every offered dossier is the province's: since the 2025
        mergers a province holds units of several former prefixes (H19 and H10 in the demo), so
        the simulator does not filter by `MaDinhDanhTinh`."""
        try:
            start = int(cursor) if cursor else 0
        except ValueError as exc:
            raise Refusal("2", "tu không hợp lệ") from exc
        limit = max(1, min(int(limit or 100), 1000))
        with self.lock:
            chosen = copy.deepcopy(self.forwarded[start : start + limit])
            return chosen, (str(start + len(chosen)) if chosen else cursor)

    def file(self, file_id: str) -> bytes | None:
        with self.lock:
            return self.files.get(file_id)


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


def push_to_province(body: dict[str, Any]) -> list[dict[str, Any]]:
    """POST each dossier to the province's inbound endpoint `repeat` times; the answers in order."""
    url = _text(body.get("url"))
    if not url:
        raise Refusal("2", "url không hợp lệ")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Partner": _text(body.get("partner")),
        "Authorization": f"Bearer {_text(body.get('key'))}",
        **{str(k): str(v) for k, v in (body.get("headers") or {}).items()},
    }
    answers: list[dict[str, Any]] = []
    for dossier in body.get("dossiers", []) or []:
        for _ in range(max(1, int(body.get("repeat", 1) or 1))):
            data = json.dumps(dossier, ensure_ascii=False).encode()
            request = urllib.request.Request(url, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=float(body.get("timeout", 30))) as response:
                    status, raw = response.status, response.read()
            except urllib.error.HTTPError as exc:
                status, raw = exc.code, exc.read()
            except (urllib.error.URLError, OSError) as exc:
                answers.append({"MaHoSo": dossier.get("MaHoSo"), "status": 0, "error": str(exc)})
                continue
            try:
                parsed: Any = json.loads(raw.decode() or "null")
            except (UnicodeDecodeError, json.JSONDecodeError):
                parsed = raw.decode("utf-8", "replace")
            answers.append({"MaHoSo": dossier.get("MaHoSo"), "status": status, "body": parsed})
    return answers


class PortalHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a backlog drain sends thousands of calls
    server_version = "CongDVCQGGiaLap/1.0"
    server: PortalServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    # --- plumbing --------------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json_body(self, raw: bytes) -> Any:
        if not raw:
            return {}
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Refusal("2", "Dữ liệu JSON không hợp lệ") from exc

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        content_type = (headers or {}).pop("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _ok(self, data: Any = None, **extra: Any) -> None:
        body = {"error_code": "0", "message": OK_MESSAGE, **extra}
        if data is not None:
            body["data"] = data
        self._send(200, body)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path = unquote(parts.path).rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        raw = self._read_body() if method == "POST" else b""
        try:
            if path.startswith("/_sim/"):
                self._control(method, path, raw)
                return
            switches = state.count_request()
            if switches["outage"]:
                self._send(
                    503, {"error_code": "503", "message": "Hệ thống đang bảo trì"}, {"Retry-After": "1"}
                )
                return
            if switches["delay_ms"]:
                time.sleep(switches["delay_ms"] / 1000)
            if state.chance(switches["error_rate"]):
                self._send(500, {"error_code": "500", "message": "Lỗi hệ thống, vui lòng thử lại sau"})
                return
            self._route(method, path, query, raw, switches)
        except Refusal as refusal:
            self._send(200, {"error_code": refusal.code, "message": refusal.message})
        except (ValueError, TypeError, KeyError) as exc:
            self._send(400, {"error_code": "2", "message": f"Yêu cầu không hợp lệ: {exc}"})

    def _lost_ack(self, switches: dict[str, Any]) -> bool:
        """Applied already; the gateway times out before the answer reaches the province."""
        if self.server.state.chance(switches["lost_ack_rate"]):
            self._send(504, {"error_code": "504", "message": "Hết thời gian chờ phản hồi"})
            return True
        return False

    # --- the portal --------------------------------------------------------------------------------
    def _route(self, method: str, path: str, query: dict[str, str], raw: bytes, switches: dict) -> None:
        protocols = self.server.protocols
        if path == "/files" or path.startswith("/files/"):
            content = self.server.state.file(path.rsplit("/", 1)[-1])
            if content is None:
                self._send(404, {"error_code": "404", "message": "Không tìm thấy tệp"})
            else:
                self._send(200, content, {"Content-Type": "application/pdf"})
            return
        if "rest" in protocols and (path == "/token" or path.startswith("/dvcqg/")):
            self._rest(method, path, query, raw, switches)
            return
        if "service" in protocols and path in ("/adapter/auth", "/adapter/integration") and method == "POST":
            self._service(path, raw, switches)
            return
        self._send(404, {"error_code": "404", "message": "Không tìm thấy địa chỉ"})

    def _rest(self, method: str, path: str, query: dict[str, str], raw: bytes, switches: dict) -> None:
        state = self.server.state
        if path == "/token":
            if method != "POST":
                self._send(405, {"error_code": "405", "message": "Phương thức không được hỗ trợ"})
                return
            content_type = self.headers.get("Content-Type", "")
            if "json" in content_type:
                form = self._json_body(raw)
            else:
                form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8")).items()}
            if form.get("grant_type", "client_credentials") != "client_credentials":
                self._send(400, {"error": "unsupported_grant_type"})
                return
            issued = state.issue(_text(form.get("client_id")), _text(form.get("client_secret")))
            if issued is None:
                self._send(401, {"error": "invalid_client", "error_description": "Sai mã hoặc khóa ứng dụng"})
                return
            token, ttl = issued
            self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": ttl})
            return
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not state.valid(auth[7:].strip()):
            self._send(
                401,
                {"error_code": "401", "message": "Mã truy cập không hợp lệ hoặc đã hết hạn"},
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
            return
        writes = {
            "/dvcqg/hoso/themmoi": lambda body: state.sync_records(body, updating=False),
            "/dvcqg/hoso/capnhat": lambda body: state.sync_records(body, updating=True),
            "/dvcqg/hoso/tiendo": state.push_progress,
        }
        if method == "POST" and path in writes:
            writes[path](self._json_body(raw))
            if not self._lost_ack(switches):
                self._ok()
            return
        if method != "GET":
            self._send(405, {"error_code": "405", "message": "Phương thức không được hỗ trợ"})
            return
        if path == "/dvcqg/hoso/tracuu":
            self._ok(state.find(query.get("MaHoSo", "")))
        elif path == "/dvcqg/thutuc":
            self._ok(state.list_procedures())
        elif path.startswith("/dvcqg/thutuc/"):
            self._ok(state.procedure(path.removeprefix("/dvcqg/thutuc/")))
        elif path == "/dvcqg/hoso-chuyen-ve":
            chosen, cursor = state.forwarded_after(query.get("tu", ""), int(query.get("so_luong") or 100))
            self._ok({"DanhSachHoSo": chosen, "ViTri": cursor})
        else:
            self._send(404, {"error_code": "404", "message": "Không tìm thấy địa chỉ"})

    def _service(self, path: str, raw: bytes, switches: dict) -> None:
        state = self.server.state
        body = self._json_body(raw)
        if not isinstance(body, dict):
            raise Refusal("2", "Dữ liệu không hợp lệ")
        if path == "/adapter/auth":
            if not self.headers.get("dstcode"):
                raise Refusal("-1", "Thiếu mã đơn vị (dstcode)")
            issued = state.issue(_text(body.get("username")), _text(body.get("password")))
            if issued is None:
                self._send(200, {"error_code": -1, "message": "Sai tên đăng nhập hoặc mật khẩu"})
                return
            self._send(200, {"session": issued[0], "error_code": 0, "message": OK_MESSAGE})
            return
        if not state.valid(_text(body.get("session"))):
            raise Refusal("401", "Phiên làm việc hết hạn")
        if not _text(body.get("madonvi")):
            raise Refusal("2", "madonvi không hợp lệ")
        service = _text(body.get("service"))
        if service == "DongBoHoSoMC":
            updating = _text(body.get("isUpdating")).lower() == "true"
            state.sync_records(body.get("data"), updating=updating)
            if not self._lost_ack(switches):
                self._ok()
        elif service == "CapNhatTienDoHoSoMC":
            state.push_progress(body.get("data"))
            if not self._lost_ack(switches):
                self._ok()
        elif service == "TraCuuHoSo":
            self._ok(state.find(_text(body.get("mahoso"))))
        elif service == "LayDanhSachTTHC":
            self._ok(state.list_procedures())
        elif service == "LayThuTuc":
            self._ok(state.procedure(_text(body.get("maTTHC"))))
        elif service == "LayHoSoChuyenVe":
            chosen, cursor = state.forwarded_after(_text(body.get("tu")), int(body.get("so_luong") or 100))
            self._ok({"DanhSachHoSo": chosen, "ViTri": cursor})
        else:
            raise Refusal("-1", f"Dịch vụ {service or '(trống)'} không được hỗ trợ")

    # --- control -----------------------------------------------------------------------------------
    def _control(self, method: str, path: str, raw: bytes) -> None:
        state = self.server.state
        if method == "GET" and path == "/_sim/state":
            self._send(200, state.snapshot())
        elif method == "GET" and path == "/_sim/dump":
            self._send(200, state.dump())
        elif method != "POST":
            self._send(405, {"error_code": "405", "message": "Phương thức không được hỗ trợ"})
        elif path == "/_sim/control":
            self._send(200, {"switches": state.control(self._json_body(raw) or {})})
        elif path == "/_sim/reset":
            state.reset()
            self._send(200, {"ok": True})
        elif path == "/_sim/load":
            state.load(self._json_body(raw))
            self._send(200, {"ok": True})
        elif path == "/_sim/procedures":
            self._send(200, {"procedures": state.set_procedures(self._json_body(raw))})
        elif path == "/_sim/forwarded":
            self._send(200, {"forwarded": state.offer(self._json_body(raw), self.server.base_url)})
        elif path == "/_sim/push":
            self._send(200, {"responses": push_to_province(self._json_body(raw))})
        else:
            self._send(404, {"error_code": "404", "message": "Không tìm thấy địa chỉ"})


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], state: PortalState, protocols: set[str], verbose: bool = False
    ):
        super().__init__(address, PortalHandler)
        self.state = state
        self.protocols = protocols
        self.verbose = verbose

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (its timeout, a killed worker) is part of the game, not an error.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def load_catalog(directory: Path | str | None, base: Path | str | None = None) -> list[dict[str, Any]]:
    """The LayThuTuc payloads of a folder: each *.json file holds one payload or a list of them.

    `base`, a catalogue file (a list, or {"data": [...]} as the demo's procedures.json), is served
    underneath, each payload without its `MOTCUA` block (a province's own configuration, never
    published nationally); the folder's payloads replace those with the same MaTTHC."""
    by_code: dict[str, dict[str, Any]] = {}
    if base:
        data = json.loads(Path(base).read_text(encoding="utf-8"))
        for payload in data.get("data", []) if isinstance(data, dict) else data:
            by_code[_text(payload.get("MaTTHC"))] = {k: v for k, v in payload.items() if k != "MOTCUA"}
    folder = Path(directory) if directory else DEFAULT_CATALOG
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for payload in data if isinstance(data, list) else [data]:
            by_code[_text(payload.get("MaTTHC"))] = payload
    return list(by_code.values())


def make_server(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    protocol: str = "both",
    catalog: list[dict[str, Any]] | None = None,
    seed: int | None = None,
    switches: dict[str, Any] | None = None,
    client_id: str = "motcua-demo",
    client_secret: str = "motcua-demo-secret",
    verbose: bool = False,
) -> PortalServer:
    protocols = {"rest", "service"} if protocol == "both" else {protocol}
    state = PortalState(
        catalog=catalog, seed=seed, switches=switches, client_id=client_id, client_secret=client_secret
    )
    return PortalServer((host, port), state, protocols, verbose)
