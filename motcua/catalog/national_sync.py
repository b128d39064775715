"""Catalogue sync with the national TTHC database (R-07, R-09): review the differences, then apply.

Reading (`fetch_from_portal`, `review_payloads`) changes nothing in the catalogue: each payload goes
through the import in its dry-run mode (`import_procedure(..., apply=False)`), so the review shows
exactly what an import would write, field by field, our value beside the national one. The run
keeps the payloads as read; `apply_run` imports the ones an administrator chose, each procedure in
its own transaction, after checking that the catalogue has not moved since the review (a stale
review is refused: it would apply changes nobody saw).

Procedures the national catalogue no longer lists are reported, never deleted: dossiers, reports
and processes hang on them, and a withdrawal is decided by the province (R-07).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from motcua.catalog.models import CatalogSyncRun, Procedure
from motcua.catalog.national_import import import_procedure
from motcua.catalog.national_payload import payload_label
from motcua.core.errors import DomainError, InvalidInput, RuleViolation
from motcua.integrations import registry
from motcua.integrations.dvcqg.base import PortalUnavailable
from motcua.org.models import Unit


class Kind:
    """What a procedure's entry in a review says."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REMOVED = "removed"  # ours, came from the national catalogue, no longer listed there
    INVALID = "invalid"  # the payload cannot be read (refused whole by read_payload)
    NOT_FOUND = "not_found"  # asked for by code, neither on the portal nor in our catalogue


KIND_LABELS = {
    Kind.NEW: "Thủ tục mới",
    Kind.CHANGED: "Có thay đổi",
    Kind.UNCHANGED: "Không thay đổi",
    Kind.REMOVED: "Không còn trên Cổng DVCQG",
    Kind.INVALID: "Gói tin không đọc được",
    Kind.NOT_FOUND: "Không có trên Cổng DVCQG",
}
APPLICABLE = (Kind.NEW, Kind.CHANGED)
LEFT_OUT_SHOWN = 20  # codes named in a run's note about listed procedures not read
_ORDER = {kind: n for n, kind in enumerate(KIND_LABELS)}


class PortalNotConfigured(DomainError):
    status_code = 503
    code = "portal_not_configured"


class CatalogPortalUnavailable(DomainError):
    status_code = 503
    code = "portal_unavailable"


@dataclass
class ApplyReport:
    applied: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # already applied by an earlier, interrupted apply


# --- comparing -------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    """The form a value has once stored in a JSONField (tuples become lists, dates strings)."""
    return json.loads(json.dumps(value, default=str))


def compare(payload: dict, label: str = "") -> dict[str, Any]:
    """One procedure's entry of a review: what importing `payload` would change. Writes nothing.
    `label` names a payload that cannot be read (its place in a file)."""
    code = label or payload_label(payload, 0)
    try:
        outcome = import_procedure(payload, apply=False)
    except DomainError as exc:
        return {
            "code": code,
            "name": "",
            "kind": Kind.INVALID,
            "changes": [],
            "warnings": [],
            "error": exc.message,
        }
    if outcome.created:
        kind = Kind.NEW
    elif outcome.changed:
        kind = Kind.CHANGED
    else:
        kind = Kind.UNCHANGED
    return _json(
        {
            "code": outcome.procedure.code,
            "name": outcome.procedure.name,
            "kind": kind,
            "changes": [change.as_dict() for change in outcome.changes],
            "warnings": outcome.warnings,
            "error": "",
        }
    )


def _removed_entry(procedure: Procedure) -> dict[str, Any]:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "kind": Kind.REMOVED,
        "changes": [],
        "warnings": [],
        "error": "Thủ tục không còn trong danh mục của Cổng DVCQG; không tự động xoá, cần rà soát "
        "(ngừng công khai hoặc bãi bỏ theo quyết định công bố của tỉnh).",
    }


def _sorted(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entries, key=lambda e: (_ORDER.get(e["kind"], 99), e["code"]))


