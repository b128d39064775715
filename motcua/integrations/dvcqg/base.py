"""What the province asks of the National Public Service Portal (Cổng DVCQG), whatever the wire.

Two protocol generations exist (REGULATIONS §6.1, vn-code-and-data §2.2–2.3): the older "service"
envelope (a session from `auth`, then `{"session", "madonvi", "service": "DongBoHoSoMC", ...}`) and
the current REST through the LGSP/NGSP (three endpoints each taking a JSON array: add, update,
progress). Both answer `{"error_code", "message"}`. The adapters in `rest.py` and `service.py` turn
either into the outcomes below, so the sync engine never sees a wire detail.

Records and progress rows are the documented field sets (`HoSoDongBoDVC`, `QuaTrinhXuLyDongBoDVC`)
with one extension the portal ignores and a receiver uses to drop duplicates: `MaBanTin`, the
stable id of the outbox message a record or row was sent for (and `SoThuTu`, the dossier's event
sequence number, so the receiver can see the order).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol


class Verdict(enum.Enum):
    ACCEPTED = "accepted"  # error_code 0 (or "00")
    ALREADY_EXISTS = "already_exists"  # add refused: "đã tồn tại" → send the same records as update
    NOT_FOUND = "not_found"  # update refused: no such dossier on the portal → send as add
    RETRY = "retry"  # transport error, timeout, 5xx, 429, session expired, portal busy: try later
    REFUSED = "refused"  # the portal refuses the content (validation): retrying the same is useless


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    code: str = ""  # the portal's error_code, or the HTTP status / transport error name
    message: str = ""  # the portal's message, verbatim (Vietnamese), or the transport error
    retry_after: float | None = None  # seconds, when the portal said so (Retry-After)

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.ACCEPTED


@dataclass(frozen=True)
class ForwardedBatch:
    """Dossiers submitted on the national portal for the province's units, read after `cursor`."""

    dossiers: list[dict[str, Any]] = field(default_factory=list)
    cursor: str = ""  # pass back to read the next batch; unchanged when nothing new


class NationalPortal(Protocol):
    """One adapter instance per process; thread-safe; every call has a timeout and never raises
    for a network or portal failure — it answers `Verdict.RETRY` (or REFUSED) instead."""

    protocol: str  # "rest" or "service"

    # --- outbound (DongBoHoSoMC / URLThemMoi, URLCapNhat; CapNhatTienDoHoSoMC / URLDongBoTienTrinh)
    def add_dossiers(self, records: list[dict[str, Any]]) -> Outcome: ...

    def update_dossiers(self, records: list[dict[str, Any]]) -> Outcome: ...

    def push_progress(self, rows: list[dict[str, Any]]) -> Outcome: ...

    # --- look-ups (TraCuuHoSo, LayDanhSachTTHC, LayThuTuc)
    def find_dossier(self, code: str) -> dict[str, Any] | None: ...

    def list_procedures(self) -> list[dict[str, Any]]: ...

    def get_procedure(self, code: str) -> dict[str, Any] | None: ...

    # --- inbound: dossiers submitted on the national portal, forwarded to the province
    def fetch_forwarded(self, cursor: str, limit: int = 100) -> ForwardedBatch: ...


class PortalUnavailable(Exception):
    """A look-up (not a push) could not be answered: outage, timeout, refusal. Carries a
    Vietnamese message for the officer or the command line."""
