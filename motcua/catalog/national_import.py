"""Import of the national TTHC catalogue: apply a read payload to the catalogue tables.

R-07, R-09: the province's catalogue follows the national one; an import is idempotent and only
touches rows that differ, so re-running it after each national publication is safe.

The same walk computes the list of changes an import makes (`FieldChange`, in Vietnamese, current
value beside the national one) and either applies them or only reports them (`apply=False`): the
catalogue sync (`national_sync`) shows exactly what the import would write, because it is the
import that says so.
"""

import json
from collections.abc import Callable, Hashable, Iterable
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.text import capfirst

from motcua.calendar.units import DurationUnit
from motcua.catalog.models import (
    AgencyRole,
    Channel,
    FeeKind,
    Field,
    Procedure,
    ProcedureCase,
    ProcedureLevel,
)
from motcua.catalog.national_payload import CasePlan, payload_label, read_payload
from motcua.core.errors import DomainError
from motcua.core.text import fold, vietnamese_number
from motcua.org.models import Unit

# Lines of the raw payload shown per differing key: long enough to see the change, short enough
# to keep a review readable.
RAW_LINE_LIMIT = 400


@dataclass(frozen=True)
class FieldChange:
    """One difference between the catalogue and a national payload, as a reviewer reads it.

    `current` and `national` are lines of text (empty: nothing there); `key` is stable across runs
    so a stored review can be compared with a fresh one (stale-review check).
    """

    key: str
    label: str
    current: tuple[str, ...]
    national: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["current"], data["national"] = list(self.current), list(self.national)
        return data


@dataclass
class ImportOutcome:
    procedure: Procedure
    created: bool
    changed: bool
    warnings: list[str]
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int
    updated: int
    unchanged: int
    warnings: list[str]
    errors: list[str]


# --- how values read -------------------------------------------------------------------------


# Counter, online, postal: the order the national catalogue and the public pages list them.
_CHANNEL_ORDER = {channel: n for n, channel in enumerate(Channel.values)}


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _duration_line(get: Callable[[str], Any]) -> str:
    value = get("value")
    text = f"{Channel(get('channel')).label}: {vietnamese_number(Decimal(value))} "
    text += DurationUnit(get("unit")).label.lower()
    if get("description"):
        text += f" ({get('description')})"
    return text


def _fee_line(get: Callable[[str], Any]) -> str:
    channel = Channel(get("channel")).label if get("channel") else "Mọi cách thức"
    text = f"{channel}: {FeeKind(get('kind')).label} {_money(get('amount'))}"
    if get("code"):
        text += f" [{get('code')}]"
    if get("description"):
        text += f" — {get('description')}"
    return text


def _document_line(get: Callable[[str], Any]) -> str:
    text = f"{get('order')}. "
    if get("code"):
        text += f"[{get('code')}] "
    text += f"{get('name')} — {get('originals')} bản chính, {get('copies')} bản sao"
    if get("form_name"):
        text += f"; mẫu: {get('form_name')}"
    if get("form_url"):
        text += f" ({get('form_url')})"
    return text


def _result_line(get: Callable[[str], Any]) -> str:
    return f"[{get('code')}] {get('name')}" if get("code") else get("name")


def _legal_basis_line(get: Callable[[str], Any]) -> str:
    text = " — ".join(part for part in (get("number"), get("title")) if part)
    details = [
        part
        for part in (
            get("issuer"),
            f"ban hành {_date(get('issued_on'))}" if get("issued_on") else "",
            f"hiệu lực {_date(get('effective_on'))}" if get("effective_on") else "",
        )
        if part
    ]
    if details:
        text += f" ({', '.join(details)})"
    if get("url"):
        text += f" {get('url')}"
    return text


class _UnitNames:
    """Unit names for the lines of a unit-link change, read only when such a change is shown."""

    def __init__(self, unit_ids: Iterable[int]):
        self.wanted = set(unit_ids)
        self.units: dict[int, Unit] = {}

    def line(self, get: Callable[[str], Any]) -> str:
        unit_id = get("unit_id")
        if unit_id not in self.units:
            self.units.update(Unit.objects.in_bulk(self.wanted | {unit_id}))
        unit = self.units.get(unit_id)
        name = f"{unit.name} ({unit.code})" if unit else f"đơn vị #{unit_id}"
        return f"{AgencyRole(get('role')).label}: {name}"