def review_payloads(
    payloads: Iterable[Any],
    *,
    source: str,
    source_name: str = "",
    actor=None,
    listed_codes: set[str] | None = None,
    notes: Iterable[str] = (),
    extra_entries: Iterable[dict[str, Any]] = (),
) -> CatalogSyncRun:
    """Compare each payload with the catalogue and store the review as a pending run.

    `listed_codes`: every code the national catalogue lists, when the whole list was read; our
    procedures that came from it (they keep a national payload) and are not listed are reported
    as removed. None when only some procedures were read (a code list, a file): nothing is
    inferred about the others.
    """
    kept: dict[str, dict] = {}
    entries: dict[str, dict[str, Any]] = {}
    notes = list(notes)
    for index, payload in enumerate(payloads, start=1):
        label = payload_label(payload, index)
        entry = (
            compare(payload, label)
            if isinstance(payload, dict)
            else {
                "code": label,
                "name": "",
                "kind": Kind.INVALID,
                "changes": [],
                "warnings": [],
                "error": "Gói tin thủ tục phải là một đối tượng JSON.",
            }
        )
        if entry["code"] in entries:
            notes.append(f"Thủ tục {entry['code']} có nhiều gói tin; dùng gói tin đầu tiên.")
            continue
        entries[entry["code"]] = entry
        if entry["kind"] in APPLICABLE:
            # Only what an apply may import is kept: a province's unchanged catalogue would make
            # every run megabytes long for nothing.
            kept[entry["code"]] = payload
    for entry in extra_entries:
        entries.setdefault(entry["code"], entry)
    if listed_codes is not None:
        ours = Procedure.objects.filter(national_payload__isnull=False).exclude(code__in=listed_codes)
        for procedure in ours.only("code", "name").order_by("code"):
            entries.setdefault(procedure.code, _removed_entry(procedure))
    return CatalogSyncRun.objects.create(
        fetched_by=actor if getattr(actor, "pk", None) else None,
        source=source,
        source_name=source_name[:500],
        payloads=_json(kept),
        differences=_sorted(entries.values()),
        notes=notes,
    )


# --- reading the national catalogue ----------------------------------------------------------


def payload_code(entry: dict) -> str:
    for key, value in entry.items():
        if str(key).upper() == "MATTHC" and value not in (None, ""):
            return str(value).strip()
    return ""


def _agency_codes(entry: dict) -> set[str]:
    """Agency codes a list entry names: the publishing agency and, when the summary carries them,
    the implementing ones."""
    codes: set[str] = set()
    for key, value in entry.items():
        key = str(key).upper()
        if key == "MACOQUANCONGBO" and value:
            codes.add(str(value).strip())
        elif key.startswith("COQUAN") and isinstance(value, list):
            codes.update(
                str(item.get("MADONVI") or item.get("MaDonVi") or "").strip()
                for item in value
                if isinstance(item, dict)
            )
    codes.discard("")
    return codes


def _province_scope() -> tuple[set[str], set[str]]:
    """Our unit codes, and the suffixes that name the province itself (e.g. "H19" of
    "000.00.00.H19", the code a provincial publication decision carries)."""
    unit_codes = set(Unit.objects.values_list("code", flat=True))
    province_code = str(registry.config("dvcqg").get("province_code") or "")
    suffixes = {code.rsplit(".", 1)[-1] for code in {province_code} | unit_codes if "." in code}
    return unit_codes | {province_code} - {""}, suffixes


def _in_scope(entry: dict, ours: set[str], unit_codes: set[str], suffixes: set[str]) -> bool:
    """Whether the province implements a listed procedure, as far as the list tells.

    The list is asked for the province (the call carries its identifier), but the national
    catalogue also lists procedures of ministries: one already in our catalogue is ours; one
    whose summary names an agency is ours when the agency is one of our units or the province
    (a provincial publication); a summary naming no agency is taken as the portal's answer for
    the province. Others are left out and listed in the run's notes (read them with a code list).
    """
    if payload_code(entry) in ours:
        return True
    agencies = _agency_codes(entry)
    if not agencies:
        return True
    return bool(agencies & unit_codes) or bool(agencies & suffixes)


