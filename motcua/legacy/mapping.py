"""How the old one-stop software's export reads in our terms (R-09): columns, statuses, dates.

Tables, not scattered ifs (STYLE.md "Data that the law changes is data"); docs/legacy-import.md
documents every row of them for the people who prepare the export.
"""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from motcua.catalog.models import CHANNEL_FROM_KENH, Channel
from motcua.core.text import fold
from motcua.dossiers.models import ResultDelivery
from motcua.dossiers.states import NATIONAL_STATUS_NAMES, State
from motcua.org.models import ApplicantKind

# REGULATIONS §3.3: codes issued elsewhere are accepted in this shape (YYMMDD or YYYYMMDD, ≥ 4 digits).
CODE_RE = re.compile(r"^[A-Z0-9.]+-\d{6,8}-\d{4,}$")

# --- columns ------------------------------------------------------------------------------------

# Canonical column → the other names old exports use for it (the DVCQG sync record's names, mostly).
# Matched without regard to case, spaces, underscores or diacritics.
COLUMNS: dict[str, tuple[str, ...]] = {
    "MaHoSo": ("SoHoSo",),
    "MaTTHC": ("MaThuTuc",),
    "TenTTHC": ("TenThuTuc",),
    "MaTruongHop": (),
    "MaDonVi": ("MaDonViTiepNhan", "DonViTiepNhan"),
    "MaDonViXuLy": ("DonViXuLy",),
    "ChuHoSo": ("TenChuHoSo", "TenNguoiNop"),
    "LoaiDoiTuong": (),
    "SoGiayTo": ("SoGiayToChuHoSo", "SoDinhDanh"),
    "SoDienThoai": ("SoDienThoaiChuHoSo",),
    "Email": ("EmailChuHoSo",),
    "DiaChi": ("DiaChiChuHoSo", "DiaChiChiTiet"),
    "TrichYeu": ("TrichYeuHoSo",),
    "KenhThucHien": ("Kenh",),
    "HinhThuc": (),
    "NgayNop": ("NgayNopHoSo",),
    "NgayTiepNhan": (),
    "NgayHenTra": (),
    "NgayKetThucXuLy": (),
    "NgayTra": (),
    "TrangThai": ("TrangThaiHoSo",),
    "IdHoSo": ("Id", "HoSoId"),
    "MaHoSoKhac": (),
}
REQUIRED_COLUMNS = ("MaHoSo", "MaTTHC", "MaDonVi", "ChuHoSo", "SoGiayTo", "TrangThai")
# At least one of the two: the day the dossier came in.
ENTRY_DATE_COLUMNS = ("NgayNop", "NgayTiepNhan")
HISTORY_KEY = "QuaTrinhXuLy"


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", fold(name))


_CANONICAL = {_key(alias): name for name, aliases in COLUMNS.items() for alias in (name, *aliases)}


def canonical_column(name: str) -> str | None:
    """Our name for a column of the export, or None for a column we do not read (kept in `raw`)."""
    return _CANONICAL.get(_key(name or ""))


# --- statuses -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusMapping:
    state: str
    # For a pause, its ground (guards.LAWFUL_PAUSE_REASONS); "" when the old system does not say.
    pause_ground: str = ""
    note: str = ""


# The reverse of dossiers.states.NATIONAL_STATUS, where it is ambiguous decided as noted.
_BY_CODE: dict[str, StatusMapping] = {
    "1": StatusMapping(State.SUBMITTED),
    "2": StatusMapping(State.RECEIVED),
    "3": StatusMapping(State.REJECTED),
    # We send 4 for "processing", for "withdrawal requested" and for a force-majeure pause; the old
    # system's 4 says none of the latter, so it is taken as processing.
    "4": StatusMapping(State.PROCESSING, note="4 = đang xử lý"),
    "5": StatusMapping(State.AWAITING_SUPPLEMENT),
    # 6 is by its name the financial obligation (REGULATIONS §6.3; PAUSED_NATIONAL_STATUS).
    "6": StatusMapping(State.PAUSED, pause_ground="financial_obligation"),
    # "Công dân yêu cầu rút hồ sơ" is an end state on the portal (REGULATIONS §6.3): the withdrawal
    # was accepted, not merely asked for.
    "7": StatusMapping(State.WITHDRAWN, note="7 = đã rút"),
    "8": StatusMapping(State.STOPPED),
    # 9 "Đã xử lý xong": the result exists and waits to be handed over — still open.
    "9": StatusMapping(State.RESULT_READY),
    "10": StatusMapping(State.RETURNED),
}

