"""Which documents an actor may cite for a dossier (item 4 of issue 8).

A document is cited by the account that uploaded it, or by an officer of a unit that handles the
dossier (the counter scanning papers, the consulted agency answering, the leader attaching the
signed result); and for one dossier only — a document already attached to another dossier is
refused (the database's `dossier_document_attached_once` constraint is the last line).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from motcua.core.errors import InvalidInput
from motcua.documents.models import Document
from motcua.documents.services import documents_by_ids
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.org.models import Role, Unit
from motcua.org.selectors import roles_in_unit

# The roles that work on dossiers; a Sở Nội vụ evaluator or an administrator sees, but does not
# handle, a dossier and so cannot attach other people's papers to it.
HANDLING_ROLES = frozenset(
    {Role.COUNTER_OFFICER, Role.PROCESSING_OFFICER, Role.DIVISION_HEAD, Role.UNIT_LEADER}
)


def handling_units(dossier: Dossier) -> list[Unit]:
    """The units that handle `dossier`: receiving, deciding, each step's and each consulted unit."""
    units = {
        dossier.receiving_unit_id: dossier.receiving_unit,
        dossier.deciding_unit_id: dossier.deciding_unit,
    }
    for step in dossier.steps.select_related("unit"):
        units.setdefault(step.unit_id, step.unit)
    for consultation in dossier.consultations.select_related("to_unit"):
        units.setdefault(consultation.to_unit_id, consultation.to_unit)
    return [u for u in units.values() if u is not None]


def handles(actor, units: Iterable[Unit]) -> bool:
    return any(roles_in_unit(actor, unit) & HANDLING_ROLES for unit in units)


def cited_documents(
    ids: Iterable[uuid.UUID],
    *,
    actor,
    dossier: Dossier | None = None,
    receiving_unit: Unit | None = None,
) -> list[Document]:
    """The documents `actor` cites for `dossier` (or, at submission, for a new dossier received by
    `receiving_unit`). Refused with 403 `document_not_yours` or 400 `document_attached_elsewhere`."""
    wanted = list(ids)
    if not wanted:
        return []

    def may_cite_others() -> bool:
        if dossier is not None:
            return handles(actor, handling_units(dossier))
        return receiving_unit is not None and handles(actor, [receiving_unit])

    documents = documents_by_ids(wanted, actor=actor, may_cite_others=may_cite_others)
    elsewhere = DossierDocument.objects.filter(document__in=documents)
    if dossier is not None:
        elsewhere = elsewhere.exclude(dossier=dossier)
    taken = elsewhere.select_related("document").first()
    if taken is not None:
        raise InvalidInput(
            f"Tài liệu “{taken.document.name}” đã được đính kèm vào một hồ sơ khác; mỗi tài liệu chỉ "
            "thuộc một hồ sơ — hãy tải tệp lên lại cho hồ sơ này.",
            code="document_attached_elsewhere",
            field="documents",
        )
    return documents
