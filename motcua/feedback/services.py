"""Business rules of feedback and complaints (PAKN, R-31) and of dossier ratings (R-32).

A PAKN is submitted here (`submit_petition`); every later step goes through one door, `apply`, and
the table of what may happen in which status (`motcua.feedback.transitions`). The deadlines are
there too (REGULATIONS §1.3 indicator 5.2).
"""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone

from motcua.catalog.models import AgencyRole, Procedure
from motcua.core.errors import InvalidInput, NotFound, RuleViolation
from motcua.documents.models import DocumentKind
from motcua.documents.services import store_document
from motcua.dossiers.models import Dossier
from motcua.dossiers.states import State
from motcua.feedback.models import DossierRating, Petition, PetitionAction, PetitionEvent
from motcua.feedback.transitions import (
    ACTORS,
    ANSWER_DAYS,
    HANDLING_ROLES,
    INFO_REQUEST_DAYS,
    INPUTS,
    REFUSE_DAYS,
    TRANSITIONS,
    ActionData,
    Context,
    working_days_after,
)
from motcua.org.models import Applicant, Unit, UnitKind
from motcua.org.selectors import roles_in_unit

logger = logging.getLogger(__name__)

A = PetitionAction

# Sent after the commit of every recorded step of a PAKN (its submission included); kwargs:
# `petition`, `event` (the PetitionEvent). Whoever tells the sender or the national portal listens
# here, so this app need not know it exists.
petition_changed = Signal()

# Final states where the applicant got an outcome (a result, a refusal, a stop): a withdrawal is
# the applicant's own choice and has nothing to rate.
RATEABLE_STATES = frozenset({State.RETURNED, State.REJECTED, State.STOPPED})

MAX_ATTACHMENTS = 5


@dataclass(frozen=True)
class PetitionInput:
    subject: str
    content: str
    sender_name: str = ""
    sender_phone: str = ""
    sender_email: str = ""
    sender_identifier: str = ""
    procedure_code: str = ""
    dossier_code: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _record(petition: Petition, action: str, actor, at: datetime.datetime, note: str = "") -> PetitionEvent:
    """Append one step to the PAKN's history; the caller holds the PAKN (locked or just created)."""
    last = petition.events.aggregate(m=Max("seq"))["m"] or 0
    return PetitionEvent.objects.create(
        petition=petition,
        seq=last + 1,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=at,
        note=note,
    )


def responsible_unit(dossier: Dossier | None, procedure: Procedure | None, *, on: datetime.date) -> Unit:
    """R-31 routing: the dossier's deciding unit, else the unit that decides (or implements) the
    procedure, else the province's provincial office."""
    if dossier is not None:
        return dossier.deciding_unit
    if procedure is not None:
        for role in (AgencyRole.COMPETENT, AgencyRole.IMPLEMENTING):
            link = (
                procedure.unit_links.filter(role=role, unit__in=Unit.objects.valid_on(on))
                .select_related("unit")
                .order_by("unit__code")
                .first()
            )
            if link is not None:
                return link.unit
    office = Unit.objects.valid_on(on).filter(kind=UnitKind.PROVINCIAL_OFFICE).order_by("code").first()
    if office is None:
        raise RuleViolation("R-31", "Chưa cấu hình Văn phòng UBND tỉnh để tiếp nhận phản ánh, kiến nghị.")
    return office


def _new_code(at: datetime.datetime) -> str:
    local = timezone.localtime(at)
    while True:
        code = f"PAKN-{local:%Y%m%d}-{secrets.token_hex(3).upper()}"
        if not Petition.objects.filter(code=code).exists():
            return code


