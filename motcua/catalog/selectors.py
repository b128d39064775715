"""Reads of the procedure catalogue (R-07, R-20, R-24). Written for the indexes; no N+1 on lists."""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from motcua.catalog.models import (
    AgencyRole,
    CaseDuration,
    Channel,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ProcedureLevelLink,
    ProcedureUnit,
    ProcessStep,
    ProcessVersion,
    ReceptionPoint,
)
from motcua.core.errors import NotFound
from motcua.core.text import search_folded
from motcua.org.models import Unit
from motcua.org.services import resolve_unit_code

# Units that answer for a procedure's dossiers; a coordinating unit (cơ quan phối hợp) only
# gives its opinion, so it does not publish the procedure in its own list.
OWNING_ROLES = (AgencyRole.IMPLEMENTING, AgencyRole.COMPETENT, AgencyRole.AUTHORISED)


def _list_queryset() -> QuerySet[Procedure]:
    return Procedure.objects.select_related("field").prefetch_related("levels").order_by("code")


def search_procedures(
    *,
    q: str = "",
    level: str | None = None,
    unit: str | None = None,
    internal: bool | None = None,
    online_level: str | None = None,
    field: str | None = None,
) -> QuerySet[Procedure]:
    """The public catalogue lookup: "giay phep xay dung" finds "Cấp giấy phép xây dựng".

    Every word of the folded query must occur in the folded code + name (`search_text`).
    Level and unit filter through sub-queries so a procedure never appears twice.
    """
    qs = search_folded(_list_queryset(), "search_text", q)
    if level:
        qs = qs.filter(pk__in=ProcedureLevelLink.objects.filter(level=level).values("procedure_id"))
    if unit:
        # An old unit code (merged away, REGULATIONS §0.2) lists the procedures of its successor.
        current = resolve_unit_code(unit)
        code = current.code if current is not None else unit
        qs = qs.filter(pk__in=ProcedureUnit.objects.filter(unit__code=code).values("procedure_id"))
    if internal is not None:
        qs = qs.filter(internal=internal)
    if online_level:
        qs = qs.filter(online_level=online_level)
    if field:
        qs = qs.filter(field__code=field)
    return qs


def procedure_detail(code: str) -> Procedure:
    """One procedure with everything the detail page shows, in a fixed number of queries.

    Reception points already ended (e.g. after a merger) are history, not where to apply today,
    so only the current and future ones are attached.
    """
    today = timezone.localdate()
    cases = ProcedureCase.objects.order_by("order", "pk").prefetch_related("durations", "fees", "documents")
    points = (
        ReceptionPoint.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("unit", "counter", "on_behalf_of")
        .order_by("channel", "valid_from", "pk")
    )
    try:
        return (
            Procedure.objects.select_related("field")
            .prefetch_related(
                "levels",
                Prefetch(
                    "unit_links", queryset=ProcedureUnit.objects.select_related("unit").order_by("role", "pk")
                ),
                Prefetch("cases", queryset=cases),
                "results",
                "legal_bases",
                Prefetch("reception_points", queryset=points),
            )
            .get(code=code.strip())
        )
    except Procedure.DoesNotExist:
        raise NotFound(
            f"Không tìm thấy thủ tục hành chính có mã {code}.", code="procedure_not_found"
        ) from None


def active_process_version(case: ProcedureCase, channel: str, at: datetime.datetime) -> ProcessVersion | None:
    """The process a dossier received on `channel` at `at` must follow (R-04, R-24).

    Candidates are the versions for that channel and the ones serving every channel (""); the
    latest approved one already in force wins, so a newly approved general process supersedes
    an older channel-specific one. Dossiers store the version they started with, so later
    versions never reach them.
    """
    return (
        ProcessVersion.objects.filter(case=case, channel__in={channel, ""}, effective_from__lte=at)
        .order_by("-effective_from", "-number", "-channel")
        .prefetch_related(Prefetch("steps", queryset=ProcessStep.objects.select_related("unit")))
        .first()
    )


def internal_procedures_not_received_in_person(unit: Unit | None = None) -> QuerySet[Procedure]:
    """R-20: the published list of internal procedures that must be submitted online (R-19).

    Computed from the catalogue (internal + a partial or full online service), never kept by hand;
    with `unit`, only the procedures that unit implements, decides or is authorised for.
    """
    qs = _list_queryset().filter(
        internal=True, published=True, online_level__in=[OnlineLevel.PARTIAL, OnlineLevel.FULL]
    )
    if unit is not None:
        owned = ProcedureUnit.objects.filter(unit=unit, role__in=OWNING_ROLES).values("procedure_id")
        qs = qs.filter(pk__in=owned)
    return qs


def case_duration(case: ProcedureCase, channel: str) -> CaseDuration | None:
    """The legal time limit of `case` for a dossier submitted on `channel`: the channel's own, else
    the counter's, else the first one published."""
    durations = {d.channel: d for d in case.durations.all()}
    return durations.get(channel) or durations.get(Channel.COUNTER) or next(iter(durations.values()), None)


# --- the citizens' portal ----------------------------------------------------------------------------


def public_procedures(**filters) -> QuerySet[Procedure]:
    """`search_procedures` as the public sees it: published procedures for citizens and businesses
    (the internal ones of R-18 are between state bodies and listed in the back office)."""
    return search_procedures(internal=False, **filters).filter(published=True)


def public_fields() -> QuerySet[Field]:
    """The fields (lĩnh vực) that have a published public procedure, for the search filter."""
    public = Procedure.objects.filter(published=True, internal=False).values("field_id")
    return Field.objects.filter(pk__in=public).order_by("name")


def public_units() -> QuerySet[Unit]:
    """The units that own a published public procedure today, for the search filter."""
    owning = ProcedureUnit.objects.filter(
        role__in=OWNING_ROLES, procedure__published=True, procedure__internal=False
    ).values("unit_id")
    return Unit.objects.valid_on(timezone.localdate()).filter(pk__in=owning).order_by("name")
