"""Archiving finished dossiers and exporting their archive packages (TT 13/2023/TT-BNV; R-30).

`archive_dossier` fixes, once, what a dossier's package holds: the dossier's documents as stored
(signed PDFs byte for byte, so their signatures still verify), `metadata.json` (NĐ 30/2020 metadata),
`events.json` (the HMAC-chained event log as stored), a Vietnamese README.txt and a stand-alone
`verify_package.py`; `manifest.json` lists each with its SHA-256 and size, `manifest.sha256` holds
the manifest's own digest. `export_package` rebuilds that package, checking every byte against what
was recorded. Files are read through Django's storage API only (the store may be S3).
"""

import datetime
import hashlib
import io
import json
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import BinaryIO

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.archive.models import (
    AccessMode,
    ArchiveFile,
    ArchiveRecord,
    RetentionRule,
    retention_label,
)
from motcua.catalog.models import Procedure
from motcua.core.errors import DomainError, NotFound, RuleViolation
from motcua.documents.models import Document
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.states import FINAL_STATES, NATIONAL_STATUS, State

logger = logging.getLogger(__name__)

PACKAGE_FORMAT = "motcua-archive-package/1"
METADATA_FORMAT = "motcua-archive-metadata/1"
EVENTS_FORMAT = "motcua-archive-events/1"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
DOCUMENTS_DIR = "tai-lieu"
VERIFIER = Path(__file__).with_name("verify_package.py")
CHUNK = 1024 * 1024


class ArchiveIntegrityError(DomainError):
    """A stored byte differs from what was recorded (a document's file changed or vanished, the
    event log does not verify): nothing is archived or exported, and the operator is told which."""

    status_code = 409
    code = "archive_integrity"

    def __init__(self, message: str):
        super().__init__(message, rule="R-30")


# --- retention ----------------------------------------------------------------------------------


def retention_rule_for(procedure: Procedure) -> RetentionRule | None:
    """The most specific rule: the procedure's own, its field's, the default; None if the
    administrator deleted the default too (the dossier is then kept permanently)."""
    rules = {
        (r.procedure_code, r.field_code): r
        for r in RetentionRule.objects.filter(
            procedure_code__in=("", procedure.code), field_code__in=("", procedure.field.code)
        )
    }
    return rules.get((procedure.code, "")) or rules.get(("", procedure.field.code)) or rules.get(("", ""))


def retain_until(ended_at: datetime.datetime, years: int | None) -> datetime.date | None:
    """Last day of retention: the period counts from the year the work ended [R: "thời hạn bảo quản
    tính từ năm công việc kết thúc", Luật Lưu trữ; to be checked], so a dossier closed in 2026 and
    kept 10 years is kept to the end of 2036. None: permanent."""
    if years is None:
        return None
    return datetime.date(timezone.localtime(ended_at).year + years, 12, 31)


# --- building the package -------------------------------------------------------------------------


def _times(value: datetime.datetime | None) -> dict | None:
    if value is None:
        return None
    return {
        "utc": value.astimezone(UTC).isoformat(timespec="seconds"),
        "local": timezone.localtime(value).isoformat(timespec="seconds"),
    }


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _ended_at(dossier: Dossier, last_event_at: datetime.datetime | None) -> datetime.datetime:
    return dossier.returned_at or dossier.finished_at or last_event_at or dossier.submitted_at


def _attachments(dossier: Dossier) -> list[DossierDocument]:
    return list(
        DossierDocument.objects.filter(dossier=dossier)
        .select_related("document", "required_document")
        .order_by("attached_at", "pk")
    )


def _document_path(index: int, document: Document) -> str:
    return f"{DOCUMENTS_DIR}/{index:03d}-{document.name}"


def _read_checked(document: Document) -> Iterator[bytes]:
    """The document's bytes from the store, in chunks; raises if they are not the bytes it had when
    stored (the checksum taken at upload)."""
    sha, size = hashlib.sha256(), 0
    try:
        with document.file.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                sha.update(chunk)
                size += len(chunk)
                yield chunk
    except (OSError, ValueError) as exc:
        raise ArchiveIntegrityError(
            f"Không đọc được tệp của tài liệu “{document.name}” trong kho: {exc}."
        ) from exc
    if sha.hexdigest() != document.sha256 or size != document.size:
        raise ArchiveIntegrityError(
            f"Tệp của tài liệu “{document.name}” trong kho không còn như lúc tải lên "
            "(mã SHA-256 hoặc dung lượng khác): không lưu trữ, không xuất gói."
        )


