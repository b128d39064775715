"""Reading a national catalogue payload (`LayThuTuc`, reference/vn-code-and-data.md §3.1).

`read_payload` checks and translates one payload into a plan of rows, writing nothing; the import
(`national_import`) then applies the plan. Keeping the two apart means a bad payload is refused whole
before any row is touched.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from motcua.calendar.units import DurationUnit
from motcua.catalog.models import (
    CHANNEL_FROM_KENH,
    AgencyRole,
    Channel,
    FeeKind,
    OnlineLevel,
    ProcedureLevel,
)
from motcua.core.errors import InvalidInput
from motcua.core.text import fold, nfc, parse_decimal, vietnamese_number
from motcua.org.models import Unit
from motcua.org.services import current_unit

# ---------------------------------------------------------------------------------------------
# Import of the national catalogue (`LayThuTuc`, reference/vn-code-and-data.md §3.1) —
# ---------------------------------------------------------------------------------------------

DEFAULT_CASE_NAME = "Trường hợp chung"
# A procedure without a field cannot be stored (Field is required); it is parked here and reported.
FALLBACK_FIELD = ("KHAC", "Lĩnh vực khác (chưa phân loại)")
LOCAL_BLOCK = "MOTCUA"

# CAPTHUCHIEN[].TENCAP, folded and without the word "cấp".
LEVEL_FROM_NAME = {
    "bo": ProcedureLevel.MINISTRY,
    "tinh": ProcedureLevel.PROVINCE,
    "huyen": ProcedureLevel.DISTRICT,
    "xa": ProcedureLevel.COMMUNE,
}

# DONVITINH, folded: the legal unit and a multiplier. A month has no fixed number of days in
# law; 30 calendar days is the conservative reading and the import says so in a warning.
DURATION_UNIT_FROM_TEXT: dict[str, tuple[str, int]] = {
    "ngay lam viec": (DurationUnit.WORKING_DAYS, 1),
    "ngay": (DurationUnit.CALENDAR_DAYS, 1),
    "gio": (DurationUnit.WORKING_HOURS, 1),
    "gio lam viec": (DurationUnit.WORKING_HOURS, 1),
    "thang": (DurationUnit.CALENDAR_DAYS, 30),
}

AGENCY_KEYS = (
    ("COQUANTHUCHIEN", AgencyRole.IMPLEMENTING),
    ("COQUANCOTHAMQUYEN", AgencyRole.COMPETENT),
    ("COQUANDUOCUYQUYEN", AgencyRole.AUTHORISED),
    ("COQUANPHOIHOP", AgencyRole.COORDINATING),
)

_url_validator = URLValidator()


@dataclass
class CasePlan:
    name: str
    durations: dict[str, dict[str, Any]] = field(default_factory=dict)  # channel → CaseDuration values
    fees: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ProcedurePlan:
    """Everything one payload says, parsed and checked before anything is written."""

    code: str
    attrs: dict[str, Any]
    field_code: str
    field_name: str
    levels: list[str]
    units: list[tuple[int, str]]  # (unit id, AgencyRole)
    cases: list[CasePlan]
    results: list[dict[str, Any]]
    legal_bases: list[dict[str, Any]]
    warnings: list[str]


def _upper_keys(value: Any) -> Any:
    """National payloads spell keys inconsistently (MaTTHC / MATTHC): compare them upper-cased."""
    if isinstance(value, dict):
        return {str(k).upper(): _upper_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_upper_keys(v) for v in value]
    return value


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return nfc(str(value))


def _items(value: Any) -> list[dict]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _clip(value: str, limit: int, label: str, warnings: list[str]) -> str:
    if len(value) <= limit:
        return value
    warnings.append(f"{label} dài hơn {limit} ký tự, đã được cắt bớt.")
    return value[:limit]


_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")


def _amount(value: Any) -> int | None:
    """SOTIEN in đồng: "50.000", "50,000", "50000", 50000 or "50.000 đồng" → 50000."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float | Decimal):
        return int(value) if value >= 0 and value == int(value) else None
    text = re.sub(r"(dong|vnd|d)$", "", fold(str(value)).replace(" ", ""))
    if _THOUSANDS_DOT.match(text):
        return int(text.replace(".", ""))
    if _THOUSANDS_COMMA.match(text):
        return int(text.replace(",", ""))
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+[.,]0+", text):
        return int(re.split(r"[.,]", text)[0])
    return None


