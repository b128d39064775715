"""The dossier use cases: submit, and `apply` — the one door through which any action passes.

`apply` locks the row, checks the version (stale → 409), runs the guards of the transition table,
writes the new state and an append-only hash-chained event, and enqueues the outbox messages — all
in one transaction (STYLE.md "One door for every change").
"""

import datetime
import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.catalog.models import (
    CaseDuration,
    Channel,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ReceptionPoint,
)
from motcua.catalog.selectors import active_process_version, case_duration
from motcua.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied, RuleViolation
from motcua.core.text import fold, nfc
from motcua.documents.models import Document, DocumentKind, DocumentOrigin
from motcua.documents.services import store_document
from motcua.dossiers import audit, codes, outbox, selectors
from motcua.dossiers.attachments import cited_documents
from motcua.dossiers.context import ActionInput, Context
from motcua.dossiers.guards import refuse_internal_offline
from motcua.dossiers.lifecycle import PREVIOUS, TRANSITIONS
from motcua.dossiers.models import (
    REFORM_DATE,
    Dossier,
    DossierDocument,
    DossierFee,
    LegalBasis,
    Origin,
    RefusedAttempt,
    ResultDelivery,
)
from motcua.dossiers.states import Action, State
from motcua.org.models import Applicant, ApplicantKind, Role, RoleAssignment, Unit
from motcua.org.selectors import active_assignments
from motcua.org.services import current_unit, resolve_unit_code

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


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"

    def __init__(self):
        super().__init__(
            "Khóa Idempotency-Key này đã dùng cho một hồ sơ khác của tài khoản; "
            "mỗi hồ sơ mới cần một khóa mới (gửi lại đúng nội dung cũ để nhận lại hồ sơ đã nộp).",
            field="Idempotency-Key",
        )


@dataclass
class ApplicantInput:
    """Who applies, as typed at the counter. Online the identity is the signed-in account's own
    (R-26): kind, identifier and name may be left empty, and only the contacts are used."""

    kind: str = ""
    identifier: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    unit_code: str = ""


@dataclass
class SubmissionInput:
    procedure_code: str
    channel: str
    applicant: ApplicantInput = field(default_factory=ApplicantInput)
    summary: str = ""
    case_code: str = ""
    unit_code: str = ""  # the deciding unit, where the procedure has several
    result_delivery: str = ResultDelivery.COUNTER
    documents: list[uuid.UUID] = field(default_factory=list)
    # The client's Idempotency-Key: a retry with the same key returns the first dossier.
    idempotency_key: str = ""


@dataclass(frozen=True)
class Submitted:
    dossier: Dossier
    replayed: bool  # an earlier submission with the same Idempotency-Key, returned again


def _display_name(user) -> str:
    if getattr(user, "is_system_actor", False):
        return user.get_full_name()[:255]
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return (user.get_full_name() or user.get_username())[:255]


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


# --- submission ----------------------------------------------------------------------------------


def _counter_units(actor, day: datetime.date) -> set[int]:
    """The units where `actor` is a counter officer on `day` (R-01, R-26: an ended assignment
    grants nothing)."""
    if actor is None:
        return set()
    return set(
        active_assignments(actor, on=day).filter(role=Role.COUNTER_OFFICER).values_list("unit_id", flat=True)
    )


