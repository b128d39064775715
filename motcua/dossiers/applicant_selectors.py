"""What an applicant reads of his own: his dossiers, one dossier's public history, and his store of
papers already given and results already issued (R-30). Every function takes the signed-in user
and returns only that person's own records (R-26); an officer's account is no applicant here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from motcua.core.errors import NotFound
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierFee
from motcua.dossiers.states import FINAL_STATES, NATIONAL_STATUS_NAMES, State, national_status
from motcua.org.models import Applicant

# The events of a dossier an applicant is told about, in his words (the officers' internal steps,
# consultations and step hand-overs are the administration's business).
PUBLIC_EVENTS = {
    "submit": "Nộp hồ sơ",
    "receive": "Hồ sơ được tiếp nhận",
    "reject": "Hồ sơ không được tiếp nhận",
    "request_supplement": "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    "submit_supplement": "Đã nộp bổ sung",
    "pause": "Tạm dừng giải quyết",
    "resume": "Tiếp tục giải quyết",
    "apologise": "Thư xin lỗi và hẹn lại ngày trả kết quả",
    "stop": "Dừng giải quyết",
    "request_withdrawal": "Đề nghị rút hồ sơ",
    "approve_withdrawal": "Đồng ý cho rút hồ sơ",
    "issue_result": "Đã có kết quả giải quyết",
    "return_result": "Đã trả kết quả",
}


# The papers of his dossier an applicant sees: his own, and what the administration sent him — not
# the units' internal correspondence (consultations, working notes).
APPLICANT_KINDS = (
    DocumentKind.SUBMITTED,
    DocumentKind.SUPPLEMENT,
    DocumentKind.RESULT,
    DocumentKind.REFUSAL,
    DocumentKind.WITHDRAWAL_REQUEST,
    DocumentKind.WITHDRAWAL_APPROVAL,
    DocumentKind.STOP_NOTICE,
    DocumentKind.APOLOGY,
)


def applicant_of(user) -> Applicant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Applicant.objects.filter(user=user).first()


def my_dossiers(user) -> QuerySet[Dossier]:
    applicant = applicant_of(user)
    if applicant is None:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(applicant=applicant)
        .select_related("procedure", "deciding_unit")
        .order_by("-submitted_at", "-pk")
    )


@dataclass(frozen=True)
class MyDossier:
    dossier: Dossier
    national_status: str
    history: list[tuple[DossierEvent, str]]
    documents: list[DossierDocument]
    fees: list[DossierFee]
    owed: int
    finished: bool


def my_dossier(user, code: str) -> MyDossier:
    """One of the applicant's dossiers; someone else's code answers exactly as an unknown one does
    (nothing tells a guesser that the code exists)."""
    dossier = (
        my_dossiers(user)
        .select_related("receiving_unit", "case")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=DossierDocument.objects.select_related("document", "required_document"),
            ),
            "fees",
        )
        .filter(code=code.strip())
        .first()
    )
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ này trong các hồ sơ của bạn.", code="dossier_not_found")
    events = DossierEvent.objects.filter(dossier=dossier, action__in=PUBLIC_EVENTS).order_by("at", "pk")
    fees = list(dossier.fees.all())
    return MyDossier(
        dossier=dossier,
        national_status=NATIONAL_STATUS_NAMES[national_status(dossier)],
        history=[(e, PUBLIC_EVENTS[e.action]) for e in events],
        documents=list(dossier.attachments.all()),
        fees=fees,
        owed=sum(f.amount for f in fees if f.paid_at is None),
        finished=dossier.state in FINAL_STATES or dossier.state == State.RESULT_READY,
    )


def store_links(user) -> list[DossierDocument]:
    """The papers a later dossier may take again instead of a new upload (R-30; NĐ 45/2020 Điều 16:
    nobody is asked twice for a paper the state holds): what the applicant handed in and the
    results issued to him, newest first, one per content (a file given for two dossiers is offered
    once), each with the dossier it came from."""
    applicant = applicant_of(user)
    if applicant is None:
        return []
    given = Q(document__kind__in=(DocumentKind.SUBMITTED, DocumentKind.SUPPLEMENT))
    # A result is his once it is issued to him, not while the officers draft it.
    issued = Q(document__kind=DocumentKind.RESULT, dossier__state__in=(State.RESULT_READY, State.RETURNED))
    links = (
        DossierDocument.objects.filter(given | issued, dossier__applicant=applicant)
        .select_related("document", "dossier__procedure")
        .order_by("-document__uploaded_at")
    )
    seen: set[str] = set()
    store = []
    for link in links:
        if link.document.sha256 not in seen:
            seen.add(link.document.sha256)
            store.append(link)
    return store


def applicant_store(user) -> list[Document]:
    """The documents of `store_links`, as the submission form offers them for reuse."""
    return [link.document for link in store_links(user)]


def my_document(user, code: str, document_id) -> Document:
    """A paper of one of the applicant's dossiers (the same refusal for a code or a document that
    is not his as for one that does not exist)."""
    view = my_dossier(user, code)
    for link in view.documents:
        if link.document_id == document_id:
            return link.document
    raise NotFound("Không tìm thấy giấy tờ này trong hồ sơ của bạn.", code="document_not_found")
