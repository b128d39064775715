"""Dossiers submitted on the National Public Service Portal, arriving in the province (issue 9,
item 4): pulled on a schedule (`pull_forwarded`, the portal's forwarded-dossier list read from a
cursor) or pushed to `POST /api/v1/national/dossiers` by a partner (`receive_forwarded`).

Either way a dossier is parsed from the forwarded-dossier shape (vn-code-and-data §2.4), checked
against the catalogue, its files fetched from the portal with their SHA-256 checked, and created
once as an online dossier of the unit it names (`dossiers.services.accept_forwarded`). Every
arrival is recorded once per national code in `InboundDossier` — accepted with its dossier, or
refused with the Vietnamese reason the sender is told. A refused dossier sent again is tried again
(the catalogue may have been completed meanwhile); an accepted one is never created twice.

A failure that says nothing about the dossier — the portal or its file store down — refuses
nothing and records nothing: the pull leaves its cursor where it was and a push is answered 503,
so the same dossier comes again.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.errors import DomainError, InvalidInput, PermissionDenied
from motcua.core.text import nfc
from motcua.documents.services import ALLOWED, MAX_SIZE
from motcua.dossiers import services
from motcua.dossiers.services import ApplicantInput, ForwardedFile, ForwardedInput
from motcua.integrations import registry
from motcua.integrations.dvcqg.base import NationalPortal, PortalUnavailable
from motcua.integrations.dvcqg.wire import from_dvcqg_time
from motcua.org.models import ApplicantKind, Unit
from motcua.org.services import current_unit
from motcua.sync.models import InboundDossier, InboundStatus, NationalRecord, Partner, PullCursor
from motcua.sync.partners import in_scope

logger = logging.getLogger(__name__)

PULL_CURSOR = "dvcqg_forwarded"
VIA = ("pull", "push")
# A forwarded dossier carries its components' files; more than this is not a dossier but a dump.
MAX_FILES = 50
DEFAULT_TIMEOUT = 10.0  # seconds per file, when MOTCUA_INTEGRATIONS["dvcqg"]["timeout"] is unset
_NATIONAL_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._\-/]{0,63}$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")
# LoaiDoiTuong: 1 công dân, 2 doanh nghiệp (vn-code-and-data §2.3); others are refused by the service.
_KIND = {"1": ApplicantKind.CITIZEN, "2": ApplicantKind.BUSINESS}


class PortalFilesUnavailable(DomainError):
    """A file of the dossier could not be read for a reason that is not the dossier's (the portal
    down, a time-out, a 5xx): nothing is recorded, the dossier is to be sent (or pulled) again."""

    status_code = 503
    code = "portal_unavailable"


@dataclass(frozen=True)
class InboundResult:
    national_id: str
    status: str  # InboundStatus
    created: bool = False  # a new dossier was created by this arrival
    dossier_code: str = ""
    unit_code: str = ""
    error: DomainError | None = None  # the refusal, when refused

    @property
    def accepted(self) -> bool:
        return self.status == InboundStatus.ACCEPTED


@dataclass
class PullReport:
    configured: bool = True  # False: no national portal configured (MOTCUA_DVCQG_URL empty)
    batches: int = 0
    received: int = 0
    created: int = 0
    duplicates: int = 0
    refused: int = 0
    cursor: str = ""
    unavailable: str = ""  # why the portal could not be read to the end (the cursor was kept)
    refusals: list[tuple[str, str]] = field(default_factory=list)  # (national code, reason)


@dataclass(frozen=True)
class _FileSpec:
    name: str
    url: str
    sha256: str
    component_code: str


# --- parsing the forwarded-dossier shape ------------------------------------------------------------


def _storable(value: Any, path: str = "") -> None:
    """Refuse what the database cannot store in a JSON column (PostgreSQL's jsonb refuses NUL;
    a lone surrogate is not UTF-8): a 400 naming the field, never a 500."""
    if isinstance(value, dict):
        for key, item in value.items():
            _storable(key, path)
            _storable(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _storable(item, f"{path}[{index}]")
    elif isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput("Dữ liệu chứa ký tự NUL.", field=path or None)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("Dữ liệu chứa ký tự Unicode không hợp lệ.", field=path or None) from None


def _text(source: dict, key: str, *, limit: int, where: str = "") -> str:
    value = source.get(key)
    name = f"{where}.{key}" if where else key
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(f"Trường {name} phải là chuỗi ký tự.", field=name)
    text = nfc(str(value))
    if len(text) > limit:
        raise InvalidInput(f"Trường {name} dài quá {limit} ký tự.", field=name)
    return text


def _object(source: dict, key: str) -> dict:
    value = source.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"Trường {key} phải là một đối tượng JSON.", field=key)
    return value


def _list(source: dict, key: str, where: str = "") -> list:
    value = source.get(key)
    name = f"{where}.{key}" if where else key
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"Trường {name} phải là một danh sách.", field=name)
    return value


def _wire_time(text: str, key: str) -> datetime.datetime | None:
    try:
        return from_dvcqg_time(text)
    except ValueError:
        raise InvalidInput(
            f"Trường {key} phải là ngày giờ dạng yyyyMMddHHmmss (giờ Việt Nam).", field=key
        ) from None


def _flag(source: dict, key: str) -> bool:
    value = source.get(key)
    return value is True or str(value).strip().lower() in ("1", "true")


def national_id_of(payload: Any) -> str:
    """The dossier's code on the national portal (MaHoSo), checked: without it nothing can be
    recorded, so a payload without one is refused outright (400)."""
    if not isinstance(payload, dict):
        raise InvalidInput("Mỗi hồ sơ chuyển về phải là một đối tượng JSON.")
    national_id = _text(payload, "MaHoSo", limit=64)
    if not _NATIONAL_ID.match(national_id):
        raise InvalidInput(
            "Thiếu mã hồ sơ trên Cổng DVCQG (MaHoSo) hoặc mã không hợp lệ "
            "(tối đa 64 ký tự: chữ, số, “.”, “-”, “_”, “/”).",
            field="MaHoSo",
        )
    return national_id


def _file_specs(payload: dict) -> list[_FileSpec]:
    specs = []
    for i, component in enumerate(_list(payload, "ThanhPhanHoSo")):
        where = f"ThanhPhanHoSo[{i}]"
        if not isinstance(component, dict):
            raise InvalidInput(f"{where} phải là một đối tượng JSON.", field=where)
        code = _text(component, "MaThanhPhanHoSo", limit=50, where=where)
        for j, attachment in enumerate(_list(component, "GiayToDinhKem", where)):
            at = f"{where}.GiayToDinhKem[{j}]"
            if not isinstance(attachment, dict):
                raise InvalidInput(f"{at} phải là một đối tượng JSON.", field=at)
            url = _text(attachment, "DuongDan", limit=2000, where=at)
            digest = _text(attachment, "HashTepTin", limit=64, where=at)
            if not url:
                raise InvalidInput(f"Thiếu đường dẫn tệp ({at}.DuongDan).", field=f"{at}.DuongDan")
            if not _SHA256.match(digest):
                raise InvalidInput(
                    f"Mã băm tệp ({at}.HashTepTin) phải là SHA-256 dạng 64 ký tự hex.",
                    field=f"{at}.HashTepTin",
                )
            specs.append(
                _FileSpec(
                    name=_text(attachment, "TenGiayTo", limit=2000, where=at),
                    url=url,
                    sha256=digest.lower(),
                    component_code=code,
                )
            )
    if len(specs) > MAX_FILES:
        raise InvalidInput(f"Hồ sơ có quá {MAX_FILES} tệp đính kèm.", field="ThanhPhanHoSo")
    return specs


def parse_forwarded(payload: dict, *, received_via: str = "") -> tuple[ForwardedInput, list[_FileSpec]]:
    """The forwarded-dossier shape → the service's input (files not fetched yet) and the files."""
    person = _object(payload, "ThongTinNguoiNop")
    kind = _text(payload, "LoaiDoiTuong", limit=8) or "1"
    data = ForwardedInput(
        national_id=national_id_of(payload),
        procedure_code=_text(payload, "MaTTHC", limit=50),
        unit_code=_text(payload, "MaDonViTiepNhan", limit=35),
        case_code=_text(payload, "MaTruongHop", limit=1000),
        submitted_at=_wire_time(_text(payload, "NgayNop", limit=14), "NgayNop"),
        summary=_text(payload, "TrichYeuHoSo", limit=4000),
        vneid_verified=_flag(payload, "TaiKhoanDuocXacThucVoiVNeID"),
        applicant_tech_id=_text(payload, "MaDoiTuong", limit=64),
        applicant=ApplicantInput(
            kind=_KIND.get(kind, kind),
            identifier=_text(person, "SoDinhDanh", limit=35, where="ThongTinNguoiNop"),
            name=_text(person, "TenNguoiNop", limit=255, where="ThongTinNguoiNop"),
            phone=_text(person, "SoDienThoai", limit=20, where="ThongTinNguoiNop"),
            email=_text(person, "Email", limit=254, where="ThongTinNguoiNop"),
            address=_text(person, "DiaChiChiTiet", limit=255, where="ThongTinNguoiNop"),
        ),
        received_via=received_via,
    )
    if not data.procedure_code:
        raise InvalidInput("Thiếu mã thủ tục hành chính (MaTTHC).", field="MaTTHC")
    if not data.unit_code:
        raise InvalidInput("Thiếu mã đơn vị tiếp nhận (MaDonViTiepNhan).", field="MaDonViTiepNhan")
    return data, _file_specs(payload)