def submit_petition(data: PetitionInput, *, actor=None, now: datetime.datetime | None = None) -> Petition:
    """Anyone may send a PAKN (R-31); a signed-in sender is linked to it and sees it later."""
    at = _now(now)
    subject, content = data.subject.strip(), data.content.strip()
    if not subject or not content:
        raise InvalidInput("Vui lòng nhập tiêu đề và nội dung phản ánh, kiến nghị (R-31).", rule="R-31")
    if len(subject) > 255 or len(content) > 10_000:
        raise InvalidInput("Tiêu đề tối đa 255 ký tự, nội dung tối đa 10.000 ký tự (R-31).", rule="R-31")
    signed_in = getattr(actor, "is_authenticated", False)
    applicant = Applicant.objects.filter(user=actor).first() if signed_in else None
    name = (
        data.sender_name.strip()
        or (applicant.name if applicant else "")
        or (actor.get_full_name() if signed_in else "")
    )
    if not signed_in and not (data.sender_phone.strip() or data.sender_email.strip()):
        raise InvalidInput(
            "Vui lòng để lại số điện thoại hoặc thư điện tử để nhận kết quả trả lời (R-31).", rule="R-31"
        )
    if len(data.attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(f"Tối đa {MAX_ATTACHMENTS} tệp đính kèm (R-31).", rule="R-31")
    dossier = procedure = None
    if data.dossier_code.strip():
        dossier = (
            Dossier.objects.select_related("procedure", "deciding_unit")
            .filter(code=data.dossier_code.strip())
            .first()
        )
        if dossier is None:
            raise NotFound("Không tìm thấy hồ sơ có mã này (R-31).", rule="R-31")
        procedure = dossier.procedure
    elif data.procedure_code.strip():
        procedure = Procedure.objects.filter(code=data.procedure_code.strip()).first()
        if procedure is None:
            raise NotFound("Không tìm thấy thủ tục hành chính có mã này (R-31).", rule="R-31")
    unit = responsible_unit(dossier, procedure, on=timezone.localdate(at))
    with transaction.atomic():
        documents = [
            store_document(name=n, content=c, kind=DocumentKind.OTHER, uploaded_by=actor)
            for n, c in data.attachments
        ]
        petition = Petition.objects.create(
            code=_new_code(at),
            sender_name=name[:255],
            sender_phone=data.sender_phone.strip()[:20] or (applicant.phone if applicant else ""),
            sender_email=data.sender_email.strip()[:254] or (applicant.email if applicant else ""),
            sender_identifier=data.sender_identifier.strip()[:35]
            or (applicant.identifier if applicant else ""),
            user=actor if signed_in else None,
            subject=subject,
            content=content,
            procedure=procedure,
            dossier=dossier,
            unit=unit,
            received_at=at,
            refuse_due_at=working_days_after(at, REFUSE_DAYS),
            info_due_at=working_days_after(at, INFO_REQUEST_DAYS),
            answer_due_at=working_days_after(at, ANSWER_DAYS),
        )
        if documents:
            petition.attachments.set(documents)
        event = _record(petition, PetitionAction.SUBMIT, actor, at)
        _announce_after_commit(petition, event)
    return petition


def may_handle(user, petition: Petition) -> bool:
    return bool(roles_in_unit(user, petition.unit) & HANDLING_ROLES) or bool(
        getattr(user, "is_superuser", False)
    )


def _locked(petition: Petition | str) -> Petition:
    code = petition if isinstance(petition, str) else petition.code
    found = Petition.objects.select_for_update().select_related("unit").filter(code=code).first()
    if found is None:
        raise NotFound("Không tìm thấy phản ánh, kiến nghị (R-31).", rule="R-31")
    return found


def _announce_after_commit(petition: Petition, event: PetitionEvent) -> None:
    """Send `petition_changed` once the change is committed; a rolled-back change sends nothing."""

    def announce() -> None:
        # The change is committed: a receiver's failure is logged, never turned into an error for
        # the person who made it.
        for receiver, result in petition_changed.send_robust(sender=Petition, petition=petition, event=event):
            if isinstance(result, Exception):
                logger.error("petition_changed: %s failed: %r", receiver, result)

    transaction.on_commit(announce)


def apply(
    petition: Petition | str,
    action: str,
    *,
    actor,
    data: ActionData | None = None,
    now: datetime.datetime | None = None,
) -> Petition:
    """The one door of every step of a PAKN after its submission (R-31): checks the input, locks the
    PAKN, checks who acts, then the table (`transitions.TRANSITIONS`) and its guards, applies the
    effects and the new status, appends the history and announces the change after commit."""
    if action not in ACTORS:
        raise InvalidInput(f"Thao tác không tồn tại: {action}.", rule="R-31", field="action")
    at = _now(now)
    data = data or ActionData()
    data = replace(data, text=data.text.strip())
    INPUTS[action](data)
    with transaction.atomic():
        p = _locked(petition)
        ACTORS[action](p, actor)
        transition = TRANSITIONS.get((p.status, action))
        if transition is None:
            raise RuleViolation(
                "R-31",
                f"Không thể {PetitionAction(action).label.lower()}: phản ánh {p.code} đang ở tình trạng "
                f"“{p.get_status_display()}”.",
                code="petition_state",
            )
        ctx = Context(petition=p, actor=actor, data=data, now=at)
        for guard in transition.guards:
            guard(ctx)
        for effect in transition.effects:
            effect(ctx)
        p.status = transition.to
        p.save()
        event = _record(p, action, actor, at, ctx.note)
        _announce_after_commit(p, event)
    return p


# The steps by name, for the views and the tests: each is `apply` with its action.


def classify(petition: Petition | str, classification: str, *, actor, now=None) -> Petition:
    """Indicator 5.1: rules/procedures vs officer behaviour vs not a PAKN (which is then refused)."""
    return apply(petition, A.CLASSIFY, actor=actor, data=ActionData(classification=classification), now=now)


def refuse(petition: Petition | str, reason: str, *, actor, now=None) -> Petition:
    """Refusal (not a PAKN, out of competence, …) with a reason; on time within 2 working days."""
    return apply(petition, A.REFUSE, actor=actor, data=ActionData(text=reason), now=now)


def request_information(petition: Petition | str, text: str, *, actor, now=None) -> Petition:
    """Ask the sender for more information; the answer clock stops until it arrives."""
    return apply(petition, A.REQUEST_INFO, actor=actor, data=ActionData(text=text), now=now)


def provide_information(petition: Petition | str, text: str, *, actor, now=None) -> Petition:
    """The sender (signed in) or an officer of the unit records the information asked for."""
    return apply(petition, A.PROVIDE_INFO, actor=actor, data=ActionData(text=text), now=now)


def answer(petition: Petition | str, text: str, *, actor, now=None) -> Petition:
    return apply(petition, A.ANSWER, actor=actor, data=ActionData(text=text), now=now)


def publish(petition: Petition | str, *, actor, public: bool = True, now=None) -> Petition:
    """Publish the result (R-31): shown on the portal when `public`, otherwise sent to the sender only."""
    return apply(petition, A.PUBLISH, actor=actor, data=ActionData(public=public), now=now)


def rate_answer(petition: Petition | str, satisfied: bool, *, actor, now=None) -> Petition:
    """The sender (signed in, his own PAKN) rates the published answer once (indicator 5.3)."""
    return apply(petition, A.RATE, actor=actor, data=ActionData(satisfied=bool(satisfied)), now=now)


def rate_dossier(code: str, satisfied: bool, *, actor, comment: str = "", now=None) -> DossierRating:
    """R-32: the dossier's applicant rates it once, after it is finished with an outcome."""
    at = _now(now)
    applicant = (
        Applicant.objects.filter(user=actor).first() if getattr(actor, "is_authenticated", False) else None
    )
    dossier = Dossier.objects.filter(code=code).first()
    # Someone else's dossier answers as an unknown code (nothing tells a guesser it exists).
    if dossier is None or applicant is None or dossier.applicant_id != applicant.pk:
        raise NotFound("Không tìm thấy hồ sơ của bạn có mã này (R-32).", rule="R-32")
    if dossier.state not in RATEABLE_STATES:
        raise RuleViolation(
            "R-32",
            "Chỉ đánh giá được hồ sơ đã giải quyết xong (đã trả kết quả hoặc đã có văn bản trả lời).",
            code="dossier_not_finished",
        )
    if len(comment) > 2000:
        raise InvalidInput("Ý kiến tối đa 2.000 ký tự (R-32).", rule="R-32", field="comment")
    with transaction.atomic():
        Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        if DossierRating.objects.filter(dossier=dossier).exists():
            raise RuleViolation("R-32", "Hồ sơ này đã được đánh giá.", code="already_rated")
        return DossierRating.objects.create(
            dossier=dossier,
            applicant=applicant,
            user=actor,
            satisfied=bool(satisfied),
            comment=comment.strip(),
            rated_at=at,
        )
