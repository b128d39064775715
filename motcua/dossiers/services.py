"""The dossier use cases: submit, and `apply` — the one door through which any action passes.

`apply` locks the row, checks the version (stale → 409), runs the guards of the transition table,
writes the new state and an append-only hash-chained event, and enqueues the outbox messages — all
in one transaction (STYLE.md "One door for every change").
"""

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.catalog.models import CaseDuration, Channel, Procedure, ReceptionPoint
from motcua.catalog.selectors import active_process_version, case_duration
from motcua.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied, RuleViolation
from motcua.core.text import nfc
from motcua.documents.models import Document
from motcua.documents.services import documents_by_ids, store_document
from motcua.dossiers import audit, codes, outbox
from motcua.dossiers.context import ActionInput, Context
from motcua.dossiers.guards import refuse_internal_offline
from motcua.dossiers.lifecycle import PREVIOUS, TRANSITIONS
from motcua.dossiers.models import (
    REFORM_DATE,
    Dossier,
    DossierDocument,
    DossierFee,
    LegalBasis,
    ResultDelivery,
)
from motcua.dossiers.states import Action, State
from motcua.org.models import Applicant, ApplicantKind, Role, Unit
from motcua.org.selectors import holds_role_anywhere

# States left by going back to `resume_state`.
WAITING_STATES = frozenset({State.AWAITING_SUPPLEMENT, State.PAUSED, State.WITHDRAWAL_REQUESTED})


class StaleVersion(DomainError):
    status_code = 409
    code = "stale_version"

    def __init__(self, current: int):
        super().__init__(
            f"Hồ sơ đã được người khác cập nhật (phiên bản hiện tại {current}); "
            "hãy tải lại rồi thao tác lại.",
        )
        self.current = current


class ActionNotAllowed(DomainError):
    status_code = 409
    code = "action_not_allowed"


@dataclass
class ApplicantInput:
    kind: str
    identifier: str
    name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    unit_code: str = ""


@dataclass
class SubmissionInput:
    procedure_code: str
    channel: str
    applicant: ApplicantInput
    summary: str = ""
    case_code: str = ""
    unit_code: str = ""  # the deciding unit, where the procedure has several
    result_delivery: str = ResultDelivery.COUNTER
    documents: list[uuid.UUID] = field(default_factory=list)