# --- the files -------------------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def _file_origins() -> tuple[str, list[tuple[str, str, int | None]]]:
    """Where files may be fetched from: the national portal's own address and the origins listed
    in MOTCUA_INBOUND_FILE_ORIGINS. A payload cannot make the server fetch any other address
    (a pushed `DuongDan` pointing inside the province's network would otherwise be fetched)."""
    base = registry.config("dvcqg").get("base_url", "")
    extra = list(getattr(settings, "MOTCUA_INBOUND_FILE_ORIGINS", ()) or ())
    return base, [_origin(u) for u in [base, *extra] if u]


def _file_url(url: str) -> str:
    base, allowed = _file_origins()
    absolute = urllib.parse.urljoin(base.rstrip("/") + "/", url) if base else url
    if urllib.parse.urlsplit(absolute).scheme not in ("http", "https") or _origin(absolute) not in allowed:
        raise InvalidInput(
            "Đường dẫn tệp đính kèm không thuộc Cổng DVCQG (chỉ tải tệp từ địa chỉ đã cấu hình).",
            code="document_url_not_allowed",
            field="DuongDan",
        )
    return absolute


def _extension_for(url: str, content_type: str, content: bytes) -> str:
    path_ext = ("." + urllib.parse.urlsplit(url).path.rsplit(".", 1)[-1].lower()) if "." in url else ""
    if path_ext in ALLOWED:
        return path_ext
    by_type = [ext for ext, (ctype, _) in ALLOWED.items() if ctype == content_type.split(";")[0].strip()]
    if by_type:
        return by_type[0]
    by_magic = [ext for ext, (_, magics) in ALLOWED.items() if any(content.startswith(m) for m in magics)]
    return by_magic[0] if by_magic else ""