def fetch_from_portal(*, codes: Iterable[str] | None = None, actor=None, portal=None) -> CatalogSyncRun:
    """Read the national catalogue (`LayDanhSachTTHC`, then `LayThuTuc` per procedure) and store a
    review. Only the procedures the province implements are read in full: those in our catalogue
    and those the list shows published or implemented by one of our units; or exactly `codes`.

    An outage stores nothing: the caller gets a Vietnamese error (CatalogPortalUnavailable).
    """
    portal = portal or registry.get("dvcqg")
    if portal is None:
        raise PortalNotConfigured(
            "Chưa cấu hình kết nối Cổng DVCQG (biến môi trường MOTCUA_DVCQG_URL); "
            "có thể đồng bộ từ tệp gói tin (manage.py sync_catalog --file).",
            rule="R-09",
        )
    wanted = sorted({code.strip() for code in codes or () if code and code.strip()})
    notes: list[str] = []
    extra: list[dict[str, Any]] = []
    payloads: list[dict] = []
    try:
        listed_codes: set[str] | None = None
        if not wanted:
            listing = portal.list_procedures()
            listed = {
                code: entry for entry in listing if isinstance(entry, dict) if (code := payload_code(entry))
            }
            listed_codes = set(listed)
            ours = set(Procedure.objects.filter(code__in=listed_codes).values_list("code", flat=True))
            unit_codes, suffixes = _province_scope()
            wanted = sorted(c for c, e in listed.items() if _in_scope(e, ours, unit_codes, suffixes))
            left_out = sorted(listed_codes - set(wanted))
            notes.append(
                f"Cổng DVCQG liệt kê {len(listed)} thủ tục; đọc chi tiết {len(wanted)} thủ tục thuộc "
                "danh mục hoặc đơn vị của tỉnh."
            )
            if left_out:
                shown = ", ".join(left_out[:LEFT_OUT_SHOWN]) + ("…" if len(left_out) > LEFT_OUT_SHOWN else "")
                notes.append(
                    f"{len(left_out)} thủ tục của bộ, ngành chưa có trong danh mục của tỉnh không được đọc "
                    f"({shown}); muốn xem thì lấy theo mã (manage.py sync_catalog --code …)."
                )
        else:
            notes.append(
                "Chỉ đọc các thủ tục theo danh sách mã; không xét thủ tục nào không còn trên Cổng DVCQG."
            )
        for code in wanted:
            payload = portal.get_procedure(code)
            if payload is None:
                procedure = Procedure.objects.filter(code=code).first()
                if procedure is not None:
                    extra.append(_removed_entry(procedure))
                else:
                    extra.append(
                        {
                            "code": code,
                            "name": "",
                            "kind": Kind.NOT_FOUND,
                            "changes": [],
                            "warnings": [],
                            "error": f"Cổng DVCQG không có thủ tục mã {code}.",
                        }
                    )
                continue
            payloads.append(payload)
    except PortalUnavailable as exc:
        raise CatalogPortalUnavailable(
            f"Không lấy được danh mục thủ tục từ Cổng DVCQG: {exc} Chưa có gì được lưu; hãy thử lại sau.",
            rule="R-09",
        ) from exc
    return review_payloads(
        payloads,
        source=CatalogSyncRun.Source.PORTAL,
        source_name=str(getattr(portal, "base_url", "") or registry.config("dvcqg").get("base_url", "")),
        actor=actor,
        listed_codes=listed_codes,
        notes=notes,
        extra_entries=extra,
    )


def payloads_of_document(document: Any) -> list:
    """A list of payloads from a file's JSON: a list, {"data": [...]} (the DVCQG envelope) or one."""
    if isinstance(document, dict) and "data" in document:
        document = document["data"]
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list):
        return document
    raise InvalidInput('Tệp phải chứa một gói tin thủ tục, một danh sách gói tin hoặc {"data": [...]}.')


# --- applying --------------------------------------------------------------------------------


def _stale_message(codes: Iterable[str]) -> str:
    return (
        "Danh mục đã thay đổi kể từ khi rà soát (thủ tục "
        + ", ".join(codes)
        + "): các khác biệt đã xem không còn đúng. Hãy lấy lại danh mục và rà soát lại."
    )


def _chosen(run: CatalogSyncRun, codes: Iterable[str] | None) -> list[str]:
    entries = {entry["code"]: entry for entry in run.differences}
    applicable = [code for code, entry in entries.items() if entry["kind"] in APPLICABLE]
    if codes is None:
        return applicable
    chosen = list(dict.fromkeys(code.strip() for code in codes if code and code.strip()))
    unknown = [code for code in chosen if code not in applicable]
    if unknown:
        raise InvalidInput(
            "Không áp dụng được các mã không có thay đổi trong lượt rà soát này: " + ", ".join(unknown) + ".",
            field="codes",
        )
    return [code for code in applicable if code in chosen]  # in the review's order, whatever the form's


