"""Read-side queries on dossiers: who sees what, work lists, the detail page, the R-11 sheet, look-up.

Every list is a fixed number of queries whatever its length (no N+1); every function that takes a
user returns only what that user may see (R-26), so callers never filter for permissions themselves.
"""

import datetime
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from motcua.calendar.services import get_calendar
from motcua.calendar.units import HOURS_PER_WORKING_DAY, DurationUnit
from motcua.catalog.models import (
    Channel,
)
from motcua.consultations.models import Consultation
from motcua.core.errors import NotFound
from motcua.core.text import search_folded
from motcua.documents import selectors as documents
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers.guards import LAWFUL_PAUSE_REASONS
from motcua.dossiers.lifecycle import answerable_consultations, available_actions
from motcua.dossiers.models import (
    ComponentReceipt,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
    RefusedAttempt,
    ResultDelivery,
)
from motcua.dossiers.queues import due_soon_limit, scope_of
from motcua.dossiers.states import (
    FINAL_STATES,
    NATIONAL_STATUS_NAMES,
    OPEN_STATES,
    State,
    national_status,
)
from motcua.org.models import Counter, Role, Unit, UnitKind
from motcua.org.selectors import active_assignments

# --- who sees what -------------------------------------------------------------------------------


def visible_units(user) -> QuerySet[Unit]:
    """Units where `user` holds any role: each granted unit with its divisions, or for the
    province-wide roles the whole subtree below it (motcua.org.selectors.units_where)."""
    # queues.scope_of reaches exactly as units_where does, in two queries for all roles at once
    # (units_where reads the assignments and walks the tree level by level per role) — this runs
    # before every action's row lock (services.apply) and on every dossier page.
    return Unit.objects.filter(pk__in=sorted(scope_of(user).all_units))


def is_officer(user) -> bool:
    return getattr(user, "is_authenticated", False) and active_assignments(user).exists()


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Officers see the dossiers their units receive, decide, hold or held a step of (a leader who
    signed the result keeps seeing what they signed) or are consulted on, and a service centre the
    results it hands over for the units its counters serve (guards.actor_returns_result: the
    applicant collects at the one-stop counter), but not those units' other dossiers (R-02: an online
    dossier is the deciding unit's own); applicants see their own (and what they submitted)."""
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    if user.is_superuser:
        return Dossier.objects.all()
    own = Q(applicant__user=user) | Q(created_by=user)
    units = visible_units(user).values("pk")
    consulted = Consultation.objects.filter(dossier=OuterRef("pk"), to_unit_id__in=units)
    handled = DossierStep.objects.filter(dossier=OuterRef("pk"), unit_id__in=units)
    served = Counter.serves.through.objects.filter(counter__centre_id__in=units).values("unit_id")
    return Dossier.objects.filter(
        own
        | Q(receiving_unit_id__in=units)
        | Q(deciding_unit_id__in=units)
        | Q(deciding_unit_id__in=served, state__in=(State.RESULT_READY, State.RETURNED))
        | Exists(handled)
        | Exists(consulted)
    )


# --- work lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierFilters:
    state: str | None = None
    unit: str | None = None  # receiving or deciding unit code
    overdue: bool | None = None
    due_before: datetime.datetime | None = None
    q: str = ""
    procedure: str | None = None
    channel: str | None = None


def _overdue_q(now: datetime.datetime) -> Q:
    # Only while the clock runs: a paused dossier or one waiting for the applicant's supplement is
    # not getting later, and a finished one is judged by its finishing date, not by today.
    return Q(state__in=OPEN_STATES, due_at__lt=now)