def _file_name(spec: _FileSpec, content_type: str, content: bytes) -> str:
    """The stored name: TenGiayTo made a valid file name, with the type's extension when it has
    none (the portal names papers, not files: "Tờ khai đăng ký khai sinh")."""
    name = _BAD_NAME_CHARS.sub("-", " ".join(spec.name.split())).strip(" .-")
    if not name:
        name = urllib.parse.unquote(urllib.parse.urlsplit(spec.url).path.rsplit("/", 1)[-1]) or "giay-to"
        name = _BAD_NAME_CHARS.sub("-", name).strip(" .-") or "giay-to"
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in ALLOWED:
        ext = _extension_for(spec.url, content_type, content)
        stem = name
    else:
        stem = name[: -len(ext)]
    return stem[: 200 - len(ext)].rstrip(" .") + ext


def _timeout() -> float:
    try:
        return float(registry.config("dvcqg").get("timeout") or DEFAULT_TIMEOUT)
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT


def fetch_files(specs: list[_FileSpec]) -> list[ForwardedFile]:
    """Download each file and check it is the one the portal hashed. A file the portal says is
    not there, too large or not matching its hash refuses the dossier (InvalidInput); a portal
    that cannot answer now refuses nothing (PortalFilesUnavailable)."""
    if not specs:
        return []
    files = []
    with httpx.Client(timeout=_timeout(), follow_redirects=False) as client:
        for spec in specs:
            url = _file_url(spec.url)
            try:
                with client.stream("GET", url) as response:
                    if response.status_code in (408, 429) or response.status_code >= 500:
                        raise PortalFilesUnavailable(
                            f"Cổng DVCQG chưa trả được tệp “{spec.name or url}” "
                            f"(HTTP {response.status_code}); hồ sơ sẽ được nhận lại sau."
                        )
                    if response.status_code != 200:
                        raise InvalidInput(
                            f"Không tải được tệp “{spec.name or url}” từ Cổng DVCQG "
                            f"(HTTP {response.status_code}).",
                            code="document_unavailable",
                            field="DuongDan",
                        )
                    content = bytearray()
                    for chunk in response.iter_bytes():
                        content += chunk
                        if len(content) > MAX_SIZE:
                            raise InvalidInput(
                                f"Tệp “{spec.name or url}” lớn hơn {MAX_SIZE // (1024 * 1024)} MB.",
                                code="document_too_large",
                                field="DuongDan",
                            )
                    content_type = response.headers.get("content-type", "")
            except httpx.HTTPError as exc:
                raise PortalFilesUnavailable(
                    f"Không kết nối được Cổng DVCQG để tải tệp đính kèm ({type(exc).__name__}); "
                    "hồ sơ sẽ được nhận lại sau."
                ) from None
            if hashlib.sha256(content).hexdigest() != spec.sha256:
                raise InvalidInput(
                    f"Tệp “{spec.name or url}” không khớp mã băm SHA-256 (HashTepTin) Cổng DVCQG gửi: "
                    "tệp có thể đã bị thay đổi trên đường truyền.",
                    code="document_hash_mismatch",
                    field="HashTepTin",
                )
            files.append(
                ForwardedFile(
                    name=_file_name(spec, content_type, bytes(content)),
                    content=bytes(content),
                    component_code=spec.component_code,
                )
            )
    return files