def _reception_point(
    procedure: Procedure, data: SubmissionInput, counter_units: set[int], day: datetime.date
) -> ReceptionPoint:
    """R-02: online dossiers go to the deciding unit's own point; R-01: counter and postal dossiers
    to a point of the entering officer's own unit (the Centre on behalf of the department) — an
    officer's powers stop at his own reception points. The points in force on the day of
    submission apply (R-04: a configuration change applies to new dossiers only)."""
    points = list(
        ReceptionPoint.objects.valid_on(day)
        .filter(procedure=procedure, channel=data.channel)
        .select_related("unit", "on_behalf_of", "counter")
    )
    if data.unit_code:
        # An old unit code (merged away, REGULATIONS §0.2) names its successor.
        wanted = resolve_unit_code(data.unit_code)
        code = wanted.code if wanted is not None else data.unit_code
        points = [p for p in points if (p.on_behalf_of or p.unit).code == code]
    if data.channel != Channel.ONLINE:
        points = [p for p in points if p.unit_id in counter_units]
        if not points:
            raise PermissionDenied(
                "Đơn vị của bạn không được giao tiếp nhận thủ tục này theo cách thức nộp đã chọn "
                "(xem đầu mối tiếp nhận).",
                rule="R-01",
            )
    if not points:
        raise RuleViolation(
            "R-04", "Thủ tục này không có đầu mối tiếp nhận cho cách thức nộp đã chọn.", field="channel"
        )
    deciding = {(p.on_behalf_of or p.unit).pk for p in points}
    if len(deciding) > 1:
        raise InvalidInput("Thủ tục do nhiều cơ quan giải quyết: hãy chọn cơ quan (unit).", field="unit")
    return points[0]


def _contacts(data: ApplicantInput) -> dict[str, str]:
    return {"phone": data.phone.strip(), "email": data.email.strip(), "address": nfc(data.address).strip()}


def _validated(applicant: Applicant) -> Applicant:
    try:
        # The (kind, identifier) uniqueness is the database's to enforce, without a query here.
        applicant.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(messages[0], field=f"applicant.{field_name}") from None
    return applicant


def _same(typed: str, stored: str) -> bool:
    return " ".join(nfc(typed).split()) == " ".join(nfc(stored).split())


def _own_applicant(data: ApplicantInput, actor) -> Applicant:
    """R-26: online, the applicant is the signed-in account's verified identity — the applicant
    record linked to the account (by VNeID sign-in or an administrator), never an identifier typed
    in the request, whoever the account is (an officer submits online as himself only). A typed
    identity that is not the account's is refused rather than silently replaced, and no account is
    ever linked to an applicant record by submitting."""
    applicant = Applicant.objects.filter(user=actor).select_related("unit").first() if actor else None
    if applicant is None:
        raise PermissionDenied(
            "Tài khoản chưa được định danh: chỉ tài khoản đã xác thực danh tính (VNeID) mới nộp hồ sơ "
            "trực tuyến; hãy đăng nhập bằng VNeID hoặc nộp trực tiếp tại Bộ phận Một cửa.",
            rule="R-26",
            code="identity_not_verified",
        )
    claimed = (
        (data.kind, applicant.kind),
        (data.identifier.strip(), applicant.identifier),
        (data.name, applicant.name),
        (data.unit_code, applicant.unit.code if applicant.unit else ""),
    )
    if any(typed.strip() and not _same(typed, stored) for typed, stored in claimed):
        raise PermissionDenied(
            "Hồ sơ trực tuyến chỉ nộp được cho chính mình: thông tin người nộp phải là của tài khoản "
            "đang đăng nhập (nộp thay người khác tại Bộ phận Một cửa).",
            rule="R-26",
            code="not_own_identity",
        )
    return applicant


def _update_own_contacts(applicant: Applicant, data: ApplicantInput) -> None:
    """The owner's contacts given online become his record's (the last submission's win). Not
    locked: parallel submissions of one person must not queue on their applicant row."""
    changed = {
        name: value for name, value in _contacts(data).items() if value and value != getattr(applicant, name)
    }
    if changed:
        for name, value in changed.items():
            setattr(applicant, name, value)
        _validated(applicant).save(update_fields=list(changed))