def _attr_text(attr: str, value: Any) -> list[str]:
    model_field = Procedure._meta.get_field(attr)
    if isinstance(value, bool):
        return ["Có" if value else "Không"]
    if model_field.choices and value:
        return [str(dict(model_field.choices).get(value, value))]
    text = "" if value is None else str(value)
    return text.splitlines() if text else []


def _raw_lines(payload: Any, keys: list[str]) -> list[str]:
    upper = {str(k).upper(): v for k, v in (payload or {}).items()}
    lines = []
    for key in keys:
        if key in upper:
            text = json.dumps(upper[key], ensure_ascii=False, sort_keys=True, default=str)
            lines.append(f"{key}: {text[:RAW_LINE_LIMIT]}{'…' if len(text) > RAW_LINE_LIMIT else ''}")
    return lines


def _raw_difference(current: Any, national: dict) -> list[str]:
    """Top-level keys of the national payload whose stored copy differs (keys compared upper-cased,
    as the national catalogue spells them both ways)."""
    old = {str(k).upper(): v for k, v in (current or {}).items()}
    new = {str(k).upper(): v for k, v in national.items()}
    return sorted(k for k in old.keys() | new.keys() if old.get(k, ...) != new.get(k, ...))


# --- the walk --------------------------------------------------------------------------------


class _Walk:
    """Compares a plan with the catalogue, recording each change and writing it when `apply`."""

    def __init__(self, apply: bool):
        self.apply = apply
        self.changes: list[FieldChange] = []

    def record(self, key: str, label: str, current: Iterable[str], national: Iterable[str]) -> None:
        self.changes.append(FieldChange(key, label, tuple(current), tuple(national)))

    def sync_rows(
        self,
        manager,
        desired: list[dict[str, Any]],
        key: Callable[[Callable[[str], Any]], Hashable],
        *,
        change_key: str,
        label: str,
        line: Callable[[Callable[[str], Any]], str],
        ordered: bool = False,
        sort_key: Callable[[Callable[[str], Any]], Any] | None = None,
    ) -> bool:
        """Make a related set equal `desired`, touching only what differs; True if anything differs.

        Rows are matched by `key` (a function of a field getter) and updated in place, so unchanged
        rows keep their ids (dossiers and reports may point at them) and an unchanged payload writes
        nothing at all. `manager` is None for the rows of a parent not yet created (a dry run of a
        new procedure or case): everything is to be added. A difference is recorded as the whole
        set before and after, one `line` per row (sorted unless the set has an order of its own).
        """
        rows = list(manager.all()) if manager is not None else []
        # What the rows hold before this sync touches them, for the "current" side of the change.
        before_rows = [
            {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields} for row in rows
        ]
        pool: dict[Hashable, list] = {}
        for row in rows:
            pool.setdefault(key(lambda name, row=row: getattr(row, name)), []).append(row)
        changed = False
        for values in desired:
            bucket = pool.get(key(values.get))
            if not bucket:
                if self.apply:
                    manager.create(**values)
                changed = True
                continue
            row = bucket.pop(0)
            diff = [name for name, value in values.items() if getattr(row, name) != value]
            if diff:
                if self.apply:
                    for name in diff:
                        setattr(row, name, values[name])
                    row.save(update_fields=diff)
                changed = True
        stale = [row.pk for bucket in pool.values() for row in bucket]
        if stale:
            if self.apply:
                manager.filter(pk__in=stale).delete()
            changed = True
        if changed:
            before, after = before_rows, desired
            if not ordered:
                order = sort_key or line
                before = sorted(before, key=lambda values: order(values.get))
                after = sorted(after, key=lambda values: order(values.get))
            self.record(
                change_key,
                label,
                [line(values.get) for values in before],
                [line(values.get) for values in after],
            )
        return changed