def _events_json(dossier: Dossier) -> tuple[bytes, list]:
    events = list(dossier.events.select_related("unit").order_by("seq"))
    rows = [
        {
            "seq": e.seq,
            # As chained (audit._canonical): UTC with microseconds.
            "at": e.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "at_local": timezone.localtime(e.at).isoformat(timespec="seconds"),
            "actor": e.actor_id,
            "actor_name": e.actor_name,
            "action": e.action,
            "action_label": e.get_action_display(),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "step": e.step_id,
            "unit": e.unit_id,
            "unit_code": e.unit.code if e.unit else None,
            "reason": e.reason,
            "data": e.data,
            "documents": e.documents,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
            "key_id": e.key_id,
        }
        for e in events
    ]
    content = {
        "format": EVENTS_FORMAT,
        "ma_ho_so": dossier.code,
        "so_su_kien": len(rows),
        "last_event_hash": dossier.last_event_hash,
        "ghi_chu": (
            "Nhật ký xử lý hồ sơ, nguyên trạng như lưu trong hệ thống. Mỗi sự kiện mang mã HMAC-SHA256 "
            "(hash) tính trên nội dung của nó và mã của sự kiện trước (prev_hash) bằng khóa của hệ thống "
            "(key_id cho biết khóa nào); chuỗi đã được kiểm tra hợp lệ khi lưu trữ."
        ),
        "su_kien": rows,
    }
    return _json(content), events


def _metadata_json(
    record: ArchiveRecord, dossier: Dossier, entries: list[tuple[str, DossierDocument]]
) -> bytes:
    procedure = dossier.procedure
    last_actor = dossier.events.order_by("-seq").values_list("actor_name", flat=True).first()
    rule = record.retention_rule
    content = {
        "format": METADATA_FORMAT,
        "can_cu": (
            "TT 13/2023/TT-BNV (lưu trữ hồ sơ, tài liệu điện tử TTHC); thông tin đầu ra của hồ sơ "
            "theo NĐ 30/2020/NĐ-CP"
        ),
        "ho_so": {
            "ma_ho_so": record.file_code,
            "tieu_de": record.title,
            "thoi_han_bao_quan": record.retention,
            "che_do_su_dung": record.get_access_mode_display(),
            "ngon_ngu": record.language,
            "thoi_gian_bat_dau": _times(record.started_at),
            "thoi_gian_ket_thuc": _times(record.ended_at),
            "so_luong_van_ban": record.document_count,
            "so_luong_trang": record.page_count,
            "tu_khoa": [k for k in record.keywords.split("; ") if k],
            "tinh_trang": record.condition,
        },
        "luu_tru": {
            "luu_tru_luc": _times(record.archived_at),
            "nguoi_lap": record.archived_by.get_full_name() or record.archived_by.username
            if record.archived_by
            else "Hệ thống (tự động)",
            "can_bo_giai_quyet_cuoi": last_actor or "",
            "bao_quan_vinh_vien": record.retain_until is None,
            "bao_quan_den_het_ngay": record.retain_until.isoformat() if record.retain_until else None,
            "quy_tac_thoi_han": (
                {"pham_vi": rule.scope_label, "thoi_han": rule.retention_label, "can_cu": rule.basis}
                if rule
                else None
            ),
        },
        "thu_tuc": {
            "ma": procedure.code,
            "ten": procedure.name,
            "linh_vuc": {"ma": procedure.field.code, "ten": procedure.field.name},
            "truong_hop": {"ma": dossier.case.code, "ten": dossier.case.name},
        },
        "ho_so_tthc": {
            "trang_thai": {
                "ma": dossier.state,
                "ten": State(dossier.state).label,
                "ma_trang_thai_dvcqg": NATIONAL_STATUS[dossier.state],
            },
            "kenh_nop": {"ma": dossier.channel, "ten": dossier.get_channel_display()},
            "loai_nguoi_nop": {"ma": dossier.applicant.kind, "ten": dossier.applicant.get_kind_display()},
            "don_vi_tiep_nhan": {"ma": dossier.receiving_unit.code, "ten": dossier.receiving_unit.name},
            "don_vi_giai_quyet": {"ma": dossier.deciding_unit.code, "ten": dossier.deciding_unit.name},
            "can_cu_tiep_nhan": dossier.get_legal_basis_display(),
            "thoi_han_giai_quyet": {
                "gia_tri": str(dossier.time_limit),
                "don_vi": dossier.get_time_limit_unit_display(),
            },
            "so_lan_yeu_cau_bo_sung": dossier.supplement_requests,
        },
        "thoi_gian": {
            "nop": _times(dossier.submitted_at),
            "tiep_nhan": _times(dossier.received_at),
            "hen_tra": _times(dossier.due_at),
            "hen_tra_ban_dau": _times(dossier.original_due_at),
            "hen_tra_moi": _times(dossier.extended_due_at),
            "ket_thuc_xu_ly": _times(dossier.finished_at),
            "tra_ket_qua": _times(dossier.returned_at),
        },
        "tai_lieu": [
            {
                "tep": path,
                "ten": link.document.name,
                "loai": {"ma": link.document.kind, "ten": link.document.get_kind_display()},
                "thanh_phan_ho_so": link.required_document.name if link.required_document else None,
                "kieu_tep": link.document.content_type,
                "dung_luong": link.document.size,
                "sha256": link.document.sha256,
                "so_trang": link.document.page_count,
                "nguon": {"ma": link.document.origin, "ten": link.document.get_origin_display()},
                "chu_ky_so": {
                    "trang_thai": link.document.get_signature_status_display(),
                    "nguoi_ky": link.document.signature_signer or None,
                    "thoi_diem_ky": _times(link.document.signature_signed_at),
                },
                "tai_len_luc": _times(link.document.uploaded_at),
                "dinh_kem_luc": _times(link.attached_at),
            }
            for path, link in entries
        ],
    }
    return _json(content)