def _presented_applicant(data: ApplicantInput) -> tuple[Applicant, Applicant]:
    """At the counter (or from the post) the officer types the applicant in front of him: the
    typed person, validated, and the applicant record of that identity — created from what was
    typed on the person's first dossier, otherwise left as it is. A record's stored contacts
    belong to its owner: an officer neither changes them nor copies them into the dossier."""
    if data.kind not in ApplicantKind.values:
        raise InvalidInput("Loại người nộp không hợp lệ.", field="applicant.kind")
    identifier, name = data.identifier.strip(), " ".join(nfc(data.name).split())
    if not identifier:
        raise InvalidInput("Hãy nhập số định danh / mã số của người nộp.", field="applicant.identifier")
    if not name:
        raise InvalidInput("Hãy nhập họ tên / tên tổ chức của người nộp.", field="applicant.name")
    unit = None
    if data.kind == ApplicantKind.STATE_BODY:
        unit = Unit.objects.filter(code=data.unit_code or identifier).first()
    typed = _validated(
        Applicant(kind=data.kind, identifier=identifier, name=name, unit=unit, **_contacts(data))
    )
    applicant = Applicant.objects.filter(kind=data.kind, identifier=identifier).first()
    if applicant is None:
        applicant = typed  # the person's first dossier: the record is what was typed
        try:
            with transaction.atomic():
                applicant.save(force_insert=True)
        except IntegrityError:  # a parallel first submission of the same person inserted it first
            applicant = Applicant.objects.get(kind=data.kind, identifier=identifier)
    return typed, applicant