def stale_codes(run: CatalogSyncRun, codes: Iterable[str]) -> list[str]:
    """The chosen procedures whose differences, recomputed now, are not the ones reviewed."""
    entries = {entry["code"]: entry for entry in run.differences}
    stale = []
    for code in codes:
        if code in run.applied_codes:
            continue
        now = compare(run.payloads[code])
        if (now["kind"], now["changes"]) != (entries[code]["kind"], entries[code]["changes"]):
            stale.append(code)
    return stale


class _StaleDuringApply(Exception):
    pass


def apply_run(run: CatalogSyncRun, codes: Iterable[str] | None = None, *, actor) -> ApplyReport:
    """Import the chosen procedures of a pending run (all its new and changed ones by default).

    Refused whole when the review is stale: the catalogue changed since (recomputed and compared),
    the administrator must fetch and review again. Each procedure is then imported in its own
    transaction, with the run's record of it; one that fails is reported and the others stand.
    """
    run.refresh_from_db()
    if run.status != CatalogSyncRun.Status.PENDING:
        raise RuleViolation(
            "R-09",
            f"Lượt đồng bộ #{run.pk} {run.get_status_display().lower()}; không áp dụng lại được. "
            "Hãy lấy lại danh mục để rà soát lượt mới.",
            code="run_closed",
        )
    chosen = _chosen(run, codes)
    if not chosen:
        raise InvalidInput("Chưa chọn thủ tục nào để áp dụng.", field="codes")
    stale = stale_codes(run, chosen)
    if stale:
        raise RuleViolation("R-09", _stale_message(stale), code="stale_review")

    reviewed = {entry["code"]: entry["changes"] for entry in run.differences}
    report = ApplyReport()
    for code in chosen:
        try:
            with transaction.atomic():
                # The run's row is locked first, then the procedure's (inside the import): two
                # administrators applying the same run never import a procedure twice.
                locked = CatalogSyncRun.objects.select_for_update().get(pk=run.pk)
                if code in locked.applied_codes:
                    report.skipped.append(code)
                    continue
                if locked.status != CatalogSyncRun.Status.PENDING:  # closed by another hand meanwhile
                    raise RuleViolation(
                        "R-09",
                        f"Lượt đồng bộ #{run.pk} {locked.get_status_display().lower()}.",
                        code="run_closed",
                    )
                outcome = import_procedure(locked.payloads[code])
                if _json([change.as_dict() for change in outcome.changes]) != reviewed[code]:
                    raise _StaleDuringApply(code)  # someone edited it since the check: undo
                locked.applied_codes = [*locked.applied_codes, code]
                locked.save(update_fields=["applied_codes"])
        except _StaleDuringApply:
            report.errors[code] = _stale_message([code])
        except DomainError as exc:
            report.errors[code] = exc.message
        except (DatabaseError, ValidationError, OverflowError) as exc:
            # OverflowError: SQLite's driver refuses an integer beyond 64 bits before the database
            # sees it (PostgreSQL answers a DataError for the same amount).
            report.errors[code] = f"Lỗi khi ghi dữ liệu ({exc})."
        else:
            report.applied.append(code)

    with transaction.atomic():
        locked = CatalogSyncRun.objects.select_for_update().get(pk=run.pk)
        locked.apply_errors = report.errors
        fields = ["apply_errors"]
        if locked.applied_codes and locked.status == CatalogSyncRun.Status.PENDING:
            locked.status = CatalogSyncRun.Status.APPLIED
            locked.applied_at = timezone.now()
            locked.applied_by = actor if getattr(actor, "pk", None) else None
            fields += ["status", "applied_at", "applied_by"]
        locked.save(update_fields=fields)
    run.refresh_from_db()
    return report


def cancel_run(run: CatalogSyncRun, *, actor) -> None:
    """Close a pending review without applying anything."""
    with transaction.atomic():
        locked = CatalogSyncRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != CatalogSyncRun.Status.PENDING:
            raise RuleViolation(
                "R-09", f"Lượt đồng bộ #{run.pk} {locked.get_status_display().lower()}.", code="run_closed"
            )
        locked.status = CatalogSyncRun.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    run.refresh_from_db()