def _readme(record: ArchiveRecord, dossier: Dossier, document_count: int) -> bytes:
    archived = timezone.localtime(record.archived_at)
    until = "" if record.retain_until is None else f" (đến hết ngày {record.retain_until:%d/%m/%Y})"
    text = f"""GÓI HỒ SƠ LƯU TRỮ ĐIỆN TỬ — HỒ SƠ {record.file_code}
{"=" * 60}

Tiêu đề: {record.title}
Thủ tục: {dossier.procedure.code} — {dossier.procedure.name}
Lưu trữ lúc: {archived:%H:%M ngày %d/%m/%Y} (giờ Việt Nam)
Thời hạn bảo quản: {record.retention}{until}
Chế độ sử dụng: {record.get_access_mode_display()} — hồ sơ có dữ liệu cá nhân của người nộp.

Gói này do hệ thống MotCua lập theo Thông tư 13/2023/TT-BNV (lưu trữ hồ sơ, tài liệu điện tử
trong giải quyết thủ tục hành chính): thành phần hồ sơ, kết quả giải quyết và toàn bộ quá trình
xử lý điện tử của hồ sơ, kèm thông tin đầu ra (siêu dữ liệu) theo Nghị định 30/2020/NĐ-CP.

NỘI DUNG GÓI
- README.txt         tệp này.
- metadata.json      thông tin đầu ra của hồ sơ (mã hồ sơ, tiêu đề, thời hạn bảo quản, chế độ sử
                     dụng, thời gian bắt đầu/kết thúc, số lượng văn bản/trang, ngôn ngữ, từ khóa,
                     tình trạng), thủ tục, loại người nộp, các mốc thời gian (giờ UTC và giờ Việt
                     Nam) và thông tin từng tài liệu (loại, chữ ký số, số trang, SHA-256).
- events.json        nhật ký xử lý hồ sơ nguyên trạng, mỗi sự kiện nối với sự kiện trước bằng mã
                     HMAC-SHA256 (hash, prev_hash).
- {DOCUMENTS_DIR}/          {document_count} tài liệu của hồ sơ, đúng từng byte như đã lưu trong hệ thống.
                     Tệp PDF có chữ ký số giữ nguyên chữ ký: mở bằng phần mềm đọc PDF hoặc trang
                     /xac-thuc/ của hệ thống để kiểm tra chữ ký.
- verify_package.py  chương trình kiểm tra gói (chỉ cần Python 3, không cần mạng).
- manifest.json      danh sách mọi tệp trên, với dung lượng và mã SHA-256.
- manifest.sha256    mã SHA-256 của manifest.json.

KIỂM TRA GÓI
    python3 verify_package.py                (trong thư mục đã giải nén)
    python3 verify_package.py <tệp .zip>     (kiểm tra thẳng tệp nén)
Chương trình báo "GÓI NGUYÊN VẸN" (mã thoát 0) khi mọi tệp có mặt, đúng mã SHA-256, không có tệp
thừa và manifest.json khớp với manifest.sha256; nếu không, nó liệt kê từng tệp sai (mã thoát 1).
Trên Linux cũng có thể dùng: sha256sum -c manifest.sha256
So mã SHA-256 của manifest.json với mã hệ thống đã ghi khi lưu trữ để chắc gói không bị thay cả.

Mã HMAC của nhật ký xử lý chỉ kiểm tra được bằng khóa của hệ thống (manage.py verify_audit); chương
trình trong gói chỉ kiểm tra các sự kiện nối liền nhau.
"""
    return text.encode("utf-8")