def _next_case_code(used: set[str]) -> str:
    number = 1
    while f"TH{number}" in used:
        number += 1
    used.add(f"TH{number}")
    return f"TH{number}"


# The walk of the import in progress. `_sync_cases` keeps its (procedure, plans, warnings) signature,
# which tests replace to make one procedure fail, so the walk reaches it this way.
_current_walk: ContextVar[_Walk] = ContextVar("catalog_import_walk")


def _sync_cases(procedure: Procedure | None, plans: list[CasePlan], warnings: list[str]) -> bool:
    walk = _current_walk.get()
    cases = list(procedure.cases.all()) if procedure is not None else []
    existing: dict[str, ProcedureCase] = {}
    for case in cases:
        existing.setdefault(fold(case.name), case)
    used_codes = {case.code for case in cases}
    changed = False
    for order, plan in enumerate(plans, start=1):
        case_key = f"case:{fold(plan.name)}"
        case = existing.pop(fold(plan.name), None)
        if case is None:
            walk.record(case_key, "Trường hợp", [], [f"{order}. {plan.name}"])
            if walk.apply:
                case = ProcedureCase.objects.create(
                    procedure=procedure, code=_next_case_code(used_codes), name=plan.name, order=order
                )
            changed = True
        elif case.name != plan.name or case.order != order:
            walk.record(case_key, "Trường hợp", [f"{case.order}. {case.name}"], [f"{order}. {plan.name}"])
            if walk.apply:
                case.name, case.order = plan.name, order
                case.save(update_fields=["name", "order"])
            changed = True
        durations = [{"channel": channel, **values} for channel, values in plan.durations.items()]
        changed |= walk.sync_rows(
            case.durations if case is not None else None,
            durations,
            lambda get: get("channel"),
            change_key=f"{case_key}:durations",
            label=f"Thời hạn giải quyết — {plan.name}",
            line=_duration_line,
            sort_key=lambda get: _CHANNEL_ORDER.get(get("channel"), 9),
        )
        changed |= walk.sync_rows(
            case.fees if case is not None else None,
            plan.fees,
            lambda get: (get("channel"), get("kind"), get("code")),
            change_key=f"{case_key}:fees",
            label=f"Phí, lệ phí — {plan.name}",
            line=_fee_line,
            sort_key=lambda get: (_CHANNEL_ORDER.get(get("channel"), 9), _fee_line(get)),
        )
        changed |= walk.sync_rows(
            case.documents if case is not None else None,
            plan.documents,
            lambda get: (get("code"), fold(get("name"))),
            change_key=f"{case_key}:documents",
            label=f"Thành phần hồ sơ — {plan.name}",
            line=_document_line,
            ordered=True,
        )
    for case in existing.values():
        if case.process_versions.exists():
            # a process was approved for this case and dossiers may follow it; history is kept.
            warnings.append(
                f"Trường hợp “{case.name}” không còn trong gói tin quốc gia nhưng đã có quy trình nội bộ; "
                "được giữ lại, cần rà soát."
            )
        else:
            walk.record(f"case:{fold(case.name)}", "Trường hợp", [f"{case.order}. {case.name}"], [])
            if walk.apply:
                case.delete()
            changed = True
    return changed