# --- one dossier -------------------------------------------------------------------------------------


def _check_scope(partner: Partner, payload: dict) -> None:
    """A partner forwards only to its units and their sub-units (R-26: permissions per unit). A
    unit the province does not know is not a scope question: the dossier is refused below."""
    named = Unit.objects.select_related("successor").filter(code=_text(payload, "MaDonViTiepNhan", limit=35))
    named = named.first()
    if named is None or in_scope(partner, named) or in_scope(partner, current_unit(named)):
        return
    raise PermissionDenied(
        f"Đối tác “{partner.name}” không được chuyển hồ sơ đến {named.name} ({named.code}).",
        rule="R-26",
        code="partner_out_of_scope",
        field="MaDonViTiepNhan",
    )


def _record(
    national_id: str,
    *,
    via: str,
    partner: Partner | None,
    payload: dict,
    now: datetime.datetime,
    status: str,
    error: str = "",
    dossier=None,
) -> None:
    """One row per national code: created on the first arrival, rewritten by a later one that was
    tried again (a refusal never overwrites an acceptance)."""
    fields = {
        "via": via,
        "partner": partner,
        "received_at": now,
        "payload": payload,
        "status": status,
        "error": error,
        "dossier": dossier,
    }
    rows = InboundDossier.objects.filter(national_id=national_id)
    if status == InboundStatus.REFUSED:
        rows = rows.exclude(status=InboundStatus.ACCEPTED)
    if rows.update(**fields):
        return
    try:
        with transaction.atomic():
            InboundDossier.objects.create(national_id=national_id, **fields)
    except IntegrityError:  # another arrival of the same dossier recorded it meanwhile
        rows.update(**fields)