@dataclass
class _Member:
    path: str
    sha256: str
    size: int
    document: Document | None = None
    content: bytes | None = None


def _document_member(path: str, document: Document) -> _Member:
    sha, size = hashlib.sha256(), 0
    for chunk in _read_checked(document):
        sha.update(chunk)
        size += len(chunk)
    return _Member(path, sha.hexdigest(), size, document=document)


def _generated(path: str, content: bytes) -> _Member:
    return _Member(path, _sha256(content), len(content), content=content)


def _manifest(record: ArchiveRecord, members: list[_Member]) -> bytes:
    return _json(
        {
            "format": PACKAGE_FORMAT,
            "ma_ho_so": record.file_code,
            "luu_tru_luc": record.archived_at.astimezone(UTC).isoformat(timespec="seconds"),
            "thuat_toan": "SHA-256",
            "files": [{"path": m.path, "size": m.size, "sha256": m.sha256} for m in members],
        }
    )


def _check_events(dossier: Dossier) -> None:
    findings = list(audit.verify_chain(Dossier.objects.filter(pk=dossier.pk)))
    if findings:
        raise ArchiveIntegrityError(
            f"Nhật ký xử lý của hồ sơ {dossier.code} không hợp lệ ({findings[0].message}): không lưu trữ."
        )


def archive_dossier(dossier: Dossier, *, actor=None, now: datetime.datetime | None = None) -> ArchiveRecord:
    """Archive a finished dossier (TT 13/2023 Điều 3: its documents, results and electronic process
    trail) and return its record; a dossier already archived returns its record unchanged."""
    now = now or timezone.now()
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure__field", "case", "applicant", "receiving_unit", "deciding_unit")
            .filter(pk=dossier.pk)
            .first()
        )
        if dossier is None:
            raise NotFound("Không tìm thấy hồ sơ để lưu trữ.", code="dossier_not_found")
        existing = ArchiveRecord.objects.filter(dossier=dossier).first()
        if existing is not None:
            return existing
        if dossier.state not in FINAL_STATES:
            raise RuleViolation(
                "R-30",
                f"Hồ sơ {dossier.code} đang ở trạng thái “{State(dossier.state).label}”: chỉ lưu trữ "
                "hồ sơ đã kết thúc (đã trả kết quả, không được tiếp nhận, đã rút hoặc dừng xử lý).",
                code="archive_not_finished",
            )
        _check_events(dossier)
        events_content, events = _events_json(dossier)
        links = _attachments(dossier)
        entries = [(_document_path(i, link.document), link) for i, link in enumerate(links, start=1)]
        rule = retention_rule_for(dossier.procedure)
        years = rule.years if rule else None
        ended = _ended_at(dossier, events[-1].at if events else None)
        procedure = dossier.procedure
        record = ArchiveRecord(
            dossier=dossier,
            archived_at=now,
            archived_by=actor if getattr(actor, "is_authenticated", False) else None,
            retention_rule=rule,
            retention_years=years,
            retain_until=retain_until(ended, years),
            file_code=dossier.code,
            title=f"Hồ sơ giải quyết thủ tục hành chính “{procedure.name}”, mã hồ sơ {dossier.code}"[:1200],
            retention=retention_label(years),
            access_mode=AccessMode.RESTRICTED,
            started_at=dossier.submitted_at,
            ended_at=ended,
            document_count=len(links),
            page_count=sum(link.document.page_count or 0 for link in links),
            keywords="; ".join(
                k for k in (procedure.code, procedure.field.name, State(dossier.state).label) if k
            )[:1500],
        )
        if rule is None:
            logger.warning("no retention rule (not even the default) for %s: kept permanently", dossier.code)
        members = [
            _generated("README.txt", _readme(record, dossier, len(links))),
            _generated("metadata.json", _metadata_json(record, dossier, entries)),
            _generated("events.json", events_content),
            *(_document_member(path, link.document) for path, link in entries),
            _generated("verify_package.py", VERIFIER.read_bytes()),
        ]
        manifest = _manifest(record, members)
        record.manifest = manifest
        record.manifest_sha256 = _sha256(manifest)
        record.file_count = len(members)
        record.package_bytes = sum(m.size for m in members) + len(manifest)
        try:
            with transaction.atomic():
                record.save(force_insert=True)
                ArchiveFile.objects.bulk_create(
                    ArchiveFile(
                        record=record,
                        order=n,
                        path=m.path,
                        sha256=m.sha256,
                        size=m.size,
                        document=m.document,
                        content=m.content,
                    )
                    for n, m in enumerate(members, start=1)
                )
        except IntegrityError:  # archived meanwhile by another worker (SQLite has no row lock)
            return ArchiveRecord.objects.get(dossier=dossier)
    return record


