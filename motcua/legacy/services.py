"""Migrating dossiers from the old one-stop software (R-09) and closing out the ones it left open (R-25).

`import_legacy` reads a CSV or JSON export (docs/legacy-import.md), validates every record and
creates, for each valid one, a dossier with `origin=legacy` that keeps the old code, dates and
history: a `submit` event at the original submission time, one `legacy_history` event per progress
row of the old system at its original time, and a last `legacy_history` event recording the import
itself (who, when, which batch) — all appended to the dossier's HMAC chain, so `verify_audit`
passes. No outbox message is written: the old system already synced that history to the national
portal. Each record is its own transaction: a bad record is reported with its line number and a
Vietnamese reason and the others go on; `dry_run` does everything in a transaction rolled back at
the end, so it validates exactly what a real run would and writes nothing.

Open dossiers are put where our engine can take them over (docs/legacy-import.md, "After the
import"); `close_out_legacy` ends the ones that cannot or need not go on, as letter 522/UBND-HCC
(seed 004) asks: "xử lý dứt điểm, không để tồn tại hồ sơ chưa xử lý, chưa kết thúc trên hệ thống".
"""

import datetime
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.calendar.services import CalendarInputError
from motcua.catalog.models import Procedure, ProcedureUnit, ProcessVersion
from motcua.catalog.selectors import OWNING_ROLES, active_process_version, case_duration
from motcua.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from motcua.core.text import nfc
from motcua.dossiers import audit, codes, deadlines, outbox
from motcua.dossiers.models import (
    REFORM_DATE,
    Dossier,
    DossierCounter,
    DossierPause,
    DossierStep,
    LegalBasis,
    Origin,
    PauseKind,
)
from motcua.dossiers.selectors import visible_dossiers
from motcua.dossiers.services import StaleVersion
from motcua.dossiers.states import FINAL_STATES, Action, State
from motcua.legacy import mapping
from motcua.legacy.models import CloseOutOutcome, LegacyDossier, LegacyFormat, LegacyImport
from motcua.legacy.readers import LegacyFileError, LegacyRecord, decode, read_records
from motcua.org.models import Applicant, ApplicantKind, Role, Unit, UnitKind
from motcua.org.selectors import roles_in_unit
from motcua.org.services import current_unit

DEFAULT_SOURCE = "Phần mềm một cửa cũ"

# States a dossier reaches only after it was received (it needs NgayTiepNhan).
_NEEDS_RECEPTION = frozenset(
    {
        State.RECEIVED,
        State.PROCESSING,
        State.PAUSED,
        State.WITHDRAWAL_REQUESTED,
        State.STOPPED,
        State.RESULT_READY,
        State.RETURNED,
    }
)
# States in which the processing is over (NgayKetThucXuLy).
_FINISHED = frozenset({State.REJECTED, State.WITHDRAWN, State.STOPPED, State.RESULT_READY, State.RETURNED})
# Dates that cannot lie in the future; the appointment (NgayHenTra) may.
_PAST_DATES = ("NgayNop", "NgayTiepNhan", "NgayKetThucXuLy", "NgayTra")
# Skipped rows printed by the command and kept in the batch's report (refusals are always all kept).
SKIPPED_SHOWN = 20
SKIPPED_KEPT = 1000
# A little slack for clocks of two machines.
_CLOCK_SLACK = datetime.timedelta(hours=1)