def _display_name(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return (user.get_full_name() or user.get_username())[:255]


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


# --- submission ----------------------------------------------------------------------------------


def _reception_point(
    procedure: Procedure, data: SubmissionInput, actor, day: datetime.date
) -> ReceptionPoint:
    """R-02: online dossiers go to the deciding unit's own point; R-01: counter dossiers to the
    actor's own counter point (the Centre on behalf of the department). The points in force on the
    day of submission apply (R-04: a configuration change applies to new dossiers only)."""
    points = list(
        ReceptionPoint.objects.valid_on(day)
        .filter(procedure=procedure, channel=data.channel)
        .select_related("unit", "on_behalf_of", "counter")
    )
    if data.unit_code:
        points = [p for p in points if (p.on_behalf_of or p.unit).code == data.unit_code]
    if data.channel == Channel.COUNTER:
        counter_units = (
            {a.unit_id for a in actor.role_assignments.valid_on(day).filter(role=Role.COUNTER_OFFICER)}
            if actor
            else set()
        )
        points = [p for p in points if p.unit_id in counter_units]
        if not points:
            raise PermissionDenied(
                "Quầy của bạn không được giao tiếp nhận thủ tục này (xem đầu mối tiếp nhận).", rule="R-01"
            )
    if not points:
        raise RuleViolation(
            "R-04", "Thủ tục này không có đầu mối tiếp nhận cho cách thức nộp đã chọn.", field="channel"
        )
    deciding = {(p.on_behalf_of or p.unit).pk for p in points}
    if len(deciding) > 1:
        raise InvalidInput("Thủ tục do nhiều cơ quan giải quyết: hãy chọn cơ quan (unit).", field="unit")
    return points[0]


def _contacts_changed(applicant: Applicant, data: ApplicantInput) -> list[str]:
    """Apply the contacts given with this submission; the names of the fields that changed."""
    changed = []
    for name, value in (
        ("phone", data.phone),
        ("email", data.email),
        ("address", nfc(data.address)),
    ):
        if value and value != getattr(applicant, name):
            setattr(applicant, name, value)
            changed.append(name)
    if data.kind == ApplicantKind.STATE_BODY:
        unit = Unit.objects.filter(code=data.unit_code or data.identifier).first()
        if applicant.unit_id != getattr(unit, "pk", None):
            applicant.unit = unit
            changed.append("unit")
    return changed


def _validated(applicant: Applicant) -> Applicant:
    try:
        # The (kind, identifier) uniqueness is the database's to enforce, without a query here.
        applicant.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(messages[0], field=f"applicant.{field_name}") from None
    return applicant


def _applicant(data: ApplicantInput, actor, *, by_officer: bool) -> Applicant:
    """The applicant record of this identity, created on its first dossier.

    Not locked: parallel submissions of one person must not queue on their applicant row, and the
    dossier keeps its own copy of the contacts (the last submission's contacts win on the record).
    """
    if data.kind not in ApplicantKind.values:
        raise InvalidInput("Loại người nộp không hợp lệ.", field="applicant.kind")
    identifier = data.identifier.strip()
    applicant = Applicant.objects.filter(kind=data.kind, identifier=identifier).first()
    if applicant is None:
        applicant = Applicant(kind=data.kind, identifier=identifier, name=nfc(data.name))
        _contacts_changed(applicant, data)
        try:
            with transaction.atomic():
                _validated(applicant).save(force_insert=True)
            return applicant
        except IntegrityError:  # a parallel first submission of the same person inserted it first
            applicant = Applicant.objects.get(kind=data.kind, identifier=identifier)
    owner = applicant.user_id is None or applicant.user_id == getattr(actor, "pk", None)
    # an applicant signs in as themself; someone else's identity (linked to another account)
    # is used only by a counter officer, and only they or the owner may change stored contacts.
    if not (by_officer or owner):
        raise PermissionDenied(
            "Số định danh này thuộc tài khoản của người khác; bạn chỉ nộp hồ sơ trực tuyến cho chính mình.",
            rule="R-26",
        )
    changed = _contacts_changed(applicant, data)
    if changed:
        _validated(applicant).save(update_fields=changed)
    return applicant


def submit(data: SubmissionInput, *, actor, now: datetime.datetime | None = None) -> Dossier:
    """A dossier enters the system: online by an applicant, or at a counter / by post by an officer.

    Everything read from the catalogue is read before the transaction; inside it, the per-unit
    code counter — the one row every submission to a unit that day shares — is taken just before
    the inserts, so it is held for as short a time as possible.
    """
    now = now or timezone.now()
    if data.channel not in Channel.values:
        raise InvalidInput("Cách thức nộp phải là online, counter hoặc postal.", field="channel")
    procedure = (
        Procedure.objects.filter(code=data.procedure_code, published=True)
        .prefetch_related("cases__durations", "cases__fees")
        .first()
    )
    if procedure is None:
        raise NotFound(
            "Không tìm thấy thủ tục hành chính đang công khai với mã này.", code="procedure_not_found"
        )
    refuse_internal_offline(procedure, data.channel)
    if data.channel == Channel.ONLINE and procedure.online_level == "none":
        raise RuleViolation("R-28", "Thủ tục này chưa cung cấp dịch vụ công trực tuyến.", field="channel")
    by_officer = holds_role_anywhere(actor, Role.COUNTER_OFFICER)
    if data.channel != Channel.ONLINE and not by_officer:
        raise PermissionDenied(
            "Chỉ cán bộ tiếp nhận nhập hồ sơ nộp trực tiếp hoặc qua bưu chính.", rule="R-01"
        )
    cases = list(procedure.cases.all())
    case = (
        next((c for c in cases if c.code == data.case_code), None)
        if data.case_code
        else (cases[0] if len(cases) == 1 else None)
    )
    if case is None:
        raise InvalidInput("Hãy chọn trường hợp (case) của thủ tục.", field="case")
    duration = _duration(case, data.channel)
    if data.result_delivery not in ResultDelivery.values:
        raise InvalidInput("Nơi nhận kết quả không hợp lệ.", field="result_delivery")
    documents = documents_by_ids(data.documents)
    local_day = timezone.localdate(now)
    point = _reception_point(procedure, data, _actor(actor), local_day)
    process_version = active_process_version(case, data.channel, now)
    online_by_applicant = data.channel == Channel.ONLINE and not by_officer

    with transaction.atomic():
        applicant = _applicant(data.applicant, _actor(actor), by_officer=not online_by_applicant)
        # The applicant's account is linked on its first own online dossier; someone who already
        # has an applicant record (e.g. submitting under an authorisation) is not relinked.
        if (
            online_by_applicant
            and applicant.user_id is None
            and _actor(actor) is not None
            and not Applicant.objects.filter(user=actor).exists()
        ):
            applicant.user = actor
            applicant.save(update_fields=["user"])
        dossier = Dossier(
            lookup_secret=codes.new_lookup_secret(),
            procedure=procedure,
            case=case,
            process_version=process_version,
            channel=data.channel,
            applicant=applicant,
            applicant_name=applicant.name,
            applicant_identifier=applicant.identifier,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
            applicant_address=applicant.address,
            summary=nfc(data.summary) or procedure.name[:1000],
            reception_point=point,
            receiving_unit=point.unit,
            deciding_unit=point.on_behalf_of or point.unit,
            counter=point.counter,
            result_delivery=data.result_delivery,
            state=State.SUBMITTED,
            legal_basis=LegalBasis.BEFORE_2025_07 if local_day < REFORM_DATE else LegalBasis.FROM_2025_07,
            time_limit=duration.value,
            time_limit_unit=duration.unit,
            submitted_at=now,
            created_by=_actor(actor),
        )
        dossier.code = codes.next_code(point.unit, local_day)
        event = audit.chain_event(
            dossier,
            at=now,
            actor=_actor(actor),
            actor_name=_display_name(actor),
            action="submit",
            from_state="",
            to_state=State.SUBMITTED,
            unit=point.unit,
            data={
                "channel": data.channel,
                "receiving_unit": point.unit.code,
                "deciding_unit": dossier.deciding_unit.code,
            },
            documents=[str(d.pk) for d in documents],
        )
        dossier.save(force_insert=True)
        event.dossier = dossier  # now that it has a primary key
        event.save(force_insert=True)
        attachments = DossierDocument.objects.bulk_create(
            [DossierDocument(dossier=dossier, document=d, attached_at=now) for d in documents]
        )
        fees = DossierFee.objects.bulk_create(
            [
                DossierFee(dossier=dossier, kind=fee.kind, amount=fee.amount, description=fee.description)
                for fee in case.fees.all()
                if fee.channel in ("", data.channel)
            ]
        )
        outbox.enqueue_status_change(dossier, event)
    # What the detail view prefetches, known here already: the 201 answer needs no read-back.
    dossier._prefetched_objects_cache = {
        "attachments": attachments,
        "fees": fees,
        "steps": [],
        "consultations": [],
    }
    return dossier


def _duration(case, channel: str) -> CaseDuration:
    duration = case_duration(case, channel)
    if duration is None:
        raise RuleViolation(
            "R-24", "Trường hợp này chưa có thời hạn giải quyết trong danh mục.", field="case"
        )
    return duration


# --- the one door --------------------------------------------------------------------------------


def apply(
    code: str, action: str, actor, data: ActionInput, *, now: datetime.datetime | None = None
) -> Dossier:
    if action not in Action.values:
        raise InvalidInput(f"Thao tác không tồn tại: {action}.", field="action")
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related(
                "procedure",
                "receiving_unit",
                "deciding_unit",
                "applicant",
                "current_step__unit",
                "process_version",
            )
            .filter(code=code)
            .first()
        )
        if dossier is None:
            raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
        if dossier.version != data.version:
            raise StaleVersion(dossier.version)
        transition = TRANSITIONS.get((dossier.state, action))
        if transition is None:
            raise ActionNotAllowed(
                f"Không thể “{Action(action).label.lower()}” khi hồ sơ đang ở trạng thái "
                f"“{dossier.get_state_display()}”."
            )
        ctx = Context(dossier=dossier, actor=actor, data=data, now=now or timezone.now())
        for guard in transition.guards:
            guard(ctx)
        from_state = dossier.state
        ctx.new_state = transition.to
        for effect in transition.effects:
            effect(ctx)
        if ctx.new_state == PREVIOUS:
            raise RuntimeError(f"{from_state}/{action}: PREVIOUS needs an effect that resolves it")
        dossier.state = ctx.new_state
        if ctx.new_state not in WAITING_STATES:
            dossier.resume_state = ""
        dossier.version += 1
        step = dossier.current_step
        event = audit.append_event(
            dossier,
            at=ctx.now,
            actor=_actor(actor),
            actor_name=_display_name(actor),
            action=action,
            from_state=from_state,
            to_state=dossier.state,
            step=step,
            unit=step.unit if step else dossier.deciding_unit,
            reason=data.reason.strip(),
            data=ctx.event_data,
            documents=ctx.event_documents,
        )
        dossier.save()
        outbox.enqueue_status_change(dossier, event)
    return dossier