def receive_forwarded(
    payload: dict,
    *,
    via: str,
    partner: Partner | None = None,
    now: datetime.datetime | None = None,
) -> InboundResult:
    """One forwarded dossier, pulled (`via="pull"`) or pushed by `partner` (`via="push"`).

    Raises (nothing recorded) when the payload has no usable national code or cannot be stored
    (InvalidInput), when the partner may not forward to the unit (PermissionDenied, R-26) and when
    the portal's files cannot be read now (PortalFilesUnavailable); otherwise answers accepted
    (created or already there) or refused, and records it.
    """
    if via not in VIA:
        raise ValueError(f"via must be one of {VIA}")
    now = now or timezone.now()
    national_id = national_id_of(payload)
    _storable(payload)
    if partner is not None:
        _check_scope(partner, payload)
    earlier = (
        InboundDossier.objects.filter(national_id=national_id, status=InboundStatus.ACCEPTED)
        .select_related("dossier__receiving_unit")
        .first()
    )
    if earlier is not None and earlier.dossier is not None:
        return InboundResult(
            national_id=national_id,
            status=InboundStatus.ACCEPTED,
            dossier_code=earlier.dossier.code,
            unit_code=earlier.dossier.receiving_unit.code,
        )
    received_via = f"push:{partner.code}" if partner is not None else via
    try:
        data, specs = parse_forwarded(payload, received_via=received_via)
        # The catalogue first: a dossier the province cannot take is refused before its files
        # are downloaded.
        services.resolve_forwarded(data, now=now)
        data.files = fetch_files(specs)
        with transaction.atomic():
            dossier, created = services.accept_forwarded(data, now=now)
            if created:
                # The portal holds this dossier already (it was submitted there): the first push
                # is an update, not an add answered "already exists".
                NationalRecord.objects.get_or_create(dossier=dossier, defaults={"added_at": now})
            if created or not InboundDossier.objects.filter(national_id=national_id).exists():
                _record(
                    national_id,
                    via=via,
                    partner=partner,
                    payload=payload,
                    now=now,
                    status=InboundStatus.ACCEPTED,
                    dossier=dossier,
                )
    except PortalFilesUnavailable:
        raise
    except DomainError as refusal:
        _record(
            national_id,
            via=via,
            partner=partner,
            payload=payload,
            now=now,
            status=InboundStatus.REFUSED,
            error=refusal.message,
        )
        logger.info("forwarded dossier %s refused: %s", national_id, refusal.message)
        return InboundResult(national_id=national_id, status=InboundStatus.REFUSED, error=refusal)
    return InboundResult(
        national_id=national_id,
        status=InboundStatus.ACCEPTED,
        created=created,
        dossier_code=dossier.code,
        unit_code=dossier.receiving_unit.code,
    )


# --- the scheduled pull ------------------------------------------------------------------------------


def pull_forwarded(
    portal: NationalPortal | None = None,
    limit: int = 100,
    *,
    max_batches: int = 20,
    now: datetime.datetime | None = None,
) -> PullReport:
    """Read the dossiers the national portal forwards to the province from where the last pull
    stopped, batch by batch (up to `max_batches`), and apply each. The cursor moves past a batch
    only once every dossier of it is stored (accepted or refused, recorded); an outage of the portal
    — reading the list or a file — stops the pull and leaves the cursor, and the next pull reads the
    same dossiers again (created once all the same)."""
    portal = portal or registry.get("dvcqg")
    if portal is None:
        return PullReport(configured=False)
    report = PullReport()
    cursor, _ = PullCursor.objects.get_or_create(name=PULL_CURSOR)
    position = cursor.position
    for _ in range(max_batches):
        try:
            batch = portal.fetch_forwarded(position, limit)
        except PortalUnavailable as exc:
            report.unavailable = str(exc) or "Cổng DVCQG không trả lời."
            break
        report.batches += 1
        try:
            for payload in batch.dossiers:
                _pull_one(payload, report, now=now)
        except PortalFilesUnavailable as exc:
            report.unavailable = exc.message
            break
        if batch.cursor and batch.cursor != position:
            # Compare-and-set: a pull running at the same time that got further is not set back.
            PullCursor.objects.filter(name=PULL_CURSOR, position=position).update(
                position=batch.cursor, updated_at=timezone.now()
            )
            position = batch.cursor
        else:
            break
        if len(batch.dossiers) < limit:
            break
    report.cursor = position
    return report


def _pull_one(payload: Any, report: PullReport, *, now: datetime.datetime | None) -> None:
    report.received += 1
    try:
        result = receive_forwarded(payload, via="pull", now=now)
    except PortalFilesUnavailable:
        raise
    except DomainError as exc:  # no usable national code, or not storable: nothing to record it under
        label = payload.get("MaHoSo", "?") if isinstance(payload, dict) else "?"
        report.refused += 1
        report.refusals.append((str(label)[:64], exc.message))
        logger.warning("forwarded dossier without a usable national code skipped: %s", exc.message)
        return
    if not result.accepted:
        report.refused += 1
        report.refusals.append((result.national_id, result.error.message if result.error else ""))
    elif result.created:
        report.created += 1
    else:
        report.duplicates += 1
