"""The law of a PAKN as a table (R-31): who may take each action, in which status, to which status.

Read a row as "in STATUS, ACTION leads to NEW STATUS if every guard passes, and then does the
effects". A missing row means the action is not allowed in that status. `services.apply` is the
only caller; `services.classify`, `refuse`, … are its thin wrappers.

Deadlines in working days on the province's calendar (REGULATIONS §1.3 indicator 5.2, from the
Quy chế of the national portal): refuse ≤ 2, first request for more information ≤ 5, answer ≤ 15
from receipt (the time the sender takes to complete the information does not count), publish ≤ 2
after the answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from motcua.calendar.services import get_calendar
from motcua.calendar.units import DurationUnit
from motcua.core.errors import InvalidInput, PermissionDenied, RuleViolation
from motcua.feedback.models import Classification, Petition, PetitionAction, PetitionStatus
from motcua.org.models import Role
from motcua.org.selectors import roles_in_unit

REFUSE_DAYS = 2
INFO_REQUEST_DAYS = 5
ANSWER_DAYS = 15
PUBLISH_DAYS = 2

# Who handles a PAKN in the responsible unit: its officers, not the counter staff alone.
HANDLING_ROLES = frozenset(
    {
        Role.PROCESSING_OFFICER,
        Role.DIVISION_HEAD,
        Role.UNIT_LEADER,
        Role.CENTRE_STAFF,
        Role.PROVINCIAL_OFFICE,
        Role.ADMINISTRATOR,
    }
)
# Publishing the answer speaks for the unit: its leadership (or the provincial office).
PUBLISHING_ROLES = frozenset(
    {Role.DIVISION_HEAD, Role.UNIT_LEADER, Role.PROVINCIAL_OFFICE, Role.ADMINISTRATOR}
)


def working_days_after(start: datetime.datetime, days: int, pauses=()) -> datetime.datetime:
    return get_calendar().due_at(start, days, DurationUnit.WORKING_DAYS, pauses)


def paused_intervals(p: Petition) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The finished waits for information, from the history (request → information provided)."""
    intervals, started = [], None
    for action, at in p.events.order_by("seq").values_list("action", "at"):
        if action == PetitionAction.REQUEST_INFO:
            started = at
        elif action == PetitionAction.PROVIDE_INFO and started is not None:
            intervals.append((started, at))
            started = None
    return intervals


@dataclass(frozen=True)
class ActionData:
    """The fields an action may carry; `INPUTS` says which one each action needs."""

    # refuse: the reason; request_info: what is asked; provide_info: the information; answer: the answer
    text: str = ""
    classification: str = ""
    # publish: on the portal, or to the sender only
    public: bool = True
    # rate
    satisfied: bool = False


@dataclass
class Context:
    petition: Petition
    actor: Any
    data: ActionData
    now: datetime.datetime
    # Filled by effects for the history (PetitionEvent.note).
    note: str = ""


Check = Callable[[ActionData], None]
Who = Callable[[Petition, Any], None]
Guard = Callable[[Context], None]
Effect = Callable[[Context], None]


# --- what each action needs in its input (checked before the PAKN is looked up) -----------------


def _required(message: str, field: str) -> Check:
    def check(data: ActionData) -> None:
        if not data.text:
            raise InvalidInput(message, rule="R-31", field=field)

    return check


def known_classification(data: ActionData) -> None:
    """Indicator 5.1: rules/procedures vs officer behaviour vs not a PAKN."""
    if data.classification not in Classification.values:
        raise InvalidInput(
            "Phân loại phản ánh, kiến nghị không hợp lệ (R-31).", rule="R-31", field="classification"
        )


def nothing(data: ActionData) -> None:
    return None


# --- who may take an action, whatever the status -------------------------------------------------


def _in_unit(actor, petition: Petition, roles: frozenset[str]) -> bool:
    return bool(getattr(actor, "is_superuser", False)) or bool(roles_in_unit(actor, petition.unit) & roles)


def _own(actor, petition: Petition) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and petition.user_id == actor.pk


def handler(petition: Petition, actor) -> None:
    """R-26: an officer of the responsible unit handles its PAKN."""
    if not _in_unit(actor, petition, HANDLING_ROLES):
        raise PermissionDenied(
            f"Bạn không có quyền xử lý phản ánh, kiến nghị của {petition.unit.name} (R-31).", rule="R-31"
        )


def publisher(petition: Petition, actor) -> None:
    """Publishing the answer speaks for the unit: its leadership only."""
    if not _in_unit(actor, petition, PUBLISHING_ROLES):
        raise PermissionDenied(
            f"Bạn không có quyền công khai kết quả của {petition.unit.name} (R-31).", rule="R-31"
        )


def sender_or_handler(petition: Petition, actor) -> None:
    """The sender (signed in) completes his own PAKN; an officer may record what he brought."""
    if not _own(actor, petition):
        handler(petition, actor)


def sender(petition: Petition, actor) -> None:
    """Indicator 5.3: only the sender (signed in, his own PAKN) rates the answer."""
    if not _own(actor, petition):
        raise PermissionDenied(
            "Chỉ người gửi phản ánh, kiến nghị mới được đánh giá kết quả (R-31).", rule="R-31"
        )


# --- guards: rules beyond the status ------------------------------------------------------------


def classified(ctx: Context) -> None:
    """Indicator 5.1: every answered PAKN is counted in one class, so it is classified first."""
    if not ctx.petition.classification:
        raise RuleViolation(
            "R-31", "Phải phân loại phản ánh, kiến nghị trước khi trả lời.", code="not_classified"
        )