# --- the back office: actions with their files, and the counter's sitting --------------------------


@dataclass
class Upload:
    """A file handed in on a form, stored in the transaction of the change it belongs to."""

    name: str
    content: bytes
    kind: str
    signed: bool = False
    # The component of the case (thành phần hồ sơ) this scan is, when received at the counter.
    required_document_id: int | None = None


def _store(uploads: Sequence[Upload], actor) -> list[Document]:
    return [
        store_document(name=u.name, content=u.content, kind=u.kind, signed=u.signed, uploaded_by=actor)
        for u in uploads
    ]


def apply_with_files(
    code: str,
    action: str,
    actor,
    data: ActionInput,
    uploads: Sequence[Upload] = (),
    *,
    now: datetime.datetime | None = None,
) -> Dossier:
    """`apply`, citing the files uploaded with the action; they are stored in the same transaction,
    so an action the engine refuses leaves no stray document behind (nothing changes)."""
    with transaction.atomic():
        documents = _store(uploads, actor)
        return apply(
            code,
            action,
            actor,
            replace(data, documents=[*data.documents, *(d.pk for d in documents)]),
            now=now,
        )


# NĐ 118 Điều 17 k1: at the counter the officer checks the papers with the applicant present and
# decides in the same sitting — receive, guide once on everything missing, or refuse with a reason.
COUNTER_DECISIONS = (Action.RECEIVE, Action.REQUEST_SUPPLEMENT, Action.REJECT)