# OpenCPS workflow statuses: the mapping to DVCQG codes documented in vn-code-and-data §2.1
# (receiving→1, new→2, denied→3, processing→4, waiting→5, paying→6, cancelled→7, unresolved→8,
# releasing→9, done→10); the statuses it leaves out (→0, not synced) are decided here.
_OPENCPS: dict[str, StatusMapping] = {
    "receiving": _BY_CODE["1"],
    "new": _BY_CODE["2"],
    "denied": _BY_CODE["3"],
    "processing": _BY_CODE["4"],
    "waiting": _BY_CODE["5"],
    "paying": _BY_CODE["6"],
    "cancelled": _BY_CODE["7"],
    "unresolved": _BY_CODE["8"],
    "releasing": _BY_CODE["9"],
    "done": _BY_CODE["10"],
    # Decided: moving between agencies or to the post is still processing.
    "interoperating": StatusMapping(State.PROCESSING, note="liên thông = đang xử lý"),
    "posting": StatusMapping(State.PROCESSING, note="chuyển bưu chính = đang xử lý"),
    "handover": StatusMapping(State.PROCESSING, note="bàn giao = đang xử lý"),
    "collecting": StatusMapping(State.PROCESSING, note="thu thập = đang xử lý"),
    # Decided: the applicant correcting the dossier is a supplement; cancelling is a withdrawal
    # asked for and not yet approved; pausing is a pause whose ground the old system does not give.
    "correcting": StatusMapping(State.AWAITING_SUPPLEMENT, note="correcting = chờ bổ sung"),
    "cancelling": StatusMapping(State.WITHDRAWAL_REQUESTED, note="cancelling = chờ duyệt rút"),
    "pausing": StatusMapping(State.PAUSED, note="pausing = tạm dừng, không rõ căn cứ"),
}

_BY_NAME = {fold(name): _BY_CODE[str(code)] for code, name in NATIONAL_STATUS_NAMES.items()}


def map_status(text: str) -> StatusMapping | None:
    """Our state for the old system's status: a DVCQG code 1..10, an OpenCPS status name, or the
    DVCQG name of a code ("Đang xử lý"); None if it is none of these."""
    value = (text or "").strip()
    if value.isdigit():
        return _BY_CODE.get(str(int(value)))
    return _OPENCPS.get(value.lower()) or _BY_NAME.get(fold(value))


# --- dates --------------------------------------------------------------------------------------

# yyyyMMddHHmmss (the DVCQG wire form) and dd/MM/yyyy HH:mm[:ss] (what the old screens export),
# all in Vietnam's time (REGULATIONS §6.1).
_DATE_FORMATS = ("%Y%m%d%H%M%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")


def parse_local_datetime(text: str) -> datetime.datetime | None:
    """An aware datetime from the old system's local time; None for an empty value; ValueError with
    a Vietnamese message otherwise."""
    value = " ".join((text or "").split())
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            naive = datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE)).astimezone(datetime.UTC)
    raise ValueError(f"“{value}” không phải ngày giờ dạng yyyyMMddHHmmss hoặc dd/MM/yyyy HH:mm")


# --- channel, result delivery, applicant kind ---------------------------------------------------


def map_channel(text: str) -> str | None:
    """KenhThucHien 1 trực tiếp, 2 trực tuyến, 3 bưu chính (REGULATIONS §2.1); empty = at the counter."""
    value = (text or "").strip()
    if not value:
        return Channel.COUNTER
    return CHANNEL_FROM_KENH.get(value)


def map_result_delivery(hinh_thuc: str, channel: str) -> str:
    """HinhThuc 1 = by post (REGULATIONS §6.4); otherwise where the dossier came in."""
    if (hinh_thuc or "").strip() == "1":
        return ResultDelivery.POSTAL
    return ResultDelivery.ONLINE if channel == Channel.ONLINE else ResultDelivery.COUNTER


# LoaiDoiTuong (REGULATIONS §6.4): 1 công dân, 2 doanh nghiệp, 3 cơ quan nhà nước, 4 tổ chức/khác.
APPLICANT_KIND = {
    "1": ApplicantKind.CITIZEN,
    "2": ApplicantKind.BUSINESS,
    "3": ApplicantKind.STATE_BODY,
    "4": ApplicantKind.BUSINESS,
}


def guess_applicant_kind(identifier: str) -> str:
    """Without LoaiDoiTuong: 12 digits is a personal number, 10 (or 10-3) a tax code; anything
    else is taken as a state body's agency code (checked against the unit list)."""
    if re.fullmatch(r"\d{12}", identifier):
        return ApplicantKind.CITIZEN
    if re.fullmatch(r"\d{10}(-\d{3})?", identifier):
        return ApplicantKind.BUSINESS
    if re.fullmatch(r"\d+", identifier):
        return ApplicantKind.CITIZEN  # refused by the 12-digit rule, with its own message
    return ApplicantKind.STATE_BODY
