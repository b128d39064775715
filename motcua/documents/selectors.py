"""What the national portal's digitisation flags read from a stored file (REGULATIONS §4.2, §6.4)."""

from django.db.models import Q

from motcua.documents.models import Document, DocumentOrigin, SignatureStatus

# Electronic from the start (uploaded by the applicant, reused, taken from the national store).
_ELECTRONIC = (DocumentOrigin.UPLOADED, DocumentOrigin.REUSED, DocumentOrigin.NATIONAL_STORE)


def is_digitised(document: Document) -> bool:
    """`DuocSoHoa`: the component exists as electronic data with legal use. A paper scanned at the
    counter counts once the receiving unit has certified the scan with its digital signature
    (TT 01/2023/TT-VPCP: the digitisation result is signed to have legal use — an [R] reading,
    REGULATIONS §4.2); an unsigned scan is only a picture of the paper."""
    if document.origin in _ELECTRONIC:
        return True
    return document.origin == DocumentOrigin.SCANNED and document.signature_status == SignatureStatus.VALID


def digitised(prefix: str = "") -> Q:
    """`is_digitised` as a query condition, for a relation reached through `prefix` (e.g. "document__")."""
    return Q(**{f"{prefix}origin__in": _ELECTRONIC}) | Q(
        **{f"{prefix}origin": DocumentOrigin.SCANNED, f"{prefix}signature_status": SignatureStatus.VALID}
    )


def from_national_store(document: Document) -> bool:
    """`DuocLayTuKhoDMQG` (4.5, 4.6): taken from the applicant's store on the national portal."""
    return document.origin == DocumentOrigin.NATIONAL_STORE


def reused(document: Document) -> bool:
    """`DuocTaiSuDung` (4.4, R-30): a paper or result the applicant already gave, taken again."""
    return document.origin in (DocumentOrigin.REUSED, DocumentOrigin.NATIONAL_STORE) or (
        document.reused_from_id is not None
    )