def _count(value: Any, label: str, warnings: list[str]) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    warnings.append(f"{label}: số bản “{text}” không phải số, ghi 0.")
    return 0


def _date(value: Any, label: str, warnings: list[str]) -> datetime.date | None:
    """Dates come as dd/mm/yyyy, ISO (with or without time) or DVCQG's yyyyMMdd[HHmmss]."""
    text = _text(value)
    if not text:
        return None
    for pattern, fmt in (
        (r"\d{1,2}/\d{1,2}/\d{4}", "%d/%m/%Y"),
        (r"\d{1,2}-\d{1,2}-\d{4}", "%d-%m-%Y"),
        (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"),
        (r"\d{8}", "%Y%m%d"),
    ):
        match = re.match(pattern, text)
        if match:
            try:
                return datetime.datetime.strptime(match.group(0), fmt).date()
            except ValueError:
                break
    warnings.append(f"{label}: ngày “{text}” không đúng định dạng, bỏ qua.")
    return None


def _url(value: Any, label: str, warnings: list[str]) -> str:
    text = _text(value)
    if not text:
        return ""
    try:
        _url_validator(text)
    except ValidationError:
        warnings.append(f"{label}: đường dẫn “{text[:80]}” không hợp lệ, bỏ qua.")
        return ""
    return _clip(text, 1000, label, warnings)


def _steps_text(value: Any) -> str:
    """TRINHTUTHUCHIEN → readable text: each case's steps, one per line."""
    if isinstance(value, str):
        return nfc(value)
    lines: list[str] = []
    for block in _items(value):
        case = _text(block.get("TRUONGHOP"))
        if case:
            lines.append(f"{case}:")
        for step in _items(block.get("TRINHTU")):
            name = _text(step.get("TENTRINHTU"))
            if name:
                lines.append(name)
    return "\n".join(lines)


def _names(value: Any, key: str) -> list[str]:
    return [name for item in _items(value) if (name := _text(item.get(key)))]


def _local_flags(payload: dict) -> dict[str, Any]:
    """The optional `MOTCUA` block: what the province itself decides (R-08, R-18, R-19).

    Only the keys present are returned, so a national re-import without the block keeps the
    flags set locally.
    """
    block = payload.get(LOCAL_BLOCK)
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise InvalidInput("Khối MOTCUA phải là một đối tượng JSON.", field=LOCAL_BLOCK)
    flags: dict[str, Any] = {}
    for key, attr in (
        ("INTERNAL", "internal"),
        ("ON_THE_SPOT", "on_the_spot"),
        ("HAS_RESULT_DOCUMENT", "has_result_document"),
    ):
        if key in block:
            if not isinstance(block[key], bool):
                raise InvalidInput(f"MOTCUA.{key.lower()} phải là true hoặc false.", field=LOCAL_BLOCK)
            flags[attr] = block[key]
    if "ONLINE_LEVEL" in block:
        if block["ONLINE_LEVEL"] not in OnlineLevel.values:
            raise InvalidInput(
                "MOTCUA.online_level phải là một trong: " + ", ".join(OnlineLevel.values) + ".",
                field=LOCAL_BLOCK,
            )
        flags["online_level"] = block["ONLINE_LEVEL"]
    return flags


def _levels(payload: dict, warnings: list[str]) -> list[str]:
    levels: list[str] = []
    for item in _items(payload.get("CAPTHUCHIEN")):
        name = _text(item.get("TENCAP"))
        key = re.sub(r"^cap\s+", "", fold(name))
        level = LEVEL_FROM_NAME.get(key)
        if level is None:
            if name:
                warnings.append(f"Cấp thực hiện “{name}” không xác định, bỏ qua.")
            continue
        if level not in levels:
            levels.append(level)
    return levels


def _units(payload: dict, warnings: list[str]) -> list[tuple[int, str]]:
    wanted: list[tuple[str, str, str]] = []  # (code, name, role)
    for key, role in AGENCY_KEYS:
        for item in _items(payload.get(key)):
            code = _text(item.get("MADONVI"))
            if code:
                wanted.append((code, _text(item.get("TENDONVI")), role))
    known = {u.code: u for u in Unit.objects.filter(code__in={code for code, _, _ in wanted})}
    links: list[tuple[int, str]] = []
    for code, name, role in wanted:
        unit = known.get(code)
        if unit is None:
            label = f"{code} ({name})" if name else code
            warnings.append(f"Không tìm thấy đơn vị mã {label} trong danh mục đơn vị; chưa gắn vào thủ tục.")
            continue
        if unit.successor_id:
            # After a merger (REGULATIONS §0.2) the national catalogue may lag behind: the work
            # belongs to the unit that answers for the old one today.
            successor = current_unit(unit)
            warnings.append(
                f"Đơn vị {unit.code} ({unit}) đã sáp nhập vào {successor}; gắn thủ tục vào {successor}."
            )
            unit = successor
        if (unit.pk, role) not in links:
            links.append((unit.pk, role))
    return links


def _duration(entry: dict, label: str, warnings: list[str]) -> dict[str, Any] | None:
    raw_value = entry.get("THOIGIANGIAIQUYET")
    unit_text = _text(entry.get("DONVITINH"))
    description = _text(entry.get("MOTA"))
    value = parse_decimal(raw_value)
    if value is None or value <= 0:
        # "0" or "" is how the national catalogue writes "no fixed time" (e.g. "trong ngày" in MOTA).
        warnings.append(f"{label}: thời hạn “{_text(raw_value)} {unit_text}” không phải số dương, bỏ qua.")
        return None
    mapped = DURATION_UNIT_FROM_TEXT.get(re.sub(r"[^a-z ]", "", fold(unit_text)).strip())
    if mapped is None:
        warnings.append(f"{label}: đơn vị tính thời hạn “{unit_text}” không xác định, bỏ qua thời hạn.")
        return None
    unit, factor = mapped
    if factor != 1:
        warnings.append(
            f"{label}: thời hạn {vietnamese_number(value)} {unit_text} được quy đổi thành "
            f"{vietnamese_number(value * factor)} ngày (30 ngày/tháng); cần kiểm tra lại."
        )
    value = (value * factor).quantize(Decimal("0.01"))
    if value >= Decimal("100000"):
        warnings.append(f"{label}: thời hạn {vietnamese_number(value)} quá lớn, bỏ qua.")
        return None
    return {"value": value, "unit": unit, "description": description}


def _fees(entry: dict, channel: str, label: str, warnings: list[str]) -> list[dict[str, Any]]:
    fees: list[dict[str, Any]] = []
    for item in _items(entry.get("PHILEPHI")):
        description = _text(item.get("MOTA"))
        amount = _amount(item.get("SOTIEN"))
        if amount is None:
            warnings.append(
                f"{label}: số tiền “{_text(item.get('SOTIEN'))}” không đọc được, bỏ qua khoản phí."
            )
            continue
        if amount == 0:
            continue  # "0" means free of charge: not an amount to collect (R-29 counts fee-bearing ones)
        fees.append(
            {
                "channel": channel,
                # Phí vs lệ phí (Luật Phí và lệ phí 2015) decides the budget account; the catalogue
                # only says it in words.
                "kind": FeeKind.CHARGE if "le phi" in fold(description) else FeeKind.FEE,
                "code": _clip(_text(item.get("MAPHILEPHI")), 50, f"{label}: mã phí", warnings),
                "amount": amount,
                "description": description,
            }
        )
    return fees


def _methods_text(payload: dict) -> str:
    lines: list[str] = []
    for method in _items(payload.get("CACHTHUCTHUCHIEN")):
        channel = CHANNEL_FROM_KENH.get(_text(method.get("KENH")))
        channel_label = channel.label if channel else _text(method.get("KENH"))
        for entry in _items(method.get("THOIGIAN")):
            parts = [
                f"{channel_label}: {_text(entry.get('THOIGIANGIAIQUYET'))} {_text(entry.get('DONVITINH'))}"
            ]
            if case := _text(entry.get("TRUONGHOP")):
                parts.append(f"({case})")
            if description := _text(entry.get("MOTA")):
                parts.append(f"— {description}")
            for fee in _items(entry.get("PHILEPHI")):
                money = " ".join(x for x in (_text(fee.get("SOTIEN")), _text(fee.get("DONVI"))) if x)
                parts.append(f"; {_text(fee.get('MOTA')) or 'Phí, lệ phí'}: {money}")
            lines.append(" ".join(parts))
    return "\n".join(lines)


def _cases(payload: dict, warnings: list[str]) -> list[CasePlan]:
    """Trường hợp: the distinct TRUONGHOP names of THANHPHANHOSO and TRINHTUTHUCHIEN, in order.

    Blocks without a case name, and THOIGIAN entries without TRUONGHOP, apply to every case; a
    THOIGIAN entry naming a case applies to that case only and overrides the general entries of
    its channel (durations and fees both come from the chosen entries).
    """
    plans: dict[str, CasePlan] = {}
    for key in ("THANHPHANHOSO", "TRINHTUTHUCHIEN"):
        for block in _items(payload.get(key)):
            name = _text(block.get("TRUONGHOP"))
            if name and fold(name) not in plans:
                plans[fold(name)] = CasePlan(name=name)

    timed: list[tuple[str, str | None, dict | None, list[dict]]] = []  # channel, case key, duration, fees
    for method in _items(payload.get("CACHTHUCTHUCHIEN")):
        kenh = _text(method.get("KENH"))
        channel = CHANNEL_FROM_KENH.get(kenh)
        if channel is None:
            warnings.append(f"Cách thức thực hiện KENH “{kenh}” không xác định (1, 2 hoặc 3), bỏ qua.")
            continue
        for entry in _items(method.get("THOIGIAN")):
            case_name = _text(entry.get("TRUONGHOP"))
            case_key = fold(case_name) if case_name else None
            if case_key and case_key not in plans:
                warnings.append(
                    f"Thời hạn ghi trường hợp “{case_name}” không có trong thành phần hồ sơ, trình tự; "
                    "đã tạo trường hợp này."
                )
                plans[case_key] = CasePlan(name=case_name)
            label = f"{channel.label}" + (f" ({case_name})" if case_name else "")
            timed.append(
                (channel, case_key, _duration(entry, label, warnings), _fees(entry, channel, label, warnings))
            )

    if not plans:
        plans[fold(DEFAULT_CASE_NAME)] = CasePlan(name=DEFAULT_CASE_NAME)

    for key, plan in plans.items():
        for channel in Channel.values:
            of_channel = [t for t in timed if t[0] == channel]
            chosen = [t for t in of_channel if t[1] == key] or [t for t in of_channel if t[1] is None]
            durations = [t[2] for t in chosen if t[2] is not None]
            if durations:
                plan.durations[channel] = durations[0]
                if any(d != durations[0] for d in durations[1:]):
                    warnings.append(
                        f"“{plan.name}”, {Channel(channel).label.lower()}: có nhiều thời hạn khác nhau, "
                        "dùng thời hạn đầu tiên; cần tách thành các trường hợp."
                    )
            for t in chosen:
                plan.fees.extend(t[3])
        if not plan.durations:
            warnings.append(f"Trường hợp “{plan.name}” chưa có thời hạn giải quyết.")

    for block in _items(payload.get("THANHPHANHOSO")):
        name = _text(block.get("TRUONGHOP"))
        targets = [plans[fold(name)]] if name else list(plans.values())
        for doc in _items(block.get("GIAYTO")):
            doc_name = _text(doc.get("TENGIAYTO"))
            if not doc_name:
                warnings.append("Thành phần hồ sơ không có tên giấy tờ, bỏ qua.")
                continue
            label = f"Giấy tờ “{doc_name[:60]}”"
            values = {
                "code": _clip(_text(doc.get("MAGIAYTO")), 50, f"{label}: mã", warnings),
                "name": doc_name,
                "form_name": _clip(_text(doc.get("TENMAUDON")), 500, f"{label}: tên mẫu", warnings),
                "form_url": _url(doc.get("URL"), label, warnings),
                "originals": _count(doc.get("SOBANCHINH"), label, warnings),
                "copies": _count(doc.get("SOBANSAO"), label, warnings),
            }
            for plan in targets:
                plan.documents.append({**values, "order": len(plan.documents) + 1})
    return list(plans.values())


def read_payload(payload: Any) -> ProcedurePlan:
    if not isinstance(payload, dict):
        raise InvalidInput("Gói tin thủ tục phải là một đối tượng JSON.")
    data = _upper_keys(payload)
    code = _text(data.get("MATTHC"))
    if not code:
        raise InvalidInput("Gói tin thủ tục thiếu mã thủ tục (MaTTHC).", field="MaTTHC")
    if len(code) > 50 or re.search(r"\s", code):
        raise InvalidInput(f"Mã thủ tục “{code[:60]}” không hợp lệ.", field="MaTTHC")
    name = _text(data.get("TENTTHC"))
    if not name:
        raise InvalidInput(f"Thủ tục {code} thiếu tên thủ tục (TENTTHC).", field="TENTTHC")
    warnings: list[str] = []

    fields = _items(data.get("LINHVUCTHUCHIEN"))
    field_code = _text(fields[0].get("MALINHVUC")) if fields else ""
    field_name = _text(fields[0].get("TENLINHVUC")) if fields else ""
    if not field_code:
        warnings.append(f"Thủ tục không có mã lĩnh vực; xếp vào “{FALLBACK_FIELD[1]}”.")
        field_code, field_name = FALLBACK_FIELD
    field_code = _clip(field_code, 50, "Mã lĩnh vực", warnings)
    field_name = _clip(field_name or field_code, 255, "Tên lĩnh vực", warnings)

    applicants = "; ".join(_names(data.get("DOITUONGTHUCHIEN"), "TENDOITUONG"))
    if extra := _text(data.get("MOTADOITUONGTHUCHIEN")):
        applicants = f"{applicants}\n{extra}" if applicants else extra
    agency = _text(data.get("MOTACOQUANTHUCHIEN")) or "; ".join(
        _names(data.get("COQUANTHUCHIEN"), "TENDONVI")
    )

    results = [
        {
            "code": _clip(_text(item.get("MAKETQUA")), 50, "Mã kết quả", warnings),
            "name": _clip(_text(item.get("TENKETQUA")), 1000, "Tên kết quả", warnings),
        }
        for item in _items(data.get("KETQUATHUCHIEN"))
        if _text(item.get("TENKETQUA"))
    ]
    result_text = "; ".join(r["name"] for r in results) or _text(data.get("KETQUATHUCHIEN"))

    legal_bases = []
    for item in _items(data.get("CANCUPHAPLY")):
        number, title = _text(item.get("SOVANBAN")), _text(item.get("TENVANBAN"))
        if not number and not title:
            continue
        label = f"Căn cứ pháp lý {number or title[:40]}"
        legal_bases.append(
            {
                "number": _clip(number, 100, label, warnings),
                "title": title,
                "issuer": _clip(
                    _text(item.get("COQUANBANHANH")), 255, f"{label}: cơ quan ban hành", warnings
                ),
                "issued_on": _date(item.get("NGAYBANHANH"), label, warnings),
                "effective_on": _date(item.get("NGAYHIEULUC"), label, warnings),
                "url": _url(item.get("DIACHITRUYCAP"), label, warnings),
            }
        )

    # The raw national payload, JSON-normalised so a re-import compares equal; the local block is
    # ours, not the nation's.
    national = json.loads(
        json.dumps({k: v for k, v in payload.items() if str(k).upper() != LOCAL_BLOCK}, default=str)
    )
    # TRANGTHAI != 1: withdrawn from publication on CSDLQG. A payload without the key (a local
    # procedure) is taken as published.
    status = _text(data.get("TRANGTHAI"))
    attrs: dict[str, Any] = {
        "name": _clip(name, 1000, "Tên thủ tục", warnings),
        "steps_text": _steps_text(data.get("TRINHTUTHUCHIEN")),
        "methods_text": _methods_text(data),
        "applicants_text": applicants,
        "agency_text": agency,
        "conditions_text": _text(data.get("YEUCAU")),
        "result_text": _clip(result_text, 1000, "Kết quả thực hiện", warnings),
        "published": status in ("", "1"),
        "publication_decision": _clip(_text(data.get("QUYETDINH")), 255, "Quyết định công bố", warnings),
        "national_payload": national,
        **_local_flags(data),
    }
    return ProcedurePlan(
        code=code,
        attrs=attrs,
        field_code=field_code,
        field_name=field_name,
        levels=_levels(data, warnings),
        units=_units(data, warnings),
        cases=_cases(data, warnings),
        results=results,
        legal_bases=legal_bases,
        warnings=warnings,
    )


def payload_label(payload: Any, index: int) -> str:
    if isinstance(payload, dict):
        for key, value in payload.items():
            if str(key).upper() == "MATTHC" and _text(value):
                return _text(value)
    return f"Gói tin thứ {index}"