class RowError(Exception):
    """A record refused; the message is Vietnamese, for the person who prepared the export."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the report ---------------------------------------------------------------------------------


class RowStatus:
    CREATED = "created"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class RowResult:
    line: int
    code: str
    status: str
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "status": self.status, "message": self.message}


@dataclass
class ImportReport:
    file_name: str
    sha256: str
    fmt: str
    source: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    batch_id: int | None = None
    # Earlier runs over the same file (its SHA-256): (batch id, when it started).
    earlier: list[tuple[int, datetime.datetime]] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def created(self) -> int:
        return self._count(RowStatus.CREATED)

    @property
    def skipped(self) -> int:
        return self._count(RowStatus.SKIPPED)

    @property
    def failed(self) -> int:
        return self._count(RowStatus.FAILED)

    def problems(self, *, skipped_limit: int | None = None) -> list[RowResult]:
        """The rows a person must look at: refused, created with a note, skipped (the first
        `skipped_limit` of them: a file imported again skips every row)."""
        out, skipped = [], 0
        for r in self.rows:
            if r.status == RowStatus.SKIPPED:
                skipped += 1
                if skipped_limit is not None and skipped > skipped_limit:
                    continue
            if r.status != RowStatus.CREATED or r.message:
                out.append(r)
        return out

    def lines(self) -> list[str]:
        """The Vietnamese summary the command prints."""
        verb = "Chạy thử (không ghi gì vào cơ sở dữ liệu)" if self.dry_run else "Đã nhập"
        out = [
            f"{verb}: tệp {self.file_name} ({self.fmt.upper()}, SHA-256 {self.sha256[:12]}…), "
            f"nguồn “{self.source}”{'' if self.batch_id is None else f', lô số {self.batch_id}'}.",
        ]
        for batch_id, started in self.earlier:
            out.append(
                f"Lưu ý: tệp này đã được nhập ở lô số {batch_id} lúc "
                f"{timezone.localtime(started):%H:%M %d/%m/%Y}; hồ sơ đã có được bỏ qua."
            )
        would = "sẽ " if self.dry_run else ""
        out.append(f"  Hồ sơ {would}tạo mới: {self.created}")
        out.append(f"  Hồ sơ {would}bỏ qua (đã có trong hệ thống): {self.skipped}")
        out.append(f"  Dòng bị từ chối: {self.failed}")
        labels = {RowStatus.FAILED: "LỖI", RowStatus.SKIPPED: "bỏ qua", RowStatus.CREATED: "ghi chú"}
        rows = self.problems(skipped_limit=SKIPPED_SHOWN)
        for r in rows:
            code = f" ({r.code})" if r.code else ""
            out.append(f"Dòng {r.line}{code} — {labels[r.status]}: {r.message}")
        if self.skipped > SKIPPED_SHOWN:
            out.append(f"… và {self.skipped - SKIPPED_SHOWN} hồ sơ khác đã có trong hệ thống, bỏ qua.")
        return out


# --- what a valid record becomes ----------------------------------------------------------------


@dataclass
class _History:
    at: datetime.datetime
    to_state: str
    actor_name: str
    reason: str
    data: dict[str, Any]


@dataclass
class _Plan:
    record: LegacyRecord
    code: str
    status_text: str
    state: str
    pause_ground: str
    procedure: Procedure
    case: Any
    original_unit: Unit
    deciding_unit: Unit
    channel: str
    result_delivery: str
    applicant: Applicant  # the typed person, validated, not saved
    summary: str
    submitted_at: datetime.datetime
    received_at: datetime.datetime | None
    due_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    returned_at: datetime.datetime | None
    history: list[_History]
    legacy_id: str
    other_code: str
    notes: list[str] = field(default_factory=list)


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _display_name(user) -> str:
    user = _actor(user)
    return (user.get_full_name() or user.get_username())[:255] if user else ""


class _Importer:
    def __init__(self, *, source: str, actor, batch: LegacyImport, now: datetime.datetime):
        self.source, self.actor, self.batch, self.now = source, _actor(actor), batch, now
        self.today = timezone.localdate(now)
        self._procedures: dict[str, Procedure | None] = {}
        self._units: dict[str, Unit | None] = {}
        self._owners: dict[int, list[Unit]] = {}

    # --- look-ups (cached: an export has thousands of rows for a few dozen procedures and units) --

    def procedure(self, code: str) -> Procedure | None:
        if code not in self._procedures:
            self._procedures[code] = (
                Procedure.objects.filter(code=code).prefetch_related("cases__durations").first()
            )
        return self._procedures[code]

    def unit(self, code: str) -> Unit | None:
        if code not in self._units:
            self._units[code] = Unit.objects.filter(code=code).select_related("successor", "parent").first()
        return self._units[code]

    def owners(self, procedure: Procedure) -> list[Unit]:
        if procedure.pk not in self._owners:
            links = ProcedureUnit.objects.filter(procedure=procedure, role__in=OWNING_ROLES).select_related(
                "unit"
            )
            owners = (self.answering(link.unit) for link in links)
            self._owners[procedure.pk] = list({u.pk: u for u in owners}.values())
        return self._owners[procedure.pk]

    # --- validation -------------------------------------------------------------------------------

    def _date(self, fields: dict[str, str], column: str) -> datetime.datetime | None:
        try:
            value = mapping.parse_local_datetime(fields.get(column, ""))
        except ValueError as exc:
            raise RowError(f"{column}: {exc}.") from None
        if value is not None and column in _PAST_DATES and value > self.now + _CLOCK_SLACK:
            raise RowError(f"{column}: ngày {timezone.localtime(value):%d/%m/%Y %H:%M} ở tương lai.")
        return value

    def answering(self, unit: Unit) -> Unit:
        """The unit that answers for `unit` today: its successor after mergers; for a unit that
        ended without one (the districts abolished on 01/7/2025, REGULATIONS §0.1), the unit above
        it, so that somebody can close its dossiers out (R-25)."""
        unit = current_unit(unit)
        while unit.valid_to is not None and unit.valid_to < self.today and unit.parent_id is not None:
            unit = current_unit(self.unit(unit.parent.code))
        return unit

    def _deciding_unit(self, original: Unit, explicit: str, procedure: Procedure) -> Unit:
        """The unit that answers for the dossier today: the one named in MaDonViXuLy, else the
        receiving unit — both through their mergers (REGULATIONS §0.2). A service centre only
        receives on behalf (R-01, R-03): then the procedure's owning unit decides."""
        if explicit:
            unit = self.unit(explicit)
            if unit is None:
                raise RowError(
                    f"Không có đơn vị mã “{explicit}” (MaDonViXuLy) trong danh mục cơ quan, đơn vị."
                )
            return self.answering(unit)
        unit = self.answering(original)
        if unit.kind != UnitKind.SERVICE_CENTRE:
            return unit
        owners = self.owners(procedure)
        parent = next((o for o in owners if o.pk == unit.parent_id), None)
        if parent is not None:
            return parent
        if len(owners) == 1:
            return owners[0]
        raise RowError(
            f"Hồ sơ tiếp nhận tại {unit.name} nhưng không xác định được cơ quan giải quyết của thủ tục "
            f"{procedure.code}: hãy ghi cột MaDonViXuLy."
        )

    def _applicant(self, fields: dict[str, str]) -> Applicant:
        identifier = fields.get("SoGiayTo", "").strip()
        name = " ".join(nfc(fields.get("ChuHoSo", "")).split())
        if not identifier:
            raise RowError("Thiếu số giấy tờ của chủ hồ sơ (SoGiayTo).")
        if not name:
            raise RowError("Thiếu tên chủ hồ sơ (ChuHoSo).")
        kind_code = fields.get("LoaiDoiTuong", "").strip()
        if kind_code:
            kind = mapping.APPLICANT_KIND.get(kind_code)
            if kind is None:
                raise RowError(
                    f"LoaiDoiTuong “{kind_code}” không hợp lệ "
                    "(1 công dân, 2 doanh nghiệp, 3 cơ quan nhà nước, 4 tổ chức)."
                )
        else:
            kind = mapping.guess_applicant_kind(identifier)
        unit = self.unit(identifier) if kind == ApplicantKind.STATE_BODY else None
        applicant = Applicant(
            kind=kind,
            identifier=identifier,
            name=name,
            unit=unit,
            phone=fields.get("SoDienThoai", ""),
            email=fields.get("Email", ""),
            address=nfc(fields.get("DiaChi", "")),
        )
        try:
            applicant.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            field_name, messages = next(iter(exc.message_dict.items()))
            label = {
                "identifier": "SoGiayTo",
                "unit": "SoGiayTo",
                "phone": "SoDienThoai",
                "email": "Email",
                "address": "DiaChi",
                "name": "ChuHoSo",
            }.get(field_name, field_name)
            raise RowError(
                f"{label} “{getattr(applicant, field_name, '') or identifier}”: {messages[0]}"
            ) from None
        return applicant

    def _history(self, record: LegacyRecord) -> list[_History]:
        rows = []
        for n, row in enumerate(record.history, start=1):
            where = f"{mapping.HISTORY_KEY}[{n}]"
            text = {k: ("" if v is None else str(v).strip()) for k, v in row.items()}
            try:
                at = mapping.parse_local_datetime(text.get("ThoiDiemXuLy", ""))
            except ValueError as exc:
                raise RowError(f"{where}.ThoiDiemXuLy: {exc}.") from None
            if at is None:
                raise RowError(f"{where}: thiếu ThoiDiemXuLy (thời điểm xử lý).")
            status = text.get("TrangThai", "")
            mapped = mapping.map_status(status) if status else None
            if status and mapped is None:
                raise RowError(f"{where}.TrangThai: trạng thái “{status}” không rõ.")
            who = text.get("NguoiXuLy", "")
            title = ", ".join(filter(None, [text.get("ChucDanh", ""), text.get("PhongBanXuLy", "")]))
            rows.append(
                _History(
                    at=at,
                    to_state=mapped.state if mapped else "",
                    actor_name=(f"{who} ({title})" if who and title else who or title)[:255],
                    reason=nfc(text.get("NoiDungXuLy", "")),
                    data={"legacy_progress": {k: v for k, v in text.items() if k != "MaHoSo"}},
                )
            )
        rows.sort(key=lambda h: h.at)  # stable: rows of the same instant keep the file's order
        return rows

    def plan(self, record: LegacyRecord) -> _Plan:
        if record.problem:
            raise RowError(record.problem)
        f = record.fields
        code = f.get("MaHoSo", "")
        if not mapping.CODE_RE.match(code):
            raise RowError(
                f"Mã hồ sơ “{code}” không đúng dạng <mã đơn vị>-<YYMMDD>-<NNNN> (REGULATIONS §3.3)."
                if code
                else "Thiếu mã hồ sơ (MaHoSo)."
            )
        status_text = f.get("TrangThai", "")
        status = mapping.map_status(status_text)
        if status is None:
            raise RowError(
                f"Trạng thái “{status_text}” không rõ: "
                "dùng mã 1–10 của Cổng DVCQG hoặc tên trạng thái OpenCPS."
            )
        state = status.state
        procedure = self.procedure(f.get("MaTTHC", ""))
        if procedure is None:
            raise RowError(
                f"Không có thủ tục mã “{f.get('MaTTHC', '')}” (MaTTHC) trong danh mục thủ tục hành chính; "
                "hãy đồng bộ danh mục trước khi nhập."
            )
        cases = sorted(procedure.cases.all(), key=lambda c: (c.order, c.pk))
        case_code = f.get("MaTruongHop", "")
        case = (
            next((c for c in cases if c.code == case_code), None)
            if case_code
            else (cases[0] if cases else None)
        )
        if case is None:
            raise RowError(
                f"Thủ tục {procedure.code} không có trường hợp “{case_code}” (MaTruongHop)."
                if case_code
                else f"Thủ tục {procedure.code} chưa có trường hợp nào trong danh mục."
            )
        notes = []
        if not case_code and len(cases) > 1:
            notes.append(f"không có MaTruongHop: lấy trường hợp “{case.name[:80]}”")
        channel = mapping.map_channel(f.get("KenhThucHien", ""))
        if channel is None:
            raise RowError(
                f"KenhThucHien “{f.get('KenhThucHien')}” không hợp lệ "
                "(1 trực tiếp, 2 trực tuyến, 3 bưu chính)."
            )
        if case_duration(case, channel) is None:
            raise RowError(
                f"Trường hợp “{case.name[:80]}” của thủ tục {procedure.code} "
                "chưa có thời hạn giải quyết (R-24)."
            )
        original = self.unit(f.get("MaDonVi", ""))
        if original is None:
            raise RowError(
                f"Không có đơn vị mã “{f.get('MaDonVi', '')}” (MaDonVi) trong danh mục cơ quan, đơn vị."
            )
        deciding = self._deciding_unit(original, f.get("MaDonViXuLy", ""), procedure)
        applicant = self._applicant(f)
        submitted, received = self._date(f, "NgayNop"), self._date(f, "NgayTiepNhan")
        due, finished, returned = (
            self._date(f, "NgayHenTra"),
            self._date(f, "NgayKetThucXuLy"),
            self._date(f, "NgayTra"),
        )
        if submitted is None and received is None:
            raise RowError("Thiếu ngày nộp (NgayNop) và ngày tiếp nhận (NgayTiepNhan).")
        submitted = submitted or received
        if state in _NEEDS_RECEPTION and received is None:
            raise RowError(f"Trạng thái “{status_text}” cần ngày tiếp nhận (NgayTiepNhan).")
        if received is not None and received < submitted:
            raise RowError("Ngày tiếp nhận (NgayTiepNhan) trước ngày nộp (NgayNop).")
        start = received or submitted
        if due is not None and received is not None and due < received:
            raise RowError("Ngày hẹn trả (NgayHenTra) trước ngày tiếp nhận (NgayTiepNhan).")
        history = self._history(record)
        if state in _FINISHED:
            if finished is None:
                finished = (
                    returned
                    if state == State.RETURNED and returned
                    else (history[-1].at if history else start)
                )
                notes.append(f"không có NgayKetThucXuLy: lấy {timezone.localtime(finished):%d/%m/%Y %H:%M}")
            if finished < start:
                raise RowError("Ngày kết thúc xử lý (NgayKetThucXuLy) trước ngày nộp, tiếp nhận.")
        elif finished is not None:
            notes.append("hồ sơ chưa kết thúc: bỏ qua NgayKetThucXuLy")
            finished = None
        if state == State.RETURNED:
            if returned is None:
                returned = finished
                notes.append("không có NgayTra: lấy ngày kết thúc xử lý")
            if returned < finished:
                raise RowError("Ngày trả kết quả (NgayTra) trước ngày kết thúc xử lý (NgayKetThucXuLy).")
        else:
            returned = None
        if state == State.WITHDRAWAL_REQUESTED and received is None:
            raise RowError("Hồ sơ chờ duyệt rút phải có ngày tiếp nhận (NgayTiepNhan).")
        if state in (State.PAUSED,) and not status.pause_ground:
            notes.append("tạm dừng không rõ căn cứ ở phần mềm cũ")
        return _Plan(
            record=record,
            code=code,
            status_text=status_text,
            state=state,
            pause_ground=status.pause_ground,
            procedure=procedure,
            case=case,
            original_unit=original,
            deciding_unit=deciding,
            channel=channel,
            result_delivery=mapping.map_result_delivery(f.get("HinhThuc", ""), channel),
            applicant=applicant,
            summary=(nfc(f.get("TrichYeu", "")) or nfc(f.get("TenTTHC", "")) or procedure.name)[:1000],
            submitted_at=submitted,
            received_at=received,
            due_at=due,
            finished_at=finished,
            returned_at=returned,
            history=history,
            legacy_id=f.get("IdHoSo", "")[:64],
            other_code=f.get("MaHoSoKhac", "")[:64],
            notes=notes,
        )

    # --- writing ----------------------------------------------------------------------------------

    def _stored_applicant(self, typed: Applicant) -> Applicant:
        """The applicant record of that identity: created from the row on the person's first dossier
        (synthetic data in the samples), otherwise left as it is — the dossier keeps its own copy."""
        existing = Applicant.objects.filter(kind=typed.kind, identifier=typed.identifier).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                typed.save(force_insert=True)
        except IntegrityError:
            return Applicant.objects.get(kind=typed.kind, identifier=typed.identifier)
        return typed

    def _process_version(self, plan: _Plan) -> ProcessVersion | None:
        """The process in force when the old system received the dossier; when it predates every
        process approved in our catalogue, the one in force now (R-24: the steps it goes on with)."""
        at = plan.received_at or plan.submitted_at
        return active_process_version(plan.case, plan.channel, at) or active_process_version(
            plan.case, plan.channel, self.now
        )

    def _resume_state(self, plan: _Plan) -> str:
        if plan.state in (State.AWAITING_SUPPLEMENT, State.WITHDRAWAL_REQUESTED):
            return State.PROCESSING if plan.received_at else State.SUBMITTED
        if plan.state == State.PAUSED:
            return State.PROCESSING
        return ""

    def _entered(self, plan: _Plan, state: str) -> datetime.datetime:
        """When the dossier entered `state` by the old history, else the import (a wait whose start
        is unknown counts from when our system took the dossier over)."""
        return next((h.at for h in reversed(plan.history) if h.to_state == state), self.now)

    def _steps(self, plan: _Plan, dossier: Dossier, version: ProcessVersion | None) -> DossierStep | None:
        """Where the dossier stands in our process, so the engine can take it over: the reception
        step done at the time of reception (as `effects.start_clock` records it), and — when the
        dossier is being processed — the first processing step, opened now. Its budget runs from
        the import: the lateness the old system accrued is the dossier's (its due date), not the
        officer's who picks it up here (R-27)."""
        if version is None or plan.received_at is None or plan.state in FINAL_STATES:
            return None
        if plan.state == State.RESULT_READY:
            return None
        steps = sorted(version.steps.all(), key=lambda s: s.order)
        if steps and steps[0].role == Role.COUNTER_OFFICER:
            DossierStep.objects.create(
                dossier=dossier,
                process_step=steps[0],
                order=steps[0].order,
                name=steps[0].name,
                unit=plan.original_unit,
                role=steps[0].role,
                started_at=plan.received_at,
                ended_at=plan.received_at,
            )
        at_a_step = plan.state in (State.PROCESSING, State.PAUSED) or (
            plan.state in (State.AWAITING_SUPPLEMENT, State.WITHDRAWAL_REQUESTED) and plan.received_at
        )
        if not at_a_step:
            return None
        working = next((s for s in steps if s.role != Role.COUNTER_OFFICER), None)
        if working is None:
            plan.notes.append(
                "quy trình không có bước xử lý: chỉ kết thúc được bằng thao tác kết thúc hồ sơ tồn đọng"
            )
            return None
        try:
            planned = deadlines.step_end(self.now, working.budget_hours)
        except CalendarInputError:
            planned = None
        return DossierStep.objects.create(
            dossier=dossier,
            process_step=working,
            order=working.order,
            name=working.name,
            unit=working.unit or plan.deciding_unit,
            role=working.role,
            started_at=self.now,
            planned_end_at=planned,
        )

    def _raise_code_counter(self, code: str) -> None:
        """REGULATIONS §3.3 "never reuse a number": a kept code of one of our units for a day makes
        that day's counter continue after it (an import on the day of the switch-over)."""
        match = re.match(r"^(.+)-(\d{6}|\d{8})-(\d+)$", code)
        unit = self.unit(match.group(1)) if match else None
        if unit is None:
            return
        digits = match.group(2)
        try:
            day = datetime.datetime.strptime(digits, "%y%m%d" if len(digits) == 6 else "%Y%m%d").date()
        except ValueError:
            return
        number = int(match.group(3))
        counter, created = DossierCounter.objects.get_or_create(unit=unit, day=day, defaults={"last": number})
        if not created and counter.last < number:
            DossierCounter.objects.filter(pk=counter.pk, last__lt=number).update(last=number)

    def create(self, plan: _Plan) -> Dossier:
        applicant = self._stored_applicant(plan.applicant)
        typed = plan.applicant
        version = self._process_version(plan)
        duration = case_duration(plan.case, plan.channel)
        received_on = timezone.localdate(plan.received_at or plan.submitted_at)
        dossier = Dossier(
            code=plan.code,
            origin=Origin.LEGACY,
            national_id=plan.legacy_id,
            lookup_secret=codes.new_lookup_secret(),
            procedure=plan.procedure,
            case=plan.case,
            process_version=version,
            channel=plan.channel,
            applicant=applicant,
            applicant_name=typed.name,
            applicant_identifier=applicant.identifier,
            applicant_phone=typed.phone,
            applicant_email=typed.email,
            applicant_address=typed.address,
            summary=plan.summary,
            receiving_unit=plan.original_unit,
            deciding_unit=plan.deciding_unit,
            result_delivery=plan.result_delivery,
            state=plan.state,
            resume_state=self._resume_state(plan),
            pause_ground=plan.pause_ground,
            # The law in force on the day of receipt governs the dossier (REGULATIONS §0).
            legal_basis=LegalBasis.BEFORE_2025_07 if received_on < REFORM_DATE else LegalBasis.FROM_2025_07,
            time_limit=duration.value,
            time_limit_unit=duration.unit,
            submitted_at=plan.submitted_at,
            received_at=plan.received_at,
            clock_started_at=plan.received_at,
            # The appointment the old system gave stays the appointment (the stored first one is never
            # re-projected: deadlines.reproject_open_dossiers).
            due_at=plan.due_at,
            original_due_at=plan.due_at,
            finished_at=plan.finished_at,
            returned_at=plan.returned_at,
            supplement_requests=1 if plan.state == State.AWAITING_SUPPLEMENT else 0,
        )
        first = audit.chain_event(
            dossier,
            at=plan.submitted_at,
            actor=None,
            actor_name="",
            action="submit",
            from_state="",
            to_state=State.SUBMITTED,
            unit=plan.original_unit,
            data={
                "channel": plan.channel,
                "receiving_unit": plan.original_unit.code,
                "deciding_unit": plan.deciding_unit.code,
                "legacy": {"source": self.source, "batch": self.batch.pk, "line": plan.record.line},
            },
            documents=[],
        )
        dossier.save(force_insert=True)
        first.dossier = dossier
        first.save(force_insert=True)
        current = State.SUBMITTED
        for h in plan.history:
            dossier.version += 1
            to_state = h.to_state or current
            audit.append_event(
                dossier,
                at=h.at,
                actor=None,
                actor_name=h.actor_name,
                action="legacy_history",
                from_state=current,
                to_state=to_state,
                reason=h.reason,
                data=h.data,
                documents=[],
            )
            current = to_state
        # The take-over itself: who imported it, when, from which file — and the state it is in now.
        dossier.version += 1
        audit.append_event(
            dossier,
            at=self.now,
            actor=self.actor,
            actor_name=_display_name(self.actor),
            action="legacy_history",
            from_state=current,
            to_state=plan.state,
            unit=plan.deciding_unit,
            reason=f"Chuyển từ {self.source} (lô nhập số {self.batch.pk}, dòng {plan.record.line}); "
            f"trạng thái ở phần mềm cũ: {plan.status_text}.",
            data={
                "legacy_import": {
                    "batch": self.batch.pk,
                    "line": plan.record.line,
                    "status": plan.status_text,
                }
            },
            documents=[],
        )
        if plan.state == State.AWAITING_SUPPLEMENT:
            DossierPause.objects.create(
                dossier=dossier,
                kind=PauseKind.SUPPLEMENT,
                reason="Chờ bổ sung hồ sơ (chuyển từ phần mềm cũ)",
                started_at=self._entered(plan, State.AWAITING_SUPPLEMENT),
            )
        elif plan.state == State.PAUSED:
            DossierPause.objects.create(
                dossier=dossier,
                kind=PauseKind.PAUSE,
                reason=f"{plan.pause_ground or 'không rõ căn cứ'}: tạm dừng ở phần mềm cũ",
                started_at=self._entered(plan, State.PAUSED),
            )
        dossier.current_step = self._steps(plan, dossier, version)
        dossier.save(update_fields=["version", "last_event_hash", "current_step"])
        LegacyDossier.objects.create(
            dossier=dossier,
            batch=self.batch,
            line=plan.record.line,
            legacy_status=plan.status_text[:64],
            legacy_id=plan.legacy_id,
            other_code=plan.other_code,
            original_unit_code=plan.original_unit.code,
            raw=plan.record.raw,
        )
        self._raise_code_counter(plan.code)
        return dossier

    # --- one record -------------------------------------------------------------------------------

    def run(self, record: LegacyRecord) -> RowResult:
        code = record.fields.get("MaHoSo", "")
        found = (
            Dossier.objects.filter(code=code).values_list("origin", "legacy__batch_id").first()
            if code
            else None
        )
        if found is not None:
            origin, batch_id = found
            if origin != Origin.LEGACY:
                return RowResult(
                    record.line,
                    code,
                    RowStatus.FAILED,
                    "Mã hồ sơ trùng với một hồ sơ do hệ thống mới tiếp nhận.",
                )
            where = f" (lô nhập số {batch_id})" if batch_id else ""
            return RowResult(record.line, code, RowStatus.SKIPPED, f"Hồ sơ đã có trong hệ thống{where}.")
        try:
            plan = self.plan(record)
            legacy_id = plan.legacy_id
            if legacy_id:
                other = (
                    Dossier.objects.filter(origin=Origin.LEGACY, national_id=legacy_id)
                    .values_list("code", flat=True)
                    .first()
                )
                if other is not None:
                    raise RowError(f"IdHoSo “{legacy_id}” đã dùng cho hồ sơ {other}.")
            with transaction.atomic():
                self.create(plan)
        except RowError as exc:
            return RowResult(record.line, code, RowStatus.FAILED, exc.message)
        except IntegrityError:
            # A concurrent run inserted the same code (or old id) first.
            if Dossier.objects.filter(code=code).exists():
                return RowResult(record.line, code, RowStatus.SKIPPED, "Hồ sơ đã có trong hệ thống.")
            return RowResult(record.line, code, RowStatus.FAILED, "Dữ liệu trùng với một hồ sơ đã có.")
        note = "; ".join(plan.notes)
        return RowResult(record.line, code, RowStatus.CREATED, note[:1].upper() + note[1:])


