"""What both protocol generations share: time format, answer → `Outcome`, the HTTP client and
credential handling. The sync engine sees only `Outcome`s (base.py); this module is where the
portal's habits are interpreted (REGULATIONS §6.1, vn-code-and-data §2.2–2.3).

- `error_code` "0"/"00" (number or string) is success; "-3"/"3" or a message containing "đã tồn
  tại" means the add was refused because the dossier is already there (Tân Dân re-sends the same
  body as an update); "không tồn tại" means an update/progress for a dossier the portal does not
  have (send the add first). Anything else in the answer is a refusal of the content.
- HTTP 5xx, 408, 429 (with its Retry-After), timeouts and connection failures are transient:
  RETRY. So is an authentication failure that a fresh token/session did not cure — a wrong secret
  is a configuration problem, never a reason to park a dossier's messages for good.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from motcua.integrations.dvcqg.base import ForwardedBatch, Outcome, PortalUnavailable, Verdict

logger = logging.getLogger("motcua.integrations.dvcqg")

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DVCQG_TIME_FORMAT = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss (REGULATIONS §6.1)
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


# --- time -----------------------------------------------------------------------------------------
def to_dvcqg_time(value: dt.datetime | dt.date | None) -> str:
    """`yyyyMMddHHmmss` in Asia/Ho_Chi_Minh; "" for None. An aware datetime is converted; a naive
    one is taken as Vietnamese wall-clock time (how old software and paper registers write it);
    a date is its midnight."""
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ).strftime(DVCQG_TIME_FORMAT)


def from_dvcqg_time(text: str | None) -> dt.datetime | None:
    """The aware datetime (Asia/Ho_Chi_Minh) of a `yyyyMMddHHmmss` string; None for an empty one.
    Raises ValueError for anything else."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if len(text) != 14 or not text.isdigit():
        raise ValueError(f"Thời gian không đúng định dạng yyyyMMddHHmmss: {text!r}")
    return dt.datetime.strptime(text, DVCQG_TIME_FORMAT).replace(tzinfo=VN_TZ)


# --- answers → outcomes ------------------------------------------------------------------------------
def _code(value: Any) -> str:
    return "" if value is None else str(value).strip()


def outcome_from_answer(body: Any) -> Outcome:
    """The verdict of a portal answer `{"error_code", "message"}` (HTTP 2xx, or 4xx with that body)."""
    if not isinstance(body, dict) or "error_code" not in body:
        return Outcome(Verdict.RETRY, "invalid_answer", "Cổng DVCQG trả lời không đúng định dạng")
    code = _code(body.get("error_code"))
    message = _code(body.get("message"))
    lowered = message.lower()
    if code in ("0", "00"):
        return Outcome(Verdict.ACCEPTED, code, message)
    if code in ("-3", "3") or "đã tồn tại" in lowered:
        return Outcome(Verdict.ALREADY_EXISTS, code, message)
    if "không tồn tại" in lowered:
        return Outcome(Verdict.NOT_FOUND, code, message)
    if code == "401" or (code.isdigit() and int(code) in RETRY_STATUSES):
        # session expired (already refreshed once by the adapter) or a gateway error in the body
        return Outcome(Verdict.RETRY, code, message)
    return Outcome(Verdict.REFUSED, code, message)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def outcome_from_response(response: httpx.Response) -> Outcome:
    status = response.status_code
    body = _json(response)
    if status in RETRY_STATUSES or status >= 500:
        message = _code(body.get("message")) if isinstance(body, dict) else ""
        return Outcome(
            Verdict.RETRY,
            str(status),
            message or f"Cổng DVCQG tạm thời không phục vụ (HTTP {status})",
            retry_after(response),
        )
    if status == 401 or status == 403:
        message = _code(body.get("message")) if isinstance(body, dict) else ""
        return Outcome(Verdict.RETRY, str(status), message or "Cổng DVCQG từ chối xác thực")
    if isinstance(body, dict) and "error_code" in body:
        return outcome_from_answer(body)
    if 200 <= status < 300:
        return Outcome(Verdict.RETRY, "invalid_answer", "Cổng DVCQG trả lời không đúng định dạng")
    return Outcome(Verdict.REFUSED, str(status), f"Cổng DVCQG từ chối yêu cầu (HTTP {status})")


def outcome_from_exception(exc: Exception) -> Outcome:
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return Outcome(Verdict.RETRY, "timeout", f"Hết thời gian chờ Cổng DVCQG ({name})")
    if isinstance(exc, httpx.HTTPError):
        return Outcome(Verdict.RETRY, name, f"Không kết nối được Cổng DVCQG ({name}: {exc})")
    return Outcome(Verdict.RETRY, name, f"Lỗi khi gọi Cổng DVCQG ({name}: {exc})")


def login_failure(response: httpx.Response, what: str, reason: str = "") -> CredentialError:
    """A failed log-in is always RETRY (a wrong secret is fixed in the configuration, not by
    parking messages), keeping the gateway's Retry-After."""
    base = outcome_from_response(response)
    status = response.status_code
    detail = reason or (base.message if status != 200 else "")
    return CredentialError(
        Outcome(
            Verdict.RETRY,
            str(status) if status != 200 else "invalid_answer",
            f"{what} (HTTP {status}) {detail}".strip(),
            base.retry_after,
        )
    )