def _link_required_documents(dossier: Dossier, uploads: Sequence[Upload], documents: list[Document]) -> None:
    """Record which component of the case each scan is (REGULATIONS §2.2 điểm c: the paper
    components are digitised into the system, each as itself)."""
    components = {d.pk for d in dossier.case.documents.all()}
    for upload, document in zip(uploads, documents, strict=True):
        if upload.required_document_id is None:
            continue
        if upload.required_document_id not in components:
            raise InvalidInput("Thành phần hồ sơ không thuộc trường hợp đã chọn.", field="documents")
        DossierDocument.objects.filter(dossier=dossier, document=document).update(
            required_document_id=upload.required_document_id
        )


def receive_at_counter(
    data: SubmissionInput,
    decision: str,
    decision_input: ActionInput,
    *,
    actor,
    uploads: Sequence[Upload] = (),
    now: datetime.datetime | None = None,
) -> Dossier:
    """A dossier entered at the counter (or from the post) and decided in the same sitting.

    The submission, its scans and the decision are one transaction: when the engine refuses the
    decision (R-17 nothing listed, R-11 no reason, R-19…), no dossier, no code and no document is
    left behind, and the officer corrects the form and tries again.
    """
    if decision not in COUNTER_DECISIONS:
        raise InvalidInput(
            "Tại quầy chỉ tiếp nhận, yêu cầu bổ sung hoặc từ chối tiếp nhận.", field="decision"
        )
    if data.channel not in (Channel.COUNTER, Channel.POSTAL):
        raise InvalidInput("Tại quầy chỉ nhập hồ sơ nộp trực tiếp hoặc qua bưu chính.", field="channel")
    now = now or timezone.now()
    with transaction.atomic():
        documents = _store(uploads, actor)
        dossier = submit(
            replace(data, documents=[*data.documents, *(d.pk for d in documents)]), actor=actor, now=now
        )
        _link_required_documents(dossier, uploads, documents)
        return apply(dossier.code, decision, actor, replace(decision_input, version=dossier.version), now=now)