# --- the import ---------------------------------------------------------------------------------


def _read_input(path_or_stream: str | os.PathLike | IO) -> tuple[bytes, str]:
    if isinstance(path_or_stream, (str, os.PathLike)):
        path = Path(path_or_stream)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            raise LegacyFileError(f"Không đọc được tệp {path}: {exc.strerror}.") from None
    content = path_or_stream.read()
    if isinstance(content, str):
        content = content.encode("utf-8")
    return content, Path(getattr(path_or_stream, "name", "") or "du-lieu").name


def format_of(file_name: str) -> str | None:
    suffix = Path(file_name).suffix.lower().lstrip(".")
    return suffix if suffix in LegacyFormat.values else None


def import_legacy(
    path_or_stream: str | os.PathLike | IO,
    *,
    fmt: str | None = None,
    source: str = DEFAULT_SOURCE,
    actor=None,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
) -> ImportReport:
    """Import an old system's export (R-09); see the module docstring and docs/legacy-import.md.

    Raises LegacyFileError (nothing imported) when the file as a whole cannot be read."""
    content, file_name = _read_input(path_or_stream)
    fmt = (fmt or format_of(file_name) or "").lower()
    if fmt not in LegacyFormat.values:
        raise LegacyFileError("Không xác định được định dạng tệp: dùng --format csv hoặc --format json.")
    source = (source or DEFAULT_SOURCE).strip()[:100]
    sha256 = hashlib.sha256(content).hexdigest()
    # The whole file is read before anything is written: a file broken at its end imports nothing.
    records = list(read_records(decode(content), fmt))
    now = now or timezone.now()
    report = ImportReport(
        file_name=file_name,
        sha256=sha256,
        fmt=fmt,
        source=source,
        dry_run=dry_run,
        earlier=list(
            LegacyImport.objects.filter(sha256=sha256).order_by("started_at").values_list("pk", "started_at")
        ),
    )
    if dry_run:
        # Everything a real run does, in one transaction rolled back at the end.
        with transaction.atomic():
            batch = _new_batch(report, actor, now)
            _run(records, report, _Importer(source=source, actor=actor, batch=batch, now=now))
            transaction.set_rollback(True)
        return report
    batch = _new_batch(report, actor, now)
    report.batch_id = batch.pk
    try:
        _run(records, report, _Importer(source=source, actor=actor, batch=batch, now=now))
    finally:
        batch.finished_at = timezone.now()
        batch.created, batch.skipped, batch.failed = report.created, report.skipped, report.failed
        batch.report = {"rows": [r.as_dict() for r in report.problems(skipped_limit=SKIPPED_KEPT)]}
        batch.save(update_fields=["finished_at", "created", "skipped", "failed", "report"])
    return report