def import_procedure(payload: dict, *, apply: bool = True) -> ImportOutcome:
    """Create or update one procedure from a national `LayThuTuc` payload (upsert by MaTTHC).

    Idempotent: importing the same payload again changes nothing. Locally decided flags
    (internal, on-the-spot, online level, result document) change only through the `MOTCUA`
    block. Reception points and processes are local configuration and are never touched.

    With `apply=False` nothing is written (not even the field): the outcome lists the changes
    the import would make, for a person to review first (R-09).
    """
    plan = read_payload(payload)
    warnings = plan.warnings
    walk = _Walk(apply)
    with transaction.atomic():
        if apply:
            field_row, _ = Field.objects.get_or_create(
                code=plan.field_code, defaults={"name": plan.field_name}
            )
            procedure = Procedure.objects.select_for_update().filter(code=plan.code).first()
        else:
            field_row = Field.objects.filter(code=plan.field_code).first()
            procedure = Procedure.objects.select_related("field").filter(code=plan.code).first()
        created = procedure is None
        if procedure is None:
            procedure = Procedure(code=plan.code)
        current_field = procedure.field if procedure.field_id else None
        changed = created or current_field is None or current_field.code != plan.field_code
        if current_field is None or current_field.code != plan.field_code:
            # An existing field keeps its name (the import never renames a field other procedures share).
            national_name = field_row.name if field_row is not None else plan.field_name
            walk.record(
                "field",
                "Lĩnh vực",
                [f"{current_field.code} — {current_field.name}"] if current_field else [],
                [f"{plan.field_code} — {national_name}"],
            )
        if field_row is not None:
            procedure.field = field_row
        for attr, value in plan.attrs.items():
            old = getattr(procedure, attr)
            if old != value:
                if attr == "national_payload":
                    keys = _raw_difference(old, value)
                    walk.record(
                        "national_payload",
                        "Gói tin gốc — các mục khác nhau: " + ", ".join(keys),
                        _raw_lines(old, keys),
                        _raw_lines(value, keys),
                    )
                else:
                    label = capfirst(str(Procedure._meta.get_field(attr).verbose_name))
                    walk.record(attr, label, _attr_text(attr, old), _attr_text(attr, value))
                setattr(procedure, attr, value)
                changed = True
        if changed and apply:
            procedure.save()
        existing = procedure if procedure.pk is not None else None
        changed |= walk.sync_rows(
            existing.levels if existing else None,
            [{"level": level} for level in plan.levels],
            lambda get: get("level"),
            change_key="levels",
            label="Cấp thực hiện",
            line=lambda get: ProcedureLevel(get("level")).label,
            sort_key=lambda get: ProcedureLevel.values.index(get("level")),
        )
        unit_links = [{"unit_id": unit_id, "role": role} for unit_id, role in plan.units]
        unit_manager = existing.unit_links if existing else None
        names = _UnitNames(unit_id for unit_id, _ in plan.units)
        changed |= walk.sync_rows(
            unit_manager,
            unit_links,
            lambda get: (get("unit_id"), get("role")),
            change_key="units",
            label="Đơn vị thực hiện",
            line=names.line,
        )
        token = _current_walk.set(walk)
        try:
            changed |= _sync_cases(existing, plan.cases, warnings)
        finally:
            _current_walk.reset(token)
        changed |= walk.sync_rows(
            existing.results if existing else None,
            plan.results,
            lambda get: (get("code"), fold(get("name"))),
            change_key="results",
            label="Giấy tờ kết quả",
            line=_result_line,
        )
        changed |= walk.sync_rows(
            existing.legal_bases if existing else None,
            plan.legal_bases,
            lambda get: (fold(get("number")), fold(get("title"))),
            change_key="legal_bases",
            label="Căn cứ pháp lý",
            line=_legal_basis_line,
        )
    return ImportOutcome(
        procedure=procedure, created=created, changed=changed, warnings=warnings, changes=walk.changes
    )


def import_catalog(payloads: Iterable[dict]) -> ImportReport:
    """Import many payloads; one bad procedure is reported and the others go on (R-09)."""
    report = ImportReport(created=0, updated=0, unchanged=0, warnings=[], errors=[])
    for index, payload in enumerate(payloads, start=1):
        label = payload_label(payload, index)
        try:
            outcome = import_procedure(payload)
        except DomainError as exc:
            report.errors.append(f"{label}: {exc.message}")
            continue
        except (DatabaseError, ValidationError, OverflowError) as exc:
            # Each procedure is its own transaction: the failed one is rolled back, the rest stand.
            # (OverflowError: SQLite's driver refuses an integer beyond 64 bits itself.)
            report.errors.append(f"{label}: lỗi khi ghi dữ liệu ({exc}).")
            continue
        if outcome.created:
            report.created += 1
        elif outcome.changed:
            report.updated += 1
        else:
            report.unchanged += 1
        report.warnings.extend(f"{label}: {warning}" for warning in outcome.warnings)
    return report
