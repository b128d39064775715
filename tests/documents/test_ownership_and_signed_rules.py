"""Documents have owners and belong to one dossier; R-14, R-15, R-27 accept only verified signatures."""

import pytest
from django.db import IntegrityError, transaction

from motcua.core.errors import InvalidInput, PermissionDenied, RuleViolation
from motcua.documents.models import DocumentKind
from motcua.documents.services import store_document
from motcua.dossiers.attachments import cited_documents
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.states import State
from tests.documents.pki import stranger_signed_pdf, tampered_pdf
from tests.dossiers.kit import (
    NOTARY,
    act,
    at,
    doc,
    forward_to,
    fresh,
    notary_processing,
    submit,
    user,
)

NOW = at("2026-03-02 08:00")


def _online_at_decision(*, delivery: str = "online") -> Dossier:
    """A notary dossier submitted online by congdan1 (result delivered `delivery`), at the
    decision step (step 5, Chủ tịch UBND tỉnh)."""
    d = submit(NOTARY, now=NOW, result_delivery=delivery)
    d = act(d, "receive", "chuyenvien.sotuphap", now=NOW)
    d = act(d, "forward", "chuyenvien.sotuphap", now=NOW)
    return forward_to(d, 5, now=NOW)


def _pdf_by(content: bytes, kind: str, username: str):
    return store_document(name="van-ban.pdf", content=content, kind=kind, uploaded_by=user(username))


# --- owners -------------------------------------------------------------------------------------


def test_citizen_cannot_submit_with_a_document_another_person_uploaded():
    theirs = doc(DocumentKind.SUBMITTED, by="congdan2")
    before = Dossier.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        submit(NOTARY, now=NOW, documents=[theirs.pk])
    assert exc.value.code == "document_not_yours" and "không phải do bạn tải lên" in exc.value.message
    assert Dossier.objects.count() == before and not theirs.dossier_links.exists()


def test_citizen_cannot_attach_another_persons_document_to_an_action():
    d = notary_processing(NOW, channel="online")
    theirs = doc(DocumentKind.WITHDRAWAL_REQUEST, by="congdan2")
    with pytest.raises(PermissionDenied) as exc:
        act(d, "request_withdrawal", "congdan1", now=at("2026-03-03 08:00"), documents=[theirs])
    assert exc.value.code == "document_not_yours"
    assert fresh(d).state == State.PROCESSING


def test_document_is_attached_to_one_dossier_only():
    mine = doc(DocumentKind.SUBMITTED, by="congdan1")
    first = submit(NOTARY, now=NOW, documents=[mine.pk])
    assert DossierDocument.objects.filter(dossier=first, document=mine).exists()
    with pytest.raises(InvalidInput) as exc:
        submit(NOTARY, now=NOW, documents=[mine.pk])
    assert exc.value.code == "document_attached_elsewhere"