def _new_batch(report: ImportReport, actor, now: datetime.datetime) -> LegacyImport:
    return LegacyImport.objects.create(
        file_name=report.file_name[:255],
        sha256=report.sha256,
        source=report.source,
        format=report.fmt,
        started_at=now,
        by=_actor(actor),
    )


def _run(records: Iterable[LegacyRecord], report: ImportReport, importer: _Importer) -> None:
    seen: dict[str, int] = {}
    for record in records:
        code = record.fields.get("MaHoSo", "")
        if code and code in seen:
            report.rows.append(
                RowResult(
                    record.line, code, RowStatus.FAILED, f"Trùng mã hồ sơ với dòng {seen[code]} của tệp."
                )
            )
            continue
        if code:
            seen[code] = record.line
        report.rows.append(importer.run(record))


# --- closing out what the old system left open (R-25) ------------------------------------------

# The outcome recorded with the engine's action of the same meaning, so the event log, the
# process-control sheet and the national portal's progress row read as they always do.
CLOSE_OUT: dict[str, tuple[str, str]] = {
    CloseOutOutcome.RETURNED: (Action.RETURN_RESULT, State.RETURNED),
    CloseOutOutcome.STOPPED: (Action.STOP, State.STOPPED),
    CloseOutOutcome.WITHDRAWN: (Action.APPROVE_WITHDRAWAL, State.WITHDRAWN),
    CloseOutOutcome.REJECTED: (Action.REJECT, State.REJECTED),
}
# Who may close out: the deciding unit's head (as for a stop, R-14), and the provincial office and
# administrators, who follow up letter 522 province-wide (their roles reach every unit below them).
CLOSE_OUT_ROLES = frozenset({Role.UNIT_LEADER, Role.PROVINCIAL_OFFICE, Role.ADMINISTRATOR})
CLOSE_OUT_REASON_MIN = 10