def is_a_petition(ctx: Context) -> None:
    """What is not a PAKN is refused with a reason (on time ≤ 2 working days), never answered."""
    if ctx.petition.classification == Classification.NOT_PETITION:
        raise RuleViolation(
            "R-31",
            "Nội dung không phải phản ánh, kiến nghị: hãy từ chối tiếp nhận và nêu lý do.",
            code="not_petition",
        )


def not_rated_yet(ctx: Context) -> None:
    """Indicator 5.3 counts one rating per PAKN."""
    if ctx.petition.satisfied is not None:
        raise RuleViolation("R-31", "Bạn đã đánh giá kết quả xử lý phản ánh này.", code="already_rated")


# --- effects: what the action writes on the PAKN (the door sets the status and the history) ------


def set_classification(ctx: Context) -> None:
    p = ctx.petition
    p.classification = ctx.data.classification
    # Indicator 5.1 reads the first classification's date; a correction keeps it.
    p.classified_at = p.classified_at or ctx.now
    ctx.note = Classification(ctx.data.classification).label


def record_refusal(ctx: Context) -> None:
    p = ctx.petition
    p.refused_at, p.refusal_reason = ctx.now, ctx.data.text
    # Refusing without a class counts the PAKN as "not a PAKN" (indicator 5.1).
    if not p.classification:
        p.classification, p.classified_at = Classification.NOT_PETITION, ctx.now
    ctx.note = ctx.data.text


def open_info_request(ctx: Context) -> None:
    p = ctx.petition
    p.info_requested_at = ctx.now
    # The ≤ 5 working days of indicator 5.2 are met by the first request.
    p.first_info_request_at = p.first_info_request_at or ctx.now
    ctx.note = ctx.data.text


def close_info_request(ctx: Context) -> None:
    """The answer clock stops while the sender completes the information (indicator 5.2)."""
    p = ctx.petition
    pauses = [*paused_intervals(p), (p.info_requested_at, ctx.now)]
    p.answer_due_at = working_days_after(p.received_at, ANSWER_DAYS, pauses)
    p.info_requested_at = None
    ctx.note = ctx.data.text


def record_answer(ctx: Context) -> None:
    p = ctx.petition
    p.answer, p.answered_at, p.answered_by = ctx.data.text, ctx.now, ctx.actor
    p.publish_due_at = working_days_after(ctx.now, PUBLISH_DAYS)


def record_publication(ctx: Context) -> None:
    p = ctx.petition
    p.published_at, p.public = ctx.now, ctx.data.public
    ctx.note = "công khai trên Cổng" if ctx.data.public else "chỉ gửi người phản ánh"


def record_rating(ctx: Context) -> None:
    p = ctx.petition
    p.satisfied, p.rated_at = ctx.data.satisfied, ctx.now
    ctx.note = "hài lòng" if ctx.data.satisfied else "không hài lòng"


# --- the table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    to: str
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()


S, A, T = PetitionStatus, PetitionAction, Transition

# What each action needs in its input, checked before anything is looked up.
INPUTS: dict[str, Check] = {
    A.CLASSIFY: known_classification,
    A.REFUSE: _required("Phải nêu lý do từ chối tiếp nhận (R-31).", "reason"),
    A.REQUEST_INFO: _required("Phải nêu thông tin cần bổ sung (R-31).", "text"),
    A.PROVIDE_INFO: _required("Vui lòng nhập thông tin bổ sung (R-31).", "text"),
    A.ANSWER: _required("Vui lòng nhập nội dung trả lời (R-31).", "answer"),
    A.PUBLISH: nothing,
    A.RATE: nothing,
}

# Who may take each action. Checked before the status: someone who may not act on this PAKN
# learns nothing of where it stands.
ACTORS: dict[str, Who] = {
    A.CLASSIFY: handler,
    A.REFUSE: handler,
    A.REQUEST_INFO: handler,
    A.PROVIDE_INFO: sender_or_handler,
    A.ANSWER: handler,
    A.PUBLISH: publisher,
    A.RATE: sender,
}

TRANSITIONS: dict[tuple[str, str], Transition] = {
    # Indicator 5.1: classified while handled, also while waiting for the sender's information
    (S.RECEIVED, A.CLASSIFY): T(S.RECEIVED, (), (set_classification,)),
    (S.INFO_REQUESTED, A.CLASSIFY): T(S.INFO_REQUESTED, (), (set_classification,)),
    # Refusal with a reason, on time within 2 working days (indicator 5.2)
    (S.RECEIVED, A.REFUSE): T(S.REFUSED, (), (record_refusal,)),
    # More information: the answer clock stops until it arrives (indicator 5.2)
    (S.RECEIVED, A.REQUEST_INFO): T(S.INFO_REQUESTED, (), (open_info_request,)),
    (S.INFO_REQUESTED, A.PROVIDE_INFO): T(S.RECEIVED, (), (close_info_request,)),
    # The answer, within 15 working days; what is not a PAKN is refused instead
    (S.RECEIVED, A.ANSWER): T(S.ANSWERED, (classified, is_a_petition), (record_answer,)),
    # Published (on the portal or to the sender only) within 2 working days of the answer
    (S.ANSWERED, A.PUBLISH): T(S.PUBLISHED, (), (record_publication,)),
    # The sender rates the published answer once (indicator 5.3)
    (S.PUBLISHED, A.RATE): T(S.PUBLISHED, (not_rated_yet,), (record_rating,)),
}


def allowed_actions(status: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == status]