def test_database_refuses_a_second_dossier_for_one_document():
    mine = doc(DocumentKind.SUBMITTED, by="congdan1")
    submit(NOTARY, now=NOW, documents=[mine.pk])
    other = submit(NOTARY, now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierDocument.objects.create(dossier=other, document=mine, attached_at=NOW)


def test_officer_handling_the_dossier_may_cite_a_colleagues_document():
    d = _online_at_decision()
    # Drafted and signed elsewhere, uploaded by the appraising officer; the chairman issues it.
    result = doc(DocumentKind.RESULT, signed=True, by="chuyenvien.sotuphap")
    d = act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-04 08:00"), documents=[result])
    assert d.state == State.RESULT_READY and d.attachments.filter(document=result).exists()


def test_officer_of_a_unit_not_handling_the_dossier_cannot_cite_others_documents():
    d = notary_processing(NOW, channel="online")
    applicants = doc(DocumentKind.SUPPLEMENT, by="congdan1")
    with pytest.raises(PermissionDenied) as exc:
        cited_documents([applicants.pk], actor=user("lanhdao.soxaydung"), dossier=d)
    assert exc.value.code == "document_not_yours"
    assert cited_documents([applicants.pk], actor=user("chuyenvien.sotuphap"), dossier=d) == [applicants]


def test_citing_a_document_already_on_the_same_dossier_again_is_allowed():
    mine = doc(DocumentKind.SUBMITTED, by="congdan1")
    d = submit(NOTARY, now=NOW, documents=[mine.pk])
    assert cited_documents([mine.pk], actor=user("congdan1"), dossier=d) == [mine]


# --- verified signatures --------------------------------------------------------------------------


def _withdrawal_requested() -> Dossier:
    d = notary_processing(NOW, channel="online")
    return act(
        d,
        "request_withdrawal",
        "congdan1",
        now=at("2026-03-03 08:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_REQUEST, by="congdan1")],
    )


def test_r15_approval_needs_a_verified_signature_not_a_claim():
    d = _withdrawal_requested()
    kind = DocumentKind.WITHDRAWAL_APPROVAL
    for content, said in (
        (b"%PDF-1.4\n% scan\n", "có chữ ký số hợp lệ"),
        (stranger_signed_pdf(), "không được tin cậy"),
        (tampered_pdf(), "không hợp lệ"),
    ):
        with pytest.raises(RuleViolation) as exc:
            act(
                d,
                "approve_withdrawal",
                "lanhdao.sotuphap",
                now=at("2026-03-03 09:00"),
                documents=[_pdf_by(content, kind, "lanhdao.sotuphap")],
            )
        assert exc.value.rule == "R-15" and exc.value.code == "withdrawal_approval_signature_required"
        assert said in exc.value.message
        assert fresh(d).state == State.WITHDRAWAL_REQUESTED
    signed = doc(kind, signed=True, by="lanhdao.sotuphap")
    d = act(d, "approve_withdrawal", "lanhdao.sotuphap", now=at("2026-03-03 09:00"), documents=[signed])
    assert d.state == State.WITHDRAWN


def test_r14_electronic_result_needs_a_verified_signature():
    d = _online_at_decision()
    with pytest.raises(RuleViolation) as exc:
        act(
            d,
            "issue_result",
            "lanhdao.ubndtinh",
            now=at("2026-03-04 08:00"),
            documents=[doc(DocumentKind.RESULT, by="lanhdao.ubndtinh")],
        )
    assert exc.value.rule == "R-14" and exc.value.code == "result_signature_required"
    assert fresh(d).state == State.PROCESSING
    signed = doc(DocumentKind.RESULT, signed=True, by="lanhdao.ubndtinh")
    d = act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-04 08:00"), documents=[signed])
    assert d.state == State.RESULT_READY


def test_r14_paper_result_may_be_a_scan_without_digital_signature():
    d = _online_at_decision(delivery="counter")
    scan = doc(DocumentKind.RESULT, by="lanhdao.ubndtinh")
    d = act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-04 08:00"), documents=[scan])
    assert d.state == State.RESULT_READY


def test_r14_electronic_refusal_needs_a_verified_signature():
    d = _online_at_decision()
    refusal = {"outcome": "refusal", "reason": "Không đủ điều kiện thành lập theo Luật Công chứng."}
    with pytest.raises(RuleViolation) as exc:
        act(
            d,
            "issue_result",
            "lanhdao.ubndtinh",
            now=at("2026-03-04 08:00"),
            documents=[doc(DocumentKind.REFUSAL, by="lanhdao.ubndtinh")],
            **refusal,
        )
    assert exc.value.rule == "R-14" and exc.value.code == "refusal_signature_required"
    signed = doc(DocumentKind.REFUSAL, signed=True, by="lanhdao.ubndtinh")
    d = act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-04 08:00"), documents=[signed], **refusal)
    assert d.state == State.RESULT_READY


def test_r14_electronic_stop_notice_needs_a_verified_signature():
    d = submit(NOTARY, now=NOW, result_delivery="online")
    d = act(d, "receive", "chuyenvien.sotuphap", now=NOW)
    d = act(d, "forward", "chuyenvien.sotuphap", now=NOW)
    stop = {"reason": "Cơ sở pháp lý của thủ tục đã bị bãi bỏ"}
    with pytest.raises(RuleViolation) as exc:
        act(
            d,
            "stop",
            "lanhdao.sotuphap",
            now=at("2026-03-03 08:00"),
            documents=[doc(DocumentKind.STOP_NOTICE, by="lanhdao.sotuphap")],
            **stop,
        )
    assert exc.value.rule == "R-14" and exc.value.code == "stop_notice_signature_required"
    notice = doc(DocumentKind.STOP_NOTICE, signed=True, by="lanhdao.sotuphap")
    d = act(d, "stop", "lanhdao.sotuphap", now=at("2026-03-03 08:00"), documents=[notice], **stop)
    assert d.state == State.STOPPED


def test_r27_apology_sent_online_needs_a_verified_signature():
    d = submit(NOTARY, now=NOW, result_delivery="online")
    d = act(d, "receive", "chuyenvien.sotuphap", now=NOW)
    d = act(d, "forward", "chuyenvien.sotuphap", now=NOW)
    apology = {
        "new_due_at": at("2026-04-06 08:00"),
        "explanation": "Hồ sơ phức tạp, phải xác minh tại hai địa phương",
    }
    with pytest.raises(RuleViolation) as exc:
        act(
            d,
            "apologise",
            "lanhdao.sotuphap",
            now=at("2026-03-26 08:00"),
            documents=[doc(DocumentKind.APOLOGY, by="lanhdao.sotuphap")],
            **apology,
        )
    assert exc.value.rule == "R-27" and exc.value.code == "apology_signature_required"
    letter = doc(DocumentKind.APOLOGY, signed=True, by="lanhdao.sotuphap")
    d = act(d, "apologise", "lanhdao.sotuphap", now=at("2026-03-26 08:00"), documents=[letter], **apology)
    assert d.extended_due_at == at("2026-04-06 08:00")
