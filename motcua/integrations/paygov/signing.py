"""The `MaXacThuc` strings of the payment platform (REGULATIONS §6.5, vn-code-and-data §8).

Each message is authenticated by the SHA-256 hex digest of its fields joined with "|", the shared
secret last. The field orders are the spec's; the client and the simulator both use this module and
share nothing else, so a wrong order here would be a wrong order against the real platform too.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

INIT_FIELDS = (
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
)
QUERY_FIELDS = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
CONFIRM_FIELDS = (
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
)


def _value(value: Any) -> str:
    return "" if value is None else str(value)


def digest(message: Mapping[str, Any], fields: tuple[str, ...], secret: str) -> str:
    joined = "|".join([*(_value(message.get(name)) for name in fields), secret])
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def init_hash(message: Mapping[str, Any], secret: str) -> str:
    return digest(message, INIT_FIELDS, secret)


def query_hash(message: Mapping[str, Any], secret: str) -> str:
    return digest(message, QUERY_FIELDS, secret)


def confirm_hash(message: Mapping[str, Any], secret: str) -> str:
    return digest(message, CONFIRM_FIELDS, secret)


def valid(message: Mapping[str, Any], fields: tuple[str, ...], secret: str) -> bool:
    """Whether `message["MaXacThuc"]` is the digest of its fields (constant-time comparison)."""
    given = _value(message.get("MaXacThuc")).lower()
    return bool(given) and hmac.compare_digest(given, digest(message, fields, secret))
