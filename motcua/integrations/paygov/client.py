"""The payment platform adapter (PayGov on the national portal, REGULATIONS §6.5): INIT, QUERY and
GET_BILL as JSON over HTTP, each message signed with `MaXacThuc` (signing.py), and the check of the
platform's signed confirm callback.

Paths under `base_url`: `POST /init`, `POST /query`, `POST /bill` (the real platform publishes one
URL per message, `InitUrl` / `CheckConfirmUrl` / `InitReceiptUrl` in the reference systems; a
deployment points `base_url` at the gateway that routes them). Where the platform should send the
payer back and where it should confirm are carried in the INIT message as `UrlTraVe` and
`UrlXacNhan` (not part of the hash).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from motcua.integrations.paygov import signing

VERSION = "1.0.6"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SUCCESS = "00"
# TrangThaiGD of a QUERY answer.
PAID, PROCESSING, FAILED = "1", "3", "4"


class PlatformUnavailable(Exception):
    """The platform did not answer, or answered something that is not its protocol."""


@dataclass(frozen=True)
class InitResult:
    ok: bool
    code: str
    message: str
    payment_url: str = ""


@dataclass(frozen=True)
class QueryResult:
    ok: bool
    code: str
    message: str
    status: str = ""  # TrangThaiGD: 1 paid, 3 processing, 4 failed
    transaction_id: str = ""
    amount: int | None = None


def platform_time(when: datetime.datetime | None = None) -> str:
    """ThoiGianGD: yyyyMMddHHmmss, Vietnam time."""
    when = when or datetime.datetime.now(tz=datetime.UTC)
    return when.astimezone(TZ).strftime("%Y%m%d%H%M%S")


class PayGovClient:
    def __init__(self, conf: dict[str, Any]):
        self.base_url = str(conf["base_url"]).rstrip("/")
        self.partner_code = str(conf.get("partner_code", ""))
        self.secret = str(conf.get("secret", ""))
        self.http = httpx.Client(base_url=self.base_url, timeout=float(conf.get("timeout", 10)))

    def close(self) -> None:
        self.http.close()

    def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        try:
            response = self.http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(str(exc)) from exc
        if response.status_code >= 500:
            raise PlatformUnavailable(f"HTTP {response.status_code}")
        return response

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise PlatformUnavailable("câu trả lời không phải JSON") from exc
        if not isinstance(data, dict):
            raise PlatformUnavailable("câu trả lời không đúng giao thức")
        return data

    def init(
        self,
        *,
        reference: str,
        amount: int,
        description: str,
        ip: str,
        return_url: str,
        callback_url: str,
        receipt: dict[str, Any] | None = None,
        when: datetime.datetime | None = None,
    ) -> InitResult:
        message: dict[str, Any] = {
            "LoaiBanTin": "INIT",
            "PhienBan": VERSION,
            "MaDoiTac": self.partner_code,
            "MaThamChieu": reference,
            "SoTien": str(amount),
            "LoaiHinhThanhToan": "PAY",
            "MaKenhThanhToan": "1",
            "MaThietBi": "1",
            "NgonNgu": "vi-VN",
            "MaTienTe": "VND",
            "MaNganHang": "PAYMENT",
            "ThongTinGiaoDich": description,
            "ThoiGianGD": platform_time(when),
            "Ip": ip,
        }
        message["MaXacThuc"] = signing.init_hash(message, self.secret)
        message["ThongTinBienLai"] = receipt or {}
        message["UrlTraVe"] = return_url
        message["UrlXacNhan"] = callback_url
        data = self._json(self._post("/init", message))
        code = str(data.get("MaLoi", ""))
        url = str(data.get("UrlThanhToan") or (data.get("message") if code == SUCCESS else "") or "")
        return InitResult(
            ok=code == SUCCESS and bool(url),
            code=code,
            message=str(data.get("MoTaLoi", "")),
            payment_url=url,
        )

    def _query_message(self, kind: str, reference: str, when: datetime.datetime | None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "LoaiBanTin": kind,
            "PhienBan": VERSION,
            "MaDoiTac": self.partner_code,
            "MaThamChieu": reference,
            "ThoiGianGD": platform_time(when),
        }
        message["MaXacThuc"] = signing.query_hash(message, self.secret)
        return message

    def query(self, reference: str, *, when: datetime.datetime | None = None) -> QueryResult:
        data = self._json(self._post("/query", self._query_message("QUERY", reference, when)))
        code = str(data.get("MaLoi", ""))
        amount = data.get("SoTien")
        return QueryResult(
            ok=code == SUCCESS,
            code=code,
            message=str(data.get("MoTaLoi", "")),
            status=str(data.get("TrangThaiGD", "")),
            transaction_id=str(data.get("MaGiaoDich", "") or ""),
            amount=int(amount) if str(amount or "").isdigit() else None,
        )

    def get_bill(self, reference: str, *, when: datetime.datetime | None = None) -> bytes | None:
        """The receipt PDF of a paid transaction, or None when the platform has none."""
        response = self._post("/bill", self._query_message("GET_BILL", reference, when))
        if response.status_code == 200 and response.content.startswith(b"%PDF"):
            return response.content
        return None

    def confirm_valid(self, payload: dict[str, Any]) -> bool:
        """Whether a confirm callback carries a `MaXacThuc` made with our secret."""
        return signing.valid(payload, signing.CONFIRM_FIELDS, self.secret)