@dataclass
class ArchiveRun:
    archived: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def pending_dossiers():
    """Finished dossiers not archived yet."""
    return Dossier.objects.filter(state__in=FINAL_STATES, archive_record__isnull=True)


def archive_finished_dossiers(*, limit: int | None = None, actor=None) -> ArchiveRun:
    """Archive every finished dossier not archived yet (the nightly run; safe to run again or beside
    itself). One that cannot be archived (a file changed in the store, a broken event log) is
    reported and skipped; the others go on."""
    run = ArchiveRun()
    pending = pending_dossiers().order_by("pk").values_list("pk", "code")
    for pk, code in pending[:limit] if limit else pending:
        try:
            archive_dossier(Dossier(pk=pk), actor=actor)
        except DomainError as exc:
            logger.error("dossier %s not archived: %s", code, exc.message)
            run.failed.append((code, exc.message))
            continue
        run.archived.append(code)
    return run


# --- export --------------------------------------------------------------------------------------


def record_of(dossier: Dossier) -> ArchiveRecord:
    record = ArchiveRecord.objects.filter(dossier=dossier).first()
    if record is None:
        raise NotFound(f"Hồ sơ {dossier.code} chưa được lưu trữ.", code="archive_not_found")
    return record


def package_name(record: ArchiveRecord) -> str:
    """The package's top folder and file name: the dossier code, kept to safe characters."""
    return "ho-so-luu-tru-" + re.sub(r"[^A-Za-z0-9._-]", "_", record.file_code)


def write_package(record: ArchiveRecord, sink: BinaryIO) -> None:
    """Write the record's package (a zip) to `sink`, checking every file against the recorded
    checksums; raises ArchiveIntegrityError (and the zip written so far must be discarded)."""
    if _sha256(bytes(record.manifest)) != record.manifest_sha256:
        raise ArchiveIntegrityError(
            f"Manifest của hồ sơ lưu trữ {record.file_code} đã bị sửa trong hệ thống."
        )
    root = package_name(record)
    stamp = timezone.localtime(record.archived_at).timetuple()[:6]  # same bytes on every export

    def info(path: str) -> zipfile.ZipInfo:
        entry = zipfile.ZipInfo(f"{root}/{path}", date_time=stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        return entry

    with zipfile.ZipFile(sink, "w") as archive:
        for member in record.files.select_related("document").order_by("order"):
            sha, size = hashlib.sha256(), 0
            with archive.open(info(member.path), "w") as out:
                if member.document_id is None:
                    chunks: Iterator[bytes] = iter([bytes(member.content)])
                else:
                    chunks = _read_checked(member.document)
                for chunk in chunks:
                    sha.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            if sha.hexdigest() != member.sha256 or size != member.size:
                raise ArchiveIntegrityError(
                    f"Tệp {member.path} của hồ sơ lưu trữ {record.file_code} không còn như lúc lưu trữ."
                )
        archive.writestr(info(MANIFEST), bytes(record.manifest))
        archive.writestr(info(MANIFEST_DIGEST), f"{record.manifest_sha256}  {MANIFEST}\n".encode())


def export_package(dossier: Dossier) -> bytes:
    """The archive package of an archived dossier, as a zip (verified against the record)."""
    buffer = io.BytesIO()
    write_package(record_of(dossier), buffer)
    return buffer.getvalue()