def unavailable(outcome: Outcome) -> PortalUnavailable:
    """The exception a look-up raises for an outcome other than success or "not found"."""
    if outcome.verdict is Verdict.REFUSED:
        return PortalUnavailable(f"Cổng DVCQG từ chối yêu cầu tra cứu: {outcome.message} (mã {outcome.code})")
    return PortalUnavailable(f"Cổng DVCQG hiện không trả lời được: {outcome.message} (mã {outcome.code})")


def forwarded_batch(data: Any, cursor: str) -> ForwardedBatch:
    """`{"DanhSachHoSo": [...], "ViTri": "<next cursor>"}` → ForwardedBatch (both generations)."""
    if not isinstance(data, dict) or not isinstance(data.get("DanhSachHoSo", []), list):
        raise PortalUnavailable("Cổng DVCQG trả danh sách hồ sơ chuyển về không đúng định dạng")
    dossiers = list(data.get("DanhSachHoSo") or [])
    return ForwardedBatch(dossiers=dossiers, cursor=str(data.get("ViTri") or cursor or ""))


# --- the client both adapters are built on ---------------------------------------------------------
class CredentialError(Exception):
    """Getting a token/session failed; carries the outcome to answer with."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.message)
        self.outcome = outcome


class PortalClient:
    """A shared keep-alive `httpx.Client` (thread-safe), one credential (token or session) shared
    by all threads, refreshed by one thread at a time, and the call loop: send; if the portal says
    the credential is no longer valid, get a new one and send once more."""

    protocol = ""

    def __init__(self, conf: dict[str, Any]):
        self.base_url = str(conf.get("base_url", "")).rstrip("/")
        self.timeout = float(conf.get("timeout") or 10)
        self.client_id = str(conf.get("client_id", ""))
        self.client_secret = str(conf.get("client_secret", ""))
        self.province_code = str(conf.get("province_code", ""))
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=self.timeout,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
            headers={"User-Agent": "MotCua/1.0 (he thong mot cua cap tinh)"},
        )
        self._credential_lock = threading.Lock()
        self._credential: str | None = None
        self._credential_expiry = 0.0  # time.monotonic()

    def close(self) -> None:
        self.http.close()

    # --- credentials -------------------------------------------------------------------------------
    def _login(self) -> tuple[str, float | None]:
        """A fresh credential and its lifetime in seconds (None: until the portal says otherwise).
        Raises CredentialError."""
        raise NotImplementedError

    def credential(self) -> str:
        with self._credential_lock:
            if self._credential is None or time.monotonic() >= self._credential_expiry:
                try:
                    credential, lifetime = self._login()
                except httpx.HTTPError as exc:
                    raise CredentialError(outcome_from_exception(exc)) from exc
                self._credential = credential
                # refresh a little before the portal's end of validity, not on the last second
                margin = min(30.0, lifetime * 0.1) if lifetime else 0.0
                self._credential_expiry = time.monotonic() + (lifetime - margin if lifetime else float("inf"))
            return self._credential

    def forget(self, stale: str) -> None:
        """The portal refused `stale`: drop it unless another thread already replaced it."""
        with self._credential_lock:
            if self._credential == stale:
                self._credential = None

    def expired(self, response: httpx.Response) -> bool:
        """Does this answer say the credential is no longer valid?"""
        raise NotImplementedError

    # --- calls -------------------------------------------------------------------------------------
    def call(self, send: Callable[[str], httpx.Response]) -> tuple[Outcome, Any]:
        """(outcome, data of the answer). Never raises for transport or portal failures."""
        response: httpx.Response | None = None
        for attempt in range(2):
            try:
                credential = self.credential()
                response = send(credential)
            except CredentialError as exc:
                return exc.outcome, None
            except httpx.HTTPError as exc:
                return outcome_from_exception(exc), None
            if self.expired(response) and attempt == 0:
                self.forget(credential)
                continue
            break
        assert response is not None
        outcome = outcome_from_response(response)
        body = _json(response)
        return outcome, (body.get("data") if isinstance(body, dict) else None)

    def push(self, send: Callable[[str], httpx.Response]) -> Outcome:
        try:
            outcome, _ = self.call(send)
        except (TypeError, ValueError) as exc:  # a record that cannot be encoded as JSON: our bug
            logger.exception("Bản ghi gửi Cổng DVCQG không mã hóa được")
            return Outcome(Verdict.REFUSED, "client_error", f"Dữ liệu gửi đi không hợp lệ: {exc}")
        except Exception as exc:  # the contract: a push never raises
            logger.exception("Lỗi không lường trước khi gửi Cổng DVCQG")
            return outcome_from_exception(exc)
        if not outcome.ok:
            logger.info("Cổng DVCQG: %s %s %s", outcome.verdict.value, outcome.code, outcome.message)
        return outcome

    def lookup(self, send: Callable[[str], httpx.Response]) -> tuple[bool, Any]:
        """(found, data); raises PortalUnavailable when the portal cannot answer."""
        outcome, data = self.call(send)
        if outcome.verdict is Verdict.ACCEPTED:
            return True, data
        if outcome.verdict is Verdict.NOT_FOUND:
            return False, None
        raise unavailable(outcome)
