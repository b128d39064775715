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

from motcua.consultations.models import Consultation
from motcua.core.errors import NotFound
from motcua.core.text import search_folded
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep
from motcua.dossiers.states import FINAL_STATES, OPEN_STATES
from motcua.org.models import Role, Unit
from motcua.org.selectors import active_assignments, units_where

# --- who sees what -------------------------------------------------------------------------------


def visible_units(user) -> QuerySet[Unit]:
    """Units where `user` holds any role: each granted unit with its divisions, or for the
    province-wide roles the whole subtree below it (motcua.org.selectors.units_where)."""
    units = Unit.objects.none()
    for role in {a.role for a in active_assignments(user)}:
        units = units | units_where(user, role)
    return units


def is_officer(user) -> bool:
    return getattr(user, "is_authenticated", False) and active_assignments(user).exists()


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Officers see the dossiers their units receive, decide, hold a step of or are consulted on;
    applicants see their own (and what they submitted themselves)."""
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    if user.is_superuser:
        return Dossier.objects.all()
    own = Q(applicant__user=user) | Q(created_by=user)
    units = visible_units(user).values("pk")
    consulted = Consultation.objects.filter(dossier=OuterRef("pk"), to_unit_id__in=units)
    return Dossier.objects.filter(
        own
        | Q(receiving_unit_id__in=units)
        | Q(deciding_unit_id__in=units)
        | Q(current_step__unit_id__in=units)
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
            queryset=DossierDocument.objects.select_related("document").order_by("attached_at", "pk"),
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


def step_status(step: DossierStep, now: datetime.datetime) -> str:
    """Trước hạn / đúng hạn / quá hạn as the sheet of TT 01/2018 (mẫu 02) has them: finished on an
    earlier day than planned is early, on the planned day (not after the planned time) on time."""
    planned = step.planned_end_at
    if step.ended_at is None:
        return "overdue" if planned is not None and now > planned else "in_progress"
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
            status=step_status(step, now),
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