def _digest(data: SubmissionInput) -> str:
    """What a submission asked for, so that a retried Idempotency-Key is told from a reused one."""
    payload = json.dumps(asdict(replace(data, idempotency_key="")), sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _replay(user, key: str, digest: str) -> Dossier | None:
    """The dossier this account already submitted with this Idempotency-Key, as the detail shows it."""
    earlier = (
        Dossier.objects.filter(created_by=user, idempotency_key=key)
        .values_list("code", "submission_digest")
        .first()
    )
    if earlier is None:
        return None
    code, earlier_digest = earlier
    if earlier_digest != digest:
        raise IdempotencyKeyReused()
    return selectors.dossier_after_change(code)


def submit_or_replay(data: SubmissionInput, *, actor, now: datetime.datetime | None = None) -> Submitted:
    """`submit`, made safe to retry: with an Idempotency-Key, a submission the same account already
    made with that key is returned again (nothing created, no code taken); the same key with
    another submission is refused (422). Parallel retries meet on the unique (account, key) index:
    the loser's transaction rolls back — its code with it — and it returns the winner.

    A counter or postal submission refused under R-19 is recorded for R-21 (`_refusal_recorded`)."""
    user, key = _actor(actor), data.idempotency_key
    with _refusal_recorded(data, actor, now):
        if not key or user is None:
            return Submitted(submit(data, actor=actor, now=now), replayed=False)
        if len(key) > 64:
            raise InvalidInput("Khóa Idempotency-Key dài tối đa 64 ký tự.", field="Idempotency-Key")
        digest = _digest(data)
        earlier = _replay(user, key, digest)
        if earlier is not None:
            return Submitted(earlier, replayed=True)
        try:
            return Submitted(submit(data, actor=actor, now=now, digest=digest), replayed=False)
        except IntegrityError:
            earlier = _replay(user, key, digest)
            if earlier is None:
                raise
            return Submitted(earlier, replayed=True)


def submit(
    data: SubmissionInput, *, actor, now: datetime.datetime | None = None, digest: str = ""
) -> Dossier:
    """A dossier enters the system: online by an applicant as themself (R-26), or at a counter /
    by post by a counter officer of the receiving point's unit (R-01). (`submit_or_replay` for
    a submission that carries an Idempotency-Key.)

    Everything read from the catalogue is read before the transaction; inside it, the per-unit
    code counter — the one row every submission to a unit that day shares — is taken just before
    the inserts, so it is held for as short a time as possible.
    """
    now = now or timezone.now()
    local_day = timezone.localdate(now)
    if data.channel not in Channel.values:
        raise InvalidInput("Cách thức nộp phải là online, counter hoặc postal.", field="channel")
    online = data.channel == Channel.ONLINE
    own = _own_applicant(data.applicant, _actor(actor)) if online else None
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
    counter_units = set() if online else _counter_units(_actor(actor), local_day)
    if not online and not counter_units:
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
    point = _reception_point(procedure, data, counter_units, local_day)
    documents = cited_documents(data.documents, actor=actor, receiving_unit=point.unit)
    process_version = active_process_version(case, data.channel, now)

    with transaction.atomic():
        if own is not None:
            _update_own_contacts(own, data.applicant)
            applicant = typed = own
        else:
            # The dossier keeps what was typed in this sitting (its own copy), never the record's.
            typed, applicant = _presented_applicant(data.applicant)
        dossier = Dossier(
            lookup_secret=codes.new_lookup_secret(),
            procedure=procedure,
            case=case,
            process_version=process_version,
            channel=data.channel,
            applicant=applicant,
            applicant_name=typed.name,
            applicant_identifier=applicant.identifier,
            applicant_phone=typed.phone,
            applicant_email=typed.email,
            applicant_address=typed.address,
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
            idempotency_key=data.idempotency_key if digest else "",
            submission_digest=digest,
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
        # Who may see the dossier is part of the locked query, before its version and state are
        # looked at: to someone who may not see it, a dossier is as absent as a code never issued
        # (the same 404 as the detail page) — codes are sequential, and a 409 carrying the version
        # and state would tell a stranger that the dossier exists and how it is doing.
        # A system actor (the payment platform) is no one's officer: it reaches the dossier by code
        # and may take only the transitions marked for it (lifecycle.Transition.system_may).
        system = getattr(actor, "is_system_actor", False)
        dossier = (
            (Dossier.objects.all() if system else selectors.visible_dossiers(actor))
            .select_for_update(of=("self",))
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
        if transition is None or (system and not transition.system_may):
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
    # The component of the case (thành phần hồ sơ) this scan is, when received at the counter.
    required_document_id: int | None = None
    # Paper digitised at the counter (DocumentOrigin.SCANNED), or a file as it came.
    origin: str = DocumentOrigin.UPLOADED


def store_uploads(uploads: Sequence[Upload], actor) -> list[Document]:
    return [
        store_document(name=u.name, content=u.content, kind=u.kind, uploaded_by=actor, origin=u.origin)
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
        documents = store_uploads(uploads, actor)
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


def link_required_documents(dossier: Dossier, uploads: Sequence[Upload], documents: list[Document]) -> None:
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
    left behind, and the officer corrects the form and tries again. An R-19 refusal is recorded
    for R-21 once that transaction has rolled back (`_refusal_recorded`).
    """
    if decision not in COUNTER_DECISIONS:
        raise InvalidInput(
            "Tại quầy chỉ tiếp nhận, yêu cầu bổ sung hoặc từ chối tiếp nhận.", field="decision"
        )
    if data.channel not in (Channel.COUNTER, Channel.POSTAL):
        raise InvalidInput("Tại quầy chỉ nhập hồ sơ nộp trực tiếp hoặc qua bưu chính.", field="channel")
    now = now or timezone.now()
    # The recording is entered first so that it runs after the transaction has rolled back.
    with _refusal_recorded(data, actor, now), transaction.atomic():
        documents = store_uploads(uploads, actor)
        dossier = submit(
            replace(data, documents=[*data.documents, *(d.pk for d in documents)]), actor=actor, now=now
        )
        link_required_documents(dossier, uploads, documents)
        return apply(dossier.code, decision, actor, replace(decision_input, version=dossier.version), now=now)


# --- in-person attempts refused (R-19, R-21) -----------------------------------------------------
#
# R-19 refuses an internal procedure that has an online service at the counter and by post, before
# anything is written; R-21 asks how often that happens. So each refusal leaves one RefusedAttempt,
# written after the refusal in its own transaction (durable: never inside a transaction that the
# refusal rolls back), and the refusal then reaches the officer or the client unchanged.


def _counter_post(actor, day: datetime.date) -> RoleAssignment | None:
    """Where `actor` receives in person on `day`: his counter-officer assignment (the first granted
    when he holds several), whose unit and counter an attempt refused there is counted under."""
    if actor is None:
        return None
    return (
        active_assignments(actor, on=day)
        .filter(role=Role.COUNTER_OFFICER)
        .select_related("counter")
        .order_by("pk")
        .first()
    )


def record_refused_attempt(
    procedure: Procedure,
    refusal: DomainError,
    *,
    channel: str,
    actor,
    now: datetime.datetime | None = None,
    applicant_identifier: str = "",
) -> RefusedAttempt | None:
    """R-21: keep one in-person attempt of `procedure` refused by `refusal` (R-19), at the counter
    post of `actor`. None when `actor` receives at no counter (no in-person attempt took place,
    e.g. an applicant's API call naming the counter channel: R-01 would refuse it anyway). Called
    outside any transaction (after the refused one rolled back): it commits on its own."""
    now = now or timezone.now()
    user = _actor(actor)
    post = _counter_post(user, timezone.localdate(now))
    if post is None:
        return None
    with transaction.atomic(durable=True):
        return RefusedAttempt.objects.create(
            procedure=procedure,
            unit=post.unit,
            counter=post.counter,
            channel=channel,
            actor=user,
            actor_name=_display_name(user),
            at=now,
            rule=refusal.rule or "R-19",
            reason=refusal.message,
            applicant_identifier=applicant_identifier.strip()[:35],
        )


@contextmanager
def _refusal_recorded(data: SubmissionInput, actor, now: datetime.datetime | None) -> Iterator[None]:
    """Record a counter or postal submission that R-19 refused (R-21), then let the same refusal
    go on. Nothing is read or written unless R-19 refused (the success path costs no query)."""
    try:
        yield
    except RuleViolation as refusal:
        if refusal.rule == "R-19" and data.channel in (Channel.COUNTER, Channel.POSTAL):
            procedure = Procedure.objects.filter(code=data.procedure_code).first()
            if procedure is not None:
                record_refused_attempt(
                    procedure,
                    refusal,
                    channel=data.channel,
                    actor=actor,
                    now=now,
                    applicant_identifier=data.applicant.identifier,
                )
        raise


def record_counter_refusal(
    procedure_code: str, *, actor, now: datetime.datetime | None = None
) -> RefusedAttempt:
    """R-19, R-21: the counter officer records an applicant turned away in person because the
    internal procedure must be submitted online (the counter page shows the refusal before anything
    is typed, so nothing else of the attempt is known). Only a procedure that R-19 refuses at the
    counter, and only by a counter officer, at his own counter."""
    procedure = Procedure.objects.filter(code=procedure_code, published=True).first()
    if procedure is None:
        raise NotFound(
            "Không tìm thấy thủ tục hành chính đang công khai với mã này.", code="procedure_not_found"
        )
    try:
        refuse_internal_offline(procedure, Channel.COUNTER)
    except RuleViolation as exc:
        refusal = exc
    else:
        raise InvalidInput(
            "Thủ tục này không thuộc diện chỉ nộp trực tuyến (R-19): không có lượt từ chối để ghi nhận.",
            field="procedure",
        )
    attempt = record_refused_attempt(procedure, refusal, channel=Channel.COUNTER, actor=actor, now=now)
    if attempt is None:
        raise PermissionDenied(
            "Chỉ cán bộ tiếp nhận của Bộ phận Một cửa ghi nhận lượt từ chối tiếp nhận trực tiếp.", rule="R-01"
        )
    return attempt


# --- dossiers forwarded by the National Public Service Portal (issue 9, item 4) ------------------
#
# Since 01/7/2025 citizens submit online on the national portal, which forwards each dossier to the
# province (DESIGN.md: the first of the four doors). It enters the engine as an online dossier
# submitted to the unit it names, in state SUBMITTED: the unit's counter officer then receives,
# guides once or refuses it like any online dossier (NĐ 118/2025 Điều 17 k2).
#
# Its code is the province's own `{receiving unit}-{yyMMdd}-{seq}` from the unit's daily counter
# (REGULATIONS §3.3: per-unit, gap-free, never reused — a code assigned elsewhere could collide with
# that sequence, and the national portal's formats vary, e.g. `G09.20-20260609-0092637`); the code
# the national portal assigned is kept in `national_id` ("store MaHoSoKhac for codes assigned
# elsewhere"), unique per origin, which is what makes a second arrival return the first dossier.

PORTAL_ACTOR_NAME = "Cổng Dịch vụ công quốc gia"


@dataclass
class ForwardedFile:
    """A file of a forwarded dossier, already fetched and its hash checked (motcua.sync.inbound)."""

    name: str
    content: bytes
    component_code: str = ""  # MaThanhPhanHoSo: the case's component (thành phần hồ sơ) it answers


@dataclass
class ForwardedInput:
    """A dossier submitted on the national portal and forwarded to the province, parsed from the
    forwarded-dossier shape (vn-code-and-data §2.4) by `motcua.sync.inbound`."""

    national_id: str  # MaHoSo on the national portal
    procedure_code: str  # MaTTHC
    unit_code: str  # MaDonViTiepNhan (followed through mergers to the unit answering today)
    applicant: ApplicantInput  # ThongTinNguoiNop; kind citizen or business (LoaiDoiTuong 1 / 2)
    submitted_at: datetime.datetime | None = None  # NgayNop; the arrival time when missing
    case_code: str = ""  # MaTruongHop: the case's code or name; optional for a one-case procedure
    summary: str = ""  # TrichYeuHoSo
    vneid_verified: bool = False  # TaiKhoanDuocXacThucVoiVNeID = "1"
    applicant_tech_id: str = ""  # MaDoiTuong (the applicant's DVCQG TechID)
    files: list[ForwardedFile] = field(default_factory=list)
    received_via: str = ""  # "pull" or "push:<partner code>", recorded in the first event


@dataclass(frozen=True)
class ForwardedTarget:
    """Where a forwarded dossier goes, read from the catalogue before anything is written."""

    unit: Unit  # the receiving (and deciding) unit today
    procedure: Procedure
    case: ProcedureCase
    duration: CaseDuration
    point: ReceptionPoint


def forwarded_dossier(national_id: str) -> Dossier | None:
    """The dossier already created for this national-portal code, if any."""
    if not national_id:
        return None
    return (
        Dossier.objects.select_related("receiving_unit", "deciding_unit", "procedure")
        .filter(origin=Origin.NATIONAL_PORTAL, national_id=national_id)
        .first()
    )


def _forwarded_case(procedure: Procedure, case_code: str) -> ProcedureCase:
    cases = list(procedure.cases.all())
    if case_code:
        wanted = case_code.strip()
        case = next((c for c in cases if c.code == wanted), None) or next(
            (c for c in cases if fold(c.name) == fold(wanted)), None
        )
        if case is None:
            raise InvalidInput(
                f"Thủ tục {procedure.code} không có trường hợp “{wanted}”.",
                code="case_not_found",
                field="MaTruongHop",
            )
        return case
    if len(cases) != 1:
        raise InvalidInput(
            f"Thủ tục {procedure.code} có {len(cases)} trường hợp: hồ sơ chuyển về phải ghi MaTruongHop.",
            code="case_required",
            field="MaTruongHop",
        )
    return cases[0]


def _forwarded_applicant_checked(data: ApplicantInput) -> None:
    """The applicant as the national portal sent it must be a valid record (R-26: the portal
    identified the person; the province checks the shape of the identity, without writing)."""
    if data.kind not in (ApplicantKind.CITIZEN, ApplicantKind.BUSINESS):
        raise InvalidInput(
            "Loại đối tượng nộp hồ sơ (LoaiDoiTuong) phải là 1 (công dân) hoặc 2 (doanh nghiệp, tổ chức).",
            field="LoaiDoiTuong",
        )
    name = " ".join(nfc(data.name).split())
    if not name:
        raise InvalidInput("Thiếu họ tên người nộp (TenNguoiNop).", field="applicant.name")
    _validated(Applicant(kind=data.kind, identifier=data.identifier.strip(), name=name, **_contacts(data)))


def resolve_forwarded(data: ForwardedInput, *, now: datetime.datetime | None = None) -> ForwardedTarget:
    """Check a forwarded dossier against the catalogue and the unit tree, writing nothing: the unit
    (through mergers, REGULATIONS §0.2), the procedure published with an online service (R-28),
    the unit's own online reception point in force today (R-02, R-04), the case and its time limit
    (R-24), the applicant's identity. Raises the refusal the national portal is told."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    national_id = data.national_id.strip()
    if not national_id or len(national_id) > 64:
        raise InvalidInput("Mã hồ sơ trên Cổng DVCQG (MaHoSo) trống hoặc dài quá 64 ký tự.", field="MaHoSo")
    if len(data.applicant_tech_id) > 64:
        raise InvalidInput("Mã đối tượng (MaDoiTuong) dài quá 64 ký tự.", field="MaDoiTuong")
    named = Unit.objects.select_related("successor").filter(code=data.unit_code.strip()).first()
    if named is None:
        raise RuleViolation(
            "R-02",
            f"Không có cơ quan, đơn vị mã “{data.unit_code}” trong danh mục đơn vị của tỉnh.",
            code="unit_not_found",
            field="MaDonViTiepNhan",
        )
    unit = current_unit(named)
    procedure = (
        Procedure.objects.filter(code=data.procedure_code.strip(), published=True)
        .prefetch_related("cases__durations", "cases__fees", "cases__documents")
        .first()
    )
    if procedure is None:
        raise RuleViolation(
            "R-24",
            f"Thủ tục hành chính mã “{data.procedure_code}” không có (hoặc chưa công khai) trong danh mục "
            "thủ tục của tỉnh.",
            code="procedure_not_found",
            field="MaTTHC",
        )
    if procedure.online_level == OnlineLevel.NONE:
        raise RuleViolation(
            "R-28",
            f"Thủ tục {procedure.code} chưa cung cấp dịch vụ công trực tuyến.",
            code="procedure_not_online",
            field="MaTTHC",
        )
    # an online dossier goes to the deciding unit's own point (never an on-behalf one); the
    # points in force on the day it arrives, so a merged unit's dossier finds its successor's point.
    point = (
        ReceptionPoint.objects.valid_on(day)
        .filter(procedure=procedure, channel=Channel.ONLINE, unit=unit, on_behalf_of__isnull=True)
        .select_related("unit", "counter")
        .order_by("pk")
        .first()
    )
    if point is None:
        merged = f" (đã sáp nhập vào {unit.name})" if unit.pk != named.pk else ""
        raise RuleViolation(
            "R-02",
            f"{named.name}{merged} không tiếp nhận trực tuyến thủ tục {procedure.code} "
            "(không có đầu mối tiếp nhận trực tuyến trong danh mục).",
            code="unit_not_receiving_online",
            field="MaDonViTiepNhan",
        )
    case = _forwarded_case(procedure, data.case_code)
    duration = _duration(case, Channel.ONLINE)
    _forwarded_applicant_checked(data.applicant)
    return ForwardedTarget(unit=unit, procedure=procedure, case=case, duration=duration, point=point)


def accept_forwarded(data: ForwardedInput, *, now: datetime.datetime | None = None) -> tuple[Dossier, bool]:
    """Create the online dossier of a dossier forwarded by the national portal, once: returns
    (dossier, created). A dossier already created for the same national code is returned with
    created=False — found by a read first, or, when two arrivals race, by the unique
    (origin, national_id) index: the loser's transaction rolls back (its code number with it, so
    the unit's sequence stays gap-free) and it returns the winner's dossier.

    The applicant is found or created by identification number (the national portal verified the
    person, with VNeID when `vneid_verified`; their contacts given there then become the record's,
    as online on our own portal). The files are stored through `documents.services` (type, size and
    name checks apply) in the dossier's transaction and attached to their component of the case.
    """
    now = now or timezone.now()
    existing = forwarded_dossier(data.national_id.strip())
    if existing is not None:
        return existing, False
    target = resolve_forwarded(data, now=now)
    local_day = timezone.localdate(now)
    submitted_at = min(data.submitted_at or now, now)  # a portal clock ahead of ours is not believed
    process_version = active_process_version(target.case, Channel.ONLINE, now)
    point = target.point
    try:
        with transaction.atomic():
            documents = [
                store_document(name=f.name, content=f.content, kind=DocumentKind.SUBMITTED)
                for f in data.files
            ]
            typed, applicant = _presented_applicant(data.applicant)
            if data.vneid_verified and applicant is not typed:
                _update_own_contacts(applicant, data.applicant)
            dossier = Dossier(
                origin=Origin.NATIONAL_PORTAL,
                national_id=data.national_id.strip(),
                vneid_verified=data.vneid_verified,
                applicant_tech_id=data.applicant_tech_id.strip(),
                lookup_secret=codes.new_lookup_secret(),
                procedure=target.procedure,
                case=target.case,
                process_version=process_version,
                channel=Channel.ONLINE,
                applicant=applicant,
                applicant_name=typed.name,
                applicant_identifier=applicant.identifier,
                applicant_phone=typed.phone,
                applicant_email=typed.email,
                applicant_address=typed.address,
                summary=nfc(data.summary)[:1000] or target.procedure.name[:1000],
                reception_point=point,
                receiving_unit=point.unit,
                deciding_unit=point.unit,
                counter=point.counter,
                result_delivery=ResultDelivery.COUNTER,
                state=State.SUBMITTED,
                legal_basis=(
                    LegalBasis.BEFORE_2025_07
                    if timezone.localdate(submitted_at) < REFORM_DATE
                    else LegalBasis.FROM_2025_07
                ),
                time_limit=target.duration.value,
                time_limit_unit=target.duration.unit,
                submitted_at=submitted_at,
            )
            dossier.code = codes.next_code(point.unit, local_day)
            event = audit.chain_event(
                dossier,
                at=now,
                actor=None,
                actor_name=PORTAL_ACTOR_NAME,
                action="submit",
                from_state="",
                to_state=State.SUBMITTED,
                unit=point.unit,
                data={
                    "channel": Channel.ONLINE,
                    "origin": Origin.NATIONAL_PORTAL,
                    "national_id": dossier.national_id,
                    "via": data.received_via,
                    "receiving_unit": point.unit.code,
                    "deciding_unit": point.unit.code,
                    "unit_named": data.unit_code.strip(),
                },
                documents=[str(d.pk) for d in documents],
            )
            dossier.save(force_insert=True)
            event.dossier = dossier
            event.save(force_insert=True)
            components = {c.code: c.pk for c in target.case.documents.all() if c.code}
            DossierDocument.objects.bulk_create(
                [
                    DossierDocument(
                        dossier=dossier,
                        document=document,
                        required_document_id=components.get(f.component_code.strip()),
                        attached_at=now,
                    )
                    for f, document in zip(data.files, documents, strict=True)
                ]
            )
            DossierFee.objects.bulk_create(
                [
                    DossierFee(dossier=dossier, kind=fee.kind, amount=fee.amount, description=fee.description)
                    for fee in target.case.fees.all()
                    if fee.channel in ("", Channel.ONLINE)
                ]
            )
            outbox.enqueue_status_change(dossier, event)
    except IntegrityError:
        existing = forwarded_dossier(data.national_id.strip())
        if existing is None:
            raise
        return existing, False
    return dossier, True
