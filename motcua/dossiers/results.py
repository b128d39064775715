"""Checking an electronic result by its verification code (mã tra cứu kết quả, `/xac-thuc/`).

Anyone holding the code (printed in the result's signature, shown to the applicant) learns whether
the result is genuine, what it is and who issued it — and no personal data: the dossier code is
masked, the applicant is not named, the file itself is only for the dossier's owner (R-26).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from motcua.core.errors import NotFound
from motcua.documents import sealing
from motcua.documents.models import Document
from motcua.documents.signatures import PdfVerification
from motcua.dossiers.applicant_selectors import applicant_of
from motcua.dossiers.models import Dossier, DossierDocument


@dataclass(frozen=True)
class IssuedResult:
    document: Document
    verification: PdfVerification
    # The stored bytes are those recorded when the result was sealed (checksum).
    stored_intact: bool
    dossier_code_masked: str
    procedure_name: str
    unit_name: str
    issued_at: datetime.datetime | None
    # Set only for the dossier's own applicant: where to download the file.
    owner_dossier_code: str = ""

    @property
    def valid(self) -> bool:
        return self.verification.valid and self.stored_intact


def mask_dossier_code(code: str) -> str:
    """`000.00.05.H19-260302-0007` → `000.00.05.H19-******-**07`: the issuing unit stays readable,
    the day and the number (which would let a stranger look the dossier up) do not."""
    head, sep, tail = code.partition("-")
    if not sep:
        return code[:4] + "*" * max(len(code) - 6, 0) + code[-2:]
    return head + sep + "".join("*" if ch.isalnum() else ch for ch in tail[:-2]) + tail[-2:]


def verify_result_code(code: str, *, user=None) -> IssuedResult:
    document = sealing.issued_document(code)
    link = (
        DossierDocument.objects.select_related(
            "dossier__procedure", "dossier__deciding_unit", "dossier__applicant"
        )
        .filter(document=document)
        .first()
        if document is not None
        else None
    )
    if document is None or link is None:
        raise NotFound(
            "Không tìm thấy kết quả điện tử nào có mã tra cứu này. Hãy kiểm tra lại mã in trên kết quả.",
            code="result_not_found",
        )
    dossier: Dossier = link.dossier
    verification, stored_intact = sealing.check_stored(document)
    applicant = applicant_of(user)
    owner = applicant is not None and dossier.applicant_id == applicant.pk
    return IssuedResult(
        document=document,
        verification=verification,
        stored_intact=stored_intact,
        dossier_code_masked=mask_dossier_code(dossier.code),
        procedure_name=dossier.procedure.name,
        unit_name=dossier.deciding_unit.name,
        issued_at=dossier.finished_at,
        owner_dossier_code=dossier.code if owner else "",
    )