def may_close_out(actor, unit: Unit) -> bool:
    actor = _actor(actor)
    return actor is not None and (actor.is_superuser or bool(roles_in_unit(actor, unit) & CLOSE_OUT_ROLES))


def close_out_legacy(
    dossier: Dossier | str,
    *,
    actor,
    outcome: str,
    reason: str,
    version: int | None = None,
    finished_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Dossier:
    """End a dossier the old software left open (R-25), recording how it really ended — and when,
    if the officer knows it (`finished_at`, e.g. the day the result was handed over according to
    the paper register); otherwise now. The dates reach the national portal and the index (766:
    on time or late is judged on them), so a result handed over long ago is not made late by the
    day its record is cleaned up.

    The engine's own actions need what a legacy dossier often lacks (a step in our process, the
    documents of a result or a stop…); what happened happened in the old system or on paper, so the
    head records it here with a reason: one event (the action of the same meaning, `data.legacy_
    close_out`), the dossier finished, its open step and pauses closed, and an outbox message, since
    the national portal must learn that the dossier is over (R-22)."""
    code = dossier if isinstance(dossier, str) else dossier.code
    if outcome not in CLOSE_OUT:
        raise InvalidInput("Cách kết thúc hồ sơ không hợp lệ.", field="outcome")
    reason = nfc(reason or "")
    with transaction.atomic():
        d = (
            visible_dossiers(actor)
            .select_for_update(of=("self",))
            .select_related("procedure", "deciding_unit", "current_step", "legacy")
            .filter(code=code, origin=Origin.LEGACY)
            .first()
        )
        if d is None:
            raise NotFound("Không tìm thấy hồ sơ chuyển từ phần mềm cũ.", code="dossier_not_found")
        if version is not None and d.version != version:
            raise StaleVersion(d.version)
        if not may_close_out(actor, d.deciding_unit):
            raise PermissionDenied(
                f"Chỉ lãnh đạo {d.deciding_unit.name}, Văn phòng UBND tỉnh hoặc quản trị hệ thống "
                "được kết thúc hồ sơ tồn đọng từ phần mềm cũ.",
                rule="R-25",
            )
        if d.state in FINAL_STATES:
            raise RuleViolation("R-25", f"Hồ sơ đã kết thúc ({d.get_state_display().lower()}).")
        if len(reason) < CLOSE_OUT_REASON_MIN:
            raise RuleViolation(
                "R-25",
                "Phải ghi rõ lý do, căn cứ kết thúc hồ sơ (kết quả đã trả, văn bản dừng…).",
                field="reason",
            )
        if outcome == CloseOutOutcome.REJECTED and d.received_at is not None:
            raise RuleViolation(
                "R-25", "Hồ sơ đã được tiếp nhận: không thể ghi là không được tiếp nhận.", field="outcome"
            )
        now = now or timezone.now()
        action, target = CLOSE_OUT[outcome]
        when = _close_out_time(d, finished_at, target, now)
        from_state = d.state
        step = d.current_step
        if step is not None and step.ended_at is None:
            step.ended_at, step.ended_by = now, _actor(actor)
            step.save(update_fields=["ended_at", "ended_by"])
        d.current_step = None
        DossierPause.objects.filter(dossier=d, ended_at__isnull=True).update(ended_at=now)
        d.finished_at = d.finished_at or when
        if target == State.RETURNED:
            d.returned_at = when
        d.state, d.resume_state, d.pause_ground = target, "", ""
        d.version += 1
        event = audit.append_event(
            d,
            at=now,
            actor=_actor(actor),
            actor_name=_display_name(actor),
            action=action,
            from_state=from_state,
            to_state=target,
            unit=d.deciding_unit,
            reason=f"Kết thúc hồ sơ tồn đọng từ phần mềm cũ — {CloseOutOutcome(outcome).label}"
            + (f" lúc {timezone.localtime(when):%H:%M %d/%m/%Y}" if finished_at else "")
            + f": {reason}",
            data={
                "legacy_close_out": outcome,
                **({"finished_at": timezone.localtime(when).isoformat()} if finished_at else {}),
            },
            documents=[],
        )
        d.save()
        LegacyDossier.objects.filter(dossier=d).update(
            closed_out_at=now, closed_out_by=_actor(actor), close_out_outcome=outcome
        )
        outbox.enqueue_status_change(d, event)
    return d


def _close_out_time(
    d: Dossier, finished_at: datetime.datetime | None, target: str, now: datetime.datetime
) -> datetime.datetime:
    """When the dossier really ended: given, it lies between its entry and now (and a result is
    handed over after it existed)."""
    if finished_at is None:
        return now
    if finished_at > now:
        raise RuleViolation("R-25", "Thời điểm kết thúc không thể ở tương lai.", field="finished_at")
    start = d.received_at or d.submitted_at
    if finished_at < start:
        raise RuleViolation(
            "R-25", "Thời điểm kết thúc trước ngày nộp, tiếp nhận hồ sơ.", field="finished_at"
        )
    if target == State.RETURNED and d.finished_at is not None and finished_at < d.finished_at:
        raise RuleViolation(
            "R-25", "Thời điểm trả kết quả trước ngày có kết quả (NgayKetThucXuLy).", field="finished_at"
        )
    return finished_at
