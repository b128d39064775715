"""The counter's read side (R-01, R-07, R-19): which procedures an officer's counters receive, what
receiving a dossier now would promise (the appointment date), and who the applicant already is.
The writes are `services.receive_at_counter`."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from motcua.calendar.services import appointment_text, get_calendar
from motcua.catalog.models import (
    CaseDuration,
    Channel,
    Fee,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ProcedureUnit,
    ReceptionPoint,
    RequiredDocument,
)
from motcua.catalog.selectors import OWNING_ROLES, case_duration, procedure_detail, search_procedures
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.dossiers.guards import refuse_internal_offline
from motcua.org.models import Applicant, ApplicantKind, Counter, Role, Unit
from motcua.org.selectors import active_assignments


@dataclass(frozen=True)
class CounterProcedure:
    procedure: Procedure
    counters: list[str]
    deciding_units: list[Unit]
    own_counter: bool  # received at the officer's own counter (the others of their centre also may)
    refusal: DomainError | None  # shown before the officer starts


def _counter_assignments(user, day: datetime.date) -> list:
    return [a for a in active_assignments(user, on=day) if a.role == Role.COUNTER_OFFICER]


def _counter_refusal(procedure: Procedure) -> DomainError | None:
    try:
        refuse_internal_offline(procedure, Channel.COUNTER)
    except DomainError as exc:
        return exc
    return None


def _counter_label(point: ReceptionPoint) -> str:
    return f"Quầy {point.counter.number} — {point.counter.name}" if point.counter_id else point.unit.name


def counter_procedures(
    user, q: str = "", *, on: datetime.date | None = None, limit: int = 60
) -> list[CounterProcedure]:
    """R-01, R-07: the procedures the officer's counters receive in person (their own counter's
    first), searched without diacritics; then the internal procedures with an online service that
    the counters would otherwise see, each with R-19's refusal — all of them matching `q` when
    searching, else those of the units the officer's counters serve."""
    day = on or timezone.localdate()
    assignments = _counter_assignments(user, day)
    units = {a.unit_id for a in assignments}
    own = {a.counter_id for a in assignments if a.counter_id}
    points = list(
        ReceptionPoint.objects.valid_on(day)
        .filter(channel=Channel.COUNTER, unit_id__in=units)
        .select_related("unit", "counter", "on_behalf_of")
    )
    by_procedure: dict[int, list[ReceptionPoint]] = {}
    for point in points:
        by_procedure.setdefault(point.procedure_id, []).append(point)
    receivable = list(search_procedures(q=q).filter(published=True, pk__in=list(by_procedure))[: limit * 2])

    def row(procedure: Procedure, pts: list[ReceptionPoint]) -> CounterProcedure:
        deciding = {(p.on_behalf_of or p.unit).pk: (p.on_behalf_of or p.unit) for p in pts}
        return CounterProcedure(
            procedure=procedure,
            counters=sorted({_counter_label(p) for p in pts}),
            deciding_units=list(deciding.values()),
            own_counter=any(p.counter_id in own for p in pts),
            refusal=_counter_refusal(procedure),
        )

    rows = sorted(
        (row(p, by_procedure[p.pk]) for p in receivable), key=lambda r: (not r.own_counter, r.procedure.code)
    )[:limit]
    online_only = (
        search_procedures(q=q, internal=True).filter(published=True).exclude(online_level=OnlineLevel.NONE)
    )
    if not q.strip():
        served = set(
            Counter.objects.filter(centre_id__in=units, serves__isnull=False).values_list("serves", flat=True)
        )
        owned = ProcedureUnit.objects.filter(unit_id__in=served | units, role__in=OWNING_ROLES)
        online_only = online_only.filter(pk__in=owned.values("procedure_id"))
    seen = {r.procedure.pk for r in rows}
    rows += [row(p, []) for p in online_only[:limit] if p.pk not in seen]
    return rows


