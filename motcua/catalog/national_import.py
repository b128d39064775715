"""Import of the national TTHC catalogue: apply a read payload to the catalogue tables.

R-07, R-09: the province's catalogue follows the national one; an import is idempotent and only
touches rows that differ, so re-running it after each national publication is safe.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from motcua.catalog.models import (
    Field,
    Procedure,
    ProcedureCase,
)
from motcua.catalog.national_payload import CasePlan, payload_label, read_payload
from motcua.core.errors import DomainError
from motcua.core.text import fold


@dataclass
class ImportOutcome:
    procedure: Procedure
    created: bool
    changed: bool
    warnings: list[str]


@dataclass
class ImportReport:
    created: int
    updated: int
    unchanged: int
    warnings: list[str]
    errors: list[str]


def _sync_rows(
    manager, desired: list[dict[str, Any]], key: Callable[[Callable[[str], Any]], Hashable]
) -> bool:
    """Make a related set equal `desired`, touching only what differs; True if anything changed.

    Rows are matched by `key` (a function of a field getter) and updated in place, so unchanged
    rows keep their ids (dossiers and reports may point at them) and an unchanged payload writes
    nothing at all.
    """
    pool: dict[Hashable, list] = {}
    for row in manager.all():
        pool.setdefault(key(lambda name, row=row: getattr(row, name)), []).append(row)
    changed = False
    for values in desired:
        bucket = pool.get(key(values.get))
        if not bucket:
            manager.create(**values)
            changed = True
            continue
        row = bucket.pop(0)
        diff = [name for name, value in values.items() if getattr(row, name) != value]
        if diff:
            for name in diff:
                setattr(row, name, values[name])
            row.save(update_fields=diff)
            changed = True
    stale = [row.pk for bucket in pool.values() for row in bucket]
    if stale:
        manager.filter(pk__in=stale).delete()
        changed = True
    return changed


def _next_case_code(used: set[str]) -> str:
    number = 1
    while f"TH{number}" in used:
        number += 1
    used.add(f"TH{number}")
    return f"TH{number}"


def _sync_cases(procedure: Procedure, plans: list[CasePlan], warnings: list[str]) -> bool:
    existing: dict[str, ProcedureCase] = {}
    for case in procedure.cases.all():
        existing.setdefault(fold(case.name), case)
    used_codes = {case.code for case in procedure.cases.all()}
    changed = False
    for order, plan in enumerate(plans, start=1):
        case = existing.pop(fold(plan.name), None)
        if case is None:
            case = ProcedureCase.objects.create(
                procedure=procedure, code=_next_case_code(used_codes), name=plan.name, order=order
            )
            changed = True
        elif case.name != plan.name or case.order != order:
            case.name, case.order = plan.name, order
            case.save(update_fields=["name", "order"])
            changed = True
        durations = [{"channel": channel, **values} for channel, values in plan.durations.items()]
        changed |= _sync_rows(case.durations, durations, lambda get: get("channel"))
        changed |= _sync_rows(case.fees, plan.fees, lambda get: (get("channel"), get("kind"), get("code")))
        changed |= _sync_rows(case.documents, plan.documents, lambda get: (get("code"), fold(get("name"))))
    for case in existing.values():
        if case.process_versions.exists():
            # a process was approved for this case and dossiers may follow it; history is kept.
            warnings.append(
                f"Trường hợp “{case.name}” không còn trong gói tin quốc gia nhưng đã có quy trình nội bộ; "
                "được giữ lại, cần rà soát."
            )
        else:
            case.delete()
            changed = True
    return changed


def import_procedure(payload: dict) -> ImportOutcome:
    """Create or update one procedure from a national `LayThuTuc` payload (upsert by MaTTHC).

    Idempotent: importing the same payload again changes nothing. Locally decided flags
    (internal, on-the-spot, online level, result document) change only through the `MOTCUA`
    block. Reception points and processes are local configuration and are never touched.
    """
    plan = read_payload(payload)
    warnings = plan.warnings
    with transaction.atomic():
        field_row, _ = Field.objects.get_or_create(code=plan.field_code, defaults={"name": plan.field_name})
        procedure = Procedure.objects.select_for_update().filter(code=plan.code).first()
        created = procedure is None
        if procedure is None:
            procedure = Procedure(code=plan.code)
        changed = created or procedure.field_id != field_row.pk
        procedure.field = field_row
        for attr, value in plan.attrs.items():
            if getattr(procedure, attr) != value:
                setattr(procedure, attr, value)
                changed = True
        if changed:
            procedure.save()
        changed |= _sync_rows(
            procedure.levels, [{"level": level} for level in plan.levels], lambda get: get("level")
        )
        changed |= _sync_rows(
            procedure.unit_links,
            [{"unit_id": unit_id, "role": role} for unit_id, role in plan.units],
            lambda get: (get("unit_id"), get("role")),
        )
        changed |= _sync_cases(procedure, plan.cases, warnings)
        changed |= _sync_rows(procedure.results, plan.results, lambda get: (get("code"), fold(get("name"))))
        changed |= _sync_rows(
            procedure.legal_bases, plan.legal_bases, lambda get: (fold(get("number")), fold(get("title")))
        )
    return ImportOutcome(procedure=procedure, created=created, changed=changed, warnings=warnings)


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
        except (DatabaseError, ValidationError) as exc:
            # Each procedure is its own transaction: the failed one is rolled back, the rest stand.
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