def is_overdue(dossier: Dossier, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return dossier.state in OPEN_STATES and dossier.due_at is not None and dossier.due_at < now


def dossier_list(user, filters: DossierFilters, *, now: datetime.datetime | None = None) -> QuerySet[Dossier]:
    qs = visible_dossiers(user).select_related(
        "procedure", "receiving_unit", "deciding_unit", "current_step__unit"
    )
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.unit:
        qs = qs.filter(Q(receiving_unit__code=filters.unit) | Q(deciding_unit__code=filters.unit))
    if filters.overdue is not None:
        overdue = _overdue_q(now or timezone.now())
        qs = qs.filter(overdue) if filters.overdue else qs.exclude(overdue)
    if filters.due_before:
        qs = qs.filter(due_at__lt=filters.due_before)
    if filters.procedure:
        qs = qs.filter(procedure__code=filters.procedure)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.q:
        # Every word in the code, the applicant's name or identification number, with or without
        # diacritics ("tran bien" finds "Trấn Biên").
        qs = search_folded(qs, "search_text", filters.q)
    return qs.order_by("-submitted_at", "-pk")


# --- one dossier ---------------------------------------------------------------------------------


def _with_detail(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return qs.select_related(
        "procedure",
        "case",
        "applicant__unit",
        "receiving_unit",
        "deciding_unit",
        "counter",
        "current_step__unit",
        "process_version",
    ).prefetch_related(
        Prefetch(
            "attachments",
            queryset=DossierDocument.objects.select_related("document", "required_document").order_by(
                "attached_at", "pk"
            ),
        ),
        Prefetch(
            "component_receipts",
            queryset=ComponentReceipt.objects.select_related("required_document").order_by(
                "required_document__order", "pk"
            ),
        ),
        "fees",
        Prefetch(
            "steps",
            queryset=DossierStep.objects.select_related("unit", "handler", "ended_by").order_by(
                "started_at", "pk"
            ),
        ),
        Prefetch(
            "consultations",
            queryset=Consultation.objects.select_related("from_unit", "to_unit", "answered_by").order_by(
                "requested_at", "pk"
            ),
        ),
        "process_version__steps__unit",
    )


def dossier_detail(user, code: str) -> Dossier:
    """One dossier the user may see, with everything the detail shows; else NotFound (a dossier
    of another unit is as invisible as one that does not exist)."""
    dossier = _with_detail(visible_dossiers(user).filter(code=code)).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    return dossier


def dossier_after_change(code: str) -> Dossier:
    """The dossier as its actor sees it right after submitting it or acting on it (the guards have
    just established that they may)."""
    return _with_detail(Dossier.objects.filter(code=code)).get()


def may_see_secret(user, dossier: Dossier) -> bool:
    """The look-up secret is printed on the receipt: shown to the submitter, the applicant and
    officers, never in the public look-up."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk in (dossier.created_by_id, dossier.applicant.user_id):
        return True
    return is_officer(user)


def dossier_events(user, code: str) -> list[DossierEvent]:
    dossier = visible_dossiers(user).filter(code=code).only("pk").first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    return list(DossierEvent.objects.filter(dossier=dossier).select_related("step", "unit").order_by("seq"))


# --- the process-control sheet (Phiếu kiểm soát quá trình) -----------------------------------

STEP_STATUS = {
    "pending": "Chưa thực hiện",
    "in_progress": "Đang xử lý",
    "overdue": "Đang xử lý, đã quá hạn",
    "early": "Trước hạn",
    "on_time": "Đúng hạn",
    "late": "Quá hạn",
}


@dataclass(frozen=True)
class SheetRow:
    order: int
    name: str
    unit: Unit
    role: str
    handler: str
    started_at: datetime.datetime | None
    planned_end_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    budget_hours: Decimal | None
    status: str

    @property
    def role_display(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role

    @property
    def status_display(self) -> str:
        return STEP_STATUS[self.status]


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def step_status(step: DossierStep, now: datetime.datetime, *, clock_stopped: bool = False) -> str:
    """Trước hạn / đúng hạn / quá hạn as the sheet of TT 01/2018 (mẫu 02) has them: finished on an
    earlier day than planned is early, on the planned day (not after the planned time) on time.
    While the dossier is paused or waits for a supplement the step's clock stands still (its planned
    end moves when the clock runs again), so the step is not shown as overdue meanwhile."""
    planned = step.planned_end_at
    if step.ended_at is None:
        late = planned is not None and now > planned and not clock_stopped
        return "overdue" if late else "in_progress"
    if planned is None:
        return "on_time"
    if step.ended_at > planned:
        return "late"
    if timezone.localdate(step.ended_at) < timezone.localdate(planned):
        return "early"
    return "on_time"


def process_control_sheet(dossier: Dossier, *, now: datetime.datetime | None = None) -> list[SheetRow]:
    """Every step as it happened (handler, start, planned and actual end, lateness), then the steps of
    the dossier's process version still to come. Uses the detail's prefetches: no extra query."""
    now = now or timezone.now()
    planned = list(dossier.process_version.steps.all()) if dossier.process_version_id else []
    budgets = {s.order: s.budget_hours for s in planned}
    done = list(dossier.steps.all())
    clock_stopped = dossier.state in (State.PAUSED, State.AWAITING_SUPPLEMENT)
    rows = [
        SheetRow(
            order=step.order,
            name=step.name,
            unit=step.unit,
            role=step.role,
            handler=_person(step.handler or step.ended_by),
            started_at=step.started_at,
            planned_end_at=step.planned_end_at,
            ended_at=step.ended_at,
            budget_hours=budgets.get(step.order),
            status=step_status(step, now, clock_stopped=clock_stopped),
        )
        for step in done
    ]
    if dossier.state in FINAL_STATES:
        return rows
    reached = max((s.order for s in done), default=0)
    return rows + [
        SheetRow(
            order=s.order,
            name=s.name,
            unit=_planned_unit(dossier, s),
            role=s.role,
            handler="",
            started_at=None,
            planned_end_at=None,
            ended_at=None,
            budget_hours=s.budget_hours,
            status="pending",
        )
        for s in sorted(planned, key=lambda s: s.order)
        if s.order > reached
    ]


def _planned_unit(dossier: Dossier, step) -> Unit:
    # Where the lifecycle will open it: the counter's steps (reception, returning the result) at
    # the receiving unit, the others at their own unit or else the deciding unit.
    if step.role == Role.COUNTER_OFFICER:
        return dossier.receiving_unit
    return step.unit or dossier.deciding_unit


def consultation_late(consultation: Consultation, now: datetime.datetime | None = None) -> bool:
    if consultation.answered_at is not None:
        return bool(consultation.answered_late)
    return (now or timezone.now()) > consultation.due_at


# --- public look-up ------------------------------------------------------------------------------


def lookup(code: str, secret: str) -> Dossier:
    """The status by code and the secret printed on the receipt. A wrong secret answers exactly as
    an unknown code does, so codes cannot be probed for existence."""
    dossier = (
        Dossier.objects.select_related("procedure")
        .only(
            "code",
            "lookup_secret",
            "state",
            "applicant_name",
            "received_at",
            "due_at",
            "extended_due_at",
            "returned_at",
            "procedure__code",
            "procedure__name",
        )
        .filter(code=code.strip())
        .first()
    )
    given = secret.strip().upper().encode()
    expected = dossier.lookup_secret.encode() if dossier is not None else b"-"
    if dossier is None or not secrets.compare_digest(given, expected):
        raise NotFound("Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập.", code="dossier_not_found")
    return dossier


# --- input checks ----------------------------------------------------------------------------------


def unknown_documents(ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """Which of the given document ids do not exist (an action must not silently drop them)."""
    wanted = set(ids)
    if not wanted:
        return []
    found = set(Document.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    return sorted(wanted - found, key=str)


# --- the back office's dossier page ---------------------------------------------------------------

TZ_FORMAT = "%H:%M %d/%m/%Y"


def _local(value: datetime.datetime | str | None) -> str:
    """A time as the forms print it, in Asia/Ho_Chi_Minh: 14:05 02/03/2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    return timezone.localtime(value).strftime(TZ_FORMAT)


def _working_time(span: datetime.timedelta) -> str:
    """A span of working time in Vietnamese: "2 ngày làm việc 3 giờ", "3 giờ 20 phút"."""
    minutes = max(0, int(span.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, HOURS_PER_WORKING_DAY)
    parts = [f"{days} ngày làm việc"] if days else []
    if hours:
        parts.append(f"{hours} giờ")
    if minutes and not days:
        parts.append(f"{minutes} phút")
    return " ".join(parts) or "dưới 1 phút"


@dataclass(frozen=True)
class DeadlineBadge:
    tone: str  # "danger" | "warn" | "ok" | "" (the badge-* class)
    label: str


def deadline_badge(dossier: Dossier, now: datetime.datetime | None = None) -> DeadlineBadge | None:
    """Overdue or how much working time is left, as the officer must see it at a glance (R-27).

    Judged against the appointment (`due_at`), as the national index judges it; an apology's new
    date is shown beside it, never instead of it (REGULATIONS §2.5).
    """
    now = now or timezone.now()
    if dossier.due_at is None:
        return None
    if dossier.finished_at is not None:
        if dossier.finished_at > dossier.due_at:
            return DeadlineBadge("danger", "Giải quyết quá hạn")
        return DeadlineBadge("ok", "Giải quyết đúng hạn")
    if dossier.state not in OPEN_STATES:
        return DeadlineBadge("", "Ngừng tính thời hạn (chờ bổ sung hoặc tạm dừng)")
    calendar = get_calendar()
    calendar_days = dossier.time_limit_unit == DurationUnit.CALENDAR_DAYS
    if is_overdue(dossier, now):
        late = now - dossier.due_at if calendar_days else calendar.elapsed(dossier.due_at, now)
        label = f"Quá hạn {_span(late, calendar_days)}"
        if dossier.extended_due_at is not None:
            label += f" (đã hẹn lại {_local(dossier.extended_due_at)})"
        return DeadlineBadge("danger", label)
    left = dossier.due_at - now if calendar_days else calendar.elapsed(now, dossier.due_at)
    # "Sắp đến hạn" means the same here as in the work queues (MOTCUA_DUE_SOON_WORKING_HOURS).
    soon = dossier.due_at < due_soon_limit(now)
    return DeadlineBadge("warn" if soon else "ok", f"Còn {_span(left, calendar_days)}")


def _span(span: datetime.timedelta, calendar_days: bool) -> str:
    if calendar_days:
        days, seconds = span.days, span.seconds
        return (
            f"{days} ngày {seconds // 3600} giờ"
            if days
            else f"{seconds // 3600} giờ {seconds % 3600 // 60} phút"
        )
    return _working_time(span)


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: datetime.datetime
    actor: str
    action: str
    action_display: str
    from_state: str
    to_state: str
    unit: Unit | None
    reason: str
    details: list[str]
    documents: list[DossierDocument]


def _choice(choices, value: str) -> str:
    return choices(value).label if value in choices.values else value


def _state_label(value: str) -> str:
    return _choice(State, value)


def _event_details(event: DossierEvent, unit_names: dict[str, str]) -> list[str]:
    """The event's recorded facts, as a person reads them (REGULATIONS §3.2: the sheet's columns)."""
    data, lines = event.data or {}, []
    name = lambda code: unit_names.get(code, code)  # noqa: E731
    if "channel" in data:
        lines.append(f"Cách thức nộp: {_choice(Channel, data['channel'])}")
    if data.get("step"):
        step = data["step"]
        lines.append(f"Bước {step.get('order')}: {step.get('name')} — {name(step.get('unit', ''))}")
    if data.get("due_at"):
        lines.append(f"Ngày hẹn trả: {_local(data['due_at'])}")
    if data.get("due_before") or data.get("due_after"):
        lines.append(f"Ngày hẹn trả: {_local(data.get('due_before'))} → {_local(data.get('due_after'))}")
    if data.get("handover"):
        h = data["handover"]
        paper = h.get("paper_transfer_due", "")
        lines.append(
            f"Bàn giao từ {name(h.get('from', ''))} cho {name(h.get('to', ''))}"
            + (f"; hồ sơ giấy chuyển qua bưu chính chậm nhất ngày {_day(paper)}" if paper else "")
        )
    if data.get("items"):
        lines.append("Nội dung cần bổ sung: " + "; ".join(data["items"]))
    if data.get("missing_components"):
        # received although incomplete — the officer's confirmation and reason are on record.
        lines.append("Tiếp nhận khi còn thiếu: " + "; ".join(data["missing_components"]))
    if data.get("incomplete_reason"):
        lines.append(f"Lý do tiếp nhận khi chưa đủ thành phần: {data['incomplete_reason']}")
    if data.get("legal_exception"):
        lines.append(f"Căn cứ yêu cầu bổ sung lần nữa: {data['legal_exception']}")
    if data.get("consultation"):
        c = data["consultation"]
        if "to_unit" in c:
            lines.append(f"Xin ý kiến {name(c['to_unit'])}, hạn trả lời {_local(c.get('due_at'))}")
        elif "late" in c:
            lines.append("Trả lời xin ý kiến " + ("quá hạn" if c["late"] else "đúng hạn"))
    if data.get("pause_reason"):
        lines.append(
            f"Căn cứ tạm dừng: {LAWFUL_PAUSE_REASONS.get(data['pause_reason'], data['pause_reason'])}"
        )
    if data.get("new_due_at"):
        lines.append(f"Ngày hẹn trả mới: {_local(data['new_due_at'])}")
    if data.get("explanation"):
        lines.append(f"Giải trình của thủ trưởng: {data['explanation']}")
    if data.get("in_time") is False:
        lines.append("Phiếu xin lỗi gửi muộn (sau thời điểm 01 ngày làm việc trước hạn)")
    if data.get("outcome"):
        lines.append(
            "Kết quả: " + ("từ chối giải quyết" if data["outcome"] == "refusal" else "ban hành kết quả")
        )
    if data.get("delivery"):
        lines.append(f"Trả kết quả: {_choice(ResultDelivery, data['delivery'])}")
    return lines


def _day(value: str) -> str:
    try:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def timeline_events(dossier: Dossier) -> list[EventRow]:
    """The dossier's event log (who, when, action, from → to, reason, documents), oldest first.
    Two queries whatever its length: the events, and the names of the units they cite."""
    events = list(dossier.events.select_related("unit").order_by("seq"))
    codes = set()
    for e in events:
        data = e.data or {}
        codes.update(
            filter(
                None, [(data.get("step") or {}).get("unit"), (data.get("consultation") or {}).get("to_unit")]
            )
        )
        codes.update(filter(None, [(data.get("handover") or {}).get(k) for k in ("from", "to")]))
    unit_names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    attachments = {str(a.document_id): a for a in dossier.attachments.all()}
    return [
        EventRow(
            seq=e.seq,
            at=e.at,
            actor=e.actor_name,
            action=e.action,
            action_display=e.get_action_display(),
            from_state=_state_label(e.from_state) if e.from_state else "",
            to_state=_state_label(e.to_state),
            unit=e.unit,
            reason=e.reason,
            details=_event_details(e, unit_names),
            documents=[attachments[d] for d in e.documents if d in attachments],
        )
        for e in events
    ]


# The printed forms (TT 03/2025 Phụ lục; the `dossier-pdf` slugs) and when each applies.
@dataclass
class DossierPage:
    """Everything the dossier page shows, read for one user at one instant."""

    dossier: Dossier
    now: datetime.datetime
    national_status: int
    national_status_display: str
    overdue: bool
    deadline: DeadlineBadge | None
    sheet: list[SheetRow]
    events: list[EventRow]
    actions: list[str]
    answerable: list[int]
    show_secret: bool
    late_consultations: set[int]
    digitisation: "Digitisation"


@dataclass(frozen=True)
class Digitisation:
    """Whether the dossier counts as digitised for indicator 4.2 (REGULATIONS §1.3: components
    with files that the national portal reads as digitised, and the electronic result where the
    procedure's result is a paper) — what the officer can still do about it."""

    components: bool
    result_due: bool
    result_electronic: bool

    @property
    def done(self) -> bool:
        return self.components and (not self.result_due or self.result_electronic)


def digitisation_of(dossier: Dossier) -> Digitisation:
    """From the dossier's prefetched attachments (no query of its own)."""
    links = list(dossier.attachments.all())
    return Digitisation(
        components=any(
            link.document.kind in (DocumentKind.SUBMITTED, DocumentKind.SUPPLEMENT)
            and documents.is_digitised(link.document)
            for link in links
        ),
        result_due=dossier.procedure.has_result_document,
        result_electronic=any(link.document.kind == DocumentKind.RESULT for link in links),
    )


def dossier_page(user, code: str, *, now: datetime.datetime | None = None) -> DossierPage:
    """The dossier as `user` sees it (NotFound for a dossier of another unit) with the buttons of
    exactly the actions they may take now (`lifecycle.available_actions`)."""
    now = now or timezone.now()
    dossier = dossier_detail(user, code)
    status = national_status(dossier)
    return DossierPage(
        dossier=dossier,
        now=now,
        national_status=status,
        national_status_display=NATIONAL_STATUS_NAMES[status],
        overdue=is_overdue(dossier, now),
        deadline=deadline_badge(dossier, now),
        sheet=process_control_sheet(dossier, now=now),
        events=timeline_events(dossier),
        actions=available_actions(dossier, user, now),
        answerable=answerable_consultations(dossier, user, now),
        show_secret=may_see_secret(user, dossier),
        late_consultations={c.pk for c in dossier.consultations.all() if consultation_late(c, now)},
        digitisation=digitisation_of(dossier),
    )


def document_of_dossier(user, code: str, document_id: uuid.UUID) -> Document:
    """A document attached to a dossier the user may see; NotFound otherwise — a document id taken
    from another dossier does not open through this one (R-26)."""
    dossier = visible_dossiers(user).filter(code=code).only("pk").first()
    link = (
        DossierDocument.objects.select_related("document")
        .filter(dossier=dossier, document_id=document_id)
        .first()
        if dossier is not None
        else None
    )
    if link is None:
        raise NotFound("Không tìm thấy tài liệu của hồ sơ.", code="document_not_found")
    return link.document


def consultable_units(dossier: Dossier, *, on: datetime.date | None = None) -> QuerySet[Unit]:
    """Agencies the lead unit may consult (R-12): any unit in force but itself and the divisions."""
    return (
        Unit.objects.valid_on(on or timezone.localdate())
        .exclude(pk=dossier.deciding_unit_id)
        .exclude(kind=UnitKind.DIVISION)
        .order_by("level", "name")
    )


def earlier_steps(dossier: Dossier) -> list:
    """The steps of the dossier's process a dossier may be returned to (before the current one)."""
    step = dossier.current_step
    if step is None or not dossier.process_version_id:
        return []
    return [s for s in dossier.process_version.steps.all() if s.order < step.order]


# --- in-person attempts refused (R-19, R-21) -----------------------------------------------------


def refused_attempts(
    units: list[int], start: datetime.datetime, end: datetime.datetime
) -> QuerySet[RefusedAttempt]:
    """R-21: the in-person attempts refused under R-19 at the reception points of `units` (the unit
    of the counter where the applicant was turned away) in [start, end), newest first."""
    return RefusedAttempt.objects.filter(unit_id__in=units, at__gte=start, at__lt=end).select_related(
        "procedure", "unit", "counter"
    )