@dataclass(frozen=True)
class AppointmentPreview:
    due_at: datetime.datetime
    duration: CaseDuration
    text: str  # as the receipt prints it: "08 giờ 00 phút, thứ Hai, ngày 23/02/2026"


def appointment_preview(
    procedure: Procedure, case: ProcedureCase, channel: str, now: datetime.datetime | None = None
) -> AppointmentPreview | None:
    """The appointment the receipt would give if the dossier were received now: the case's legal
    time for the channel on the working calendar (the same arithmetic as reception, R-27)."""
    duration = case_duration(case, channel)
    if duration is None:
        return None
    due = get_calendar().due_at(now or timezone.now(), duration.value, duration.unit)
    return AppointmentPreview(due_at=due, duration=duration, text=appointment_text(due))


@dataclass
class ReceptionSetup:
    """What the counter form needs for one procedure: its cases, the chosen case's documents, fees
    and appointment, the deciding units to choose from, and a refusal known before starting."""

    procedure: Procedure
    cases: list[ProcedureCase]
    case: ProcedureCase | None
    deciding_units: list[Unit]
    counters: list[str]
    refusal: DomainError | None
    appointment: AppointmentPreview | None = None
    fees: list[Fee] = field(default_factory=list)
    required_documents: list[RequiredDocument] = field(default_factory=list)


def reception_setup(
    user, procedure_code: str, case_code: str = "", *, now: datetime.datetime | None = None
) -> ReceptionSetup:
    now = now or timezone.now()
    day = timezone.localdate(now)
    procedure = procedure_detail(procedure_code)
    if not procedure.published:
        raise NotFound(
            "Không tìm thấy thủ tục hành chính đang công khai với mã này.", code="procedure_not_found"
        )
    units = {a.unit_id for a in _counter_assignments(user, day)}
    points = [
        p
        for p in procedure.reception_points.all()
        if p.channel == Channel.COUNTER and p.unit_id in units and p.is_valid_on(day)
    ]
    refusal = _counter_refusal(procedure)
    if refusal is None and not points:
        refusal = PermissionDenied(
            "Quầy của bạn không được giao tiếp nhận thủ tục này (xem đầu mối tiếp nhận).", rule="R-01"
        )
    cases = list(procedure.cases.all())
    case = next((c for c in cases if c.code == case_code), None) if case_code else None
    if case is None and len(cases) == 1:
        case = cases[0]
    deciding = {(p.on_behalf_of or p.unit).pk: (p.on_behalf_of or p.unit) for p in points}
    setup = ReceptionSetup(
        procedure=procedure,
        cases=cases,
        case=case,
        deciding_units=list(deciding.values()),
        counters=sorted({_counter_label(p) for p in points}),
        refusal=refusal,
    )
    if case is not None:
        setup.appointment = appointment_preview(procedure, case, Channel.COUNTER, now)
        setup.fees = [f for f in case.fees.all() if f.channel in ("", Channel.COUNTER)]
        setup.required_documents = sorted(case.documents.all(), key=lambda d: (d.order, d.pk))
    return setup


@dataclass(frozen=True)
class ApplicantFound:
    known: bool  # an applicant record exists (else: a state body's name from the unit list)
    name: str
    phone: str = ""
    email: str = ""
    address: str = ""


def find_applicant(kind: str, identifier: str) -> ApplicantFound | None:
    """The counter's look-up by identification number, tax code or agency code: the name on record,
    so it is not typed again. A person's stored contacts (phone, e-mail, address) are theirs alone
    (issue 8 item 3): anyone can type an identifier, so the officer asks the person in front of him
    instead. A state body's contacts are the unit list's, which is public."""
    identifier = identifier.strip()
    if not identifier:
        return None
    applicant = Applicant.objects.filter(kind=kind, identifier=identifier).first()
    if applicant is not None:
        return ApplicantFound(True, applicant.name)
    if kind == ApplicantKind.STATE_BODY:
        unit = Unit.objects.filter(code=identifier).first()
        if unit is not None:
            return ApplicantFound(False, unit.name, unit.phone, unit.email, unit.address)
    return None
