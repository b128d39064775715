"""Officers' work queues: what each officer has to do now, most urgent first (issue 4).

Every queue is a QuerySet of dossiers restricted to what the user may see and act on (R-26):
the user's units are read once (`scope_of`: two queries) and every queue filters on them, so a
dossier of another unit never appears whatever the filters. The queues overlap on purpose (a late
dossier of mine is in "Đang xử lý của tôi" and in "Quá hạn").

Written for the partial indexes of migration 0004, which cover only the dossiers still in the
administration's hands (a few per cent of the table): every queue states its states explicitly so
that PostgreSQL can use them, and reaches the current step through the open steps only.
"""

import datetime
import operator
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils import timezone

from motcua.calendar.services import get_calendar
from motcua.calendar.units import HOURS_PER_WORKING_DAY, DurationUnit
from motcua.catalog.models import Procedure, ProcedureUnit, ReceptionPoint
from motcua.consultations.models import Consultation
from motcua.core.text import fold
from motcua.dossiers.models import Dossier, ResultDelivery
from motcua.dossiers.states import OPEN_STATES, State
from motcua.org.models import Role, Unit, UnitKind
from motcua.org.selectors import PROVINCE_WIDE_ROLES, active_assignments

DEFAULT_DUE_SOON_WORKING_HOURS = 16
PROCESSING_ROLES = frozenset({Role.PROCESSING_OFFICER, Role.DIVISION_HEAD, Role.UNIT_LEADER})

# States in which a dossier sits at one of its process steps (the step is open).
AT_A_STEP = (State.PROCESSING, State.PAUSED, State.AWAITING_SUPPLEMENT, State.WITHDRAWAL_REQUESTED)
# States in which the clock runs (motcua.dossiers.states.OPEN_STATES), as a list for SQL.
CLOCK_RUNS = tuple(sorted(OPEN_STATES))


@dataclass(frozen=True)
class QueueSpec:
    key: str
    label: str
    # Which of the user's roles the queue serves; a user without them does not get the tab.
    serves: str  # "counter" | "processing" | "leader" | "any"
    # Counted in red in the tabs when not empty: work that is late or blocks someone else.
    hot: bool = False


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec("to_receive", "Chờ tiếp nhận", "counter"),
    QueueSpec("supplement", "Chờ bổ sung", "counter"),
    QueueSpec("mine", "Đang xử lý của tôi", "any"),
    QueueSpec("division", "Phòng/đơn vị tôi", "processing"),
    QueueSpec("consult_in", "Chờ ý kiến (phải trả lời)", "processing", hot=True),
    QueueSpec("consult_out", "Chờ ý kiến (đang chờ)", "processing"),
    QueueSpec("due_soon", "Sắp đến hạn", "any"),
    QueueSpec("overdue", "Quá hạn", "any", hot=True),
    QueueSpec("approvals", "Chờ duyệt", "leader", hot=True),
    QueueSpec("to_return", "Chờ trả kết quả", "counter"),
)
QUEUE_KEYS = tuple(spec.key for spec in QUEUES)
QUEUE_BY_KEY = {spec.key: spec for spec in QUEUES}


# --- whose queues -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The units where the user acts, by role, divisions included (as org.selectors.units_where)."""

    user_id: int | None
    units_by_role: dict[str, frozenset[int]] = field(default_factory=dict)

    def units(self, roles: Iterable[str]) -> frozenset[int]:
        return frozenset().union(*(self.units_by_role.get(str(r), frozenset()) for r in roles))

    @property
    def counter_units(self) -> frozenset[int]:
        return self.units([Role.COUNTER_OFFICER])

    @property
    def processing_units(self) -> frozenset[int]:
        return self.units(PROCESSING_ROLES)

    @property
    def leader_units(self) -> frozenset[int]:
        return self.units([Role.UNIT_LEADER])

    @property
    def all_units(self) -> frozenset[int]:
        return self.units(self.units_by_role)

    def serves(self, spec: QueueSpec) -> bool:
        return {
            "counter": bool(self.counter_units),
            "processing": bool(self.processing_units),
            "leader": bool(self.leader_units),
            "any": bool(self.all_units),
        }[spec.serves]

    def queues(self) -> list[QueueSpec]:
        return [spec for spec in QUEUES if self.serves(spec)]


def scope_of(user, *, on: datetime.date | None = None) -> Scope:
    """The user's units by role in two queries, whatever the number of roles and units.

    The reach is org.selectors.units_where's (R-26): a role covers its unit and that unit's
    divisions; the province-wide roles cover the whole subtree. The unit tree is read once instead
    of walking it level by level for every role.
    """
    if not getattr(user, "is_authenticated", False):
        return Scope(user_id=None)
    granted = [(a.unit_id, a.role) for a in active_assignments(user, on=on)]
    if not granted:
        return Scope(user_id=user.pk)
    children: dict[int, list[tuple[int, str]]] = defaultdict(list)
    merged_into: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id, kind, successor_id in Unit.objects.values_list(
        "pk", "parent_id", "kind", "successor_id"
    ):
        if parent_id is not None:
            children[parent_id].append((pk, kind))
        if successor_id is not None:
            merged_into[successor_id].append(pk)
    reach: dict[str, set[int]] = defaultdict(set)
    for unit_id, role in granted:
        wide = role in PROVINCE_WIDE_ROLES
        frontier = [unit_id]
        while frontier:
            node = frontier.pop()
            if node in reach[role]:
                continue
            reach[role].add(node)
            frontier.extend(pk for pk, kind in children[node] if wide or kind == UnitKind.DIVISION)
            # REGULATIONS §0.2: the successor answers for the units merged into it.
            frontier.extend(merged_into[node])
    return Scope(user_id=user.pk, units_by_role={r: frozenset(ids) for r, ids in reach.items()})


def _scope(who) -> Scope:
    return who if isinstance(who, Scope) else scope_of(who)


# --- the queues ----------------------------------------------------------------------------------


def due_soon_limit(now: datetime.datetime) -> datetime.datetime:
    """ "Sắp đến hạn" = due within N working hours from now (settings.MOTCUA_DUE_SOON_WORKING_HOURS)."""
    hours = getattr(settings, "MOTCUA_DUE_SOON_WORKING_HOURS", DEFAULT_DUE_SOON_WORKING_HOURS)
    return get_calendar().due_at(now, hours, DurationUnit.WORKING_HOURS)


def _at_step(states: Iterable[str], step: Q) -> Q:
    """Dossiers in `states` whose current (open) step matches `step` (a Q on DossierStep). Joined
    from the open steps: few, and found through the partial index on open steps."""
    prefixed = _prefix(step, "current_step__")
    return Q(state__in=sorted(states), current_step__ended_at__isnull=True) & prefixed


def _prefix(q: Q, prefix: str) -> Q:
    """The same condition on a related model, reached through `prefix`."""
    clone = Q(
        *[
            _prefix(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
            for child in q.children
        ]
    )
    clone.connector, clone.negated = q.connector, q.negated
    return clone


@dataclass(frozen=True)
class Arm:
    """One plain condition of a queue, served by one partial index of migration 0004. A queue is
    the union of its arms: an OR across them would make PostgreSQL read every open dossier."""

    q: Q
    via_step: bool = False  # reaches the current step (a join); at most one such arm per queue


def _responsible(scope: Scope, states: Iterable[str], **when) -> list[Arm]:
    """Dossiers with one of the user's units — received, decided or at a step there — that the
    user's units must keep on time (their visibility is visible_dossiers', R-26)."""
    units = sorted(scope.all_units)
    if not units:
        return []
    states = sorted(states)
    return [
        Arm(Q(state__in=states, receiving_unit_id__in=units, **when)),
        Arm(Q(state__in=states, deciding_unit_id__in=units, **when)),
        # a dossier has an open step only in AT_A_STEP states (received: handed over later)
        Arm(_at_step(sorted(set(states) & set(AT_A_STEP)), Q(unit_id__in=units)) & Q(**when), via_step=True),
    ]


def _arms(key: str, scope: Scope, now: datetime.datetime, soon: datetime.datetime) -> list[Arm]:
    """The queue as a union of arms (see Arm)."""
    counters = sorted(scope.counter_units)
    processing = sorted(scope.processing_units)
    leaders = sorted(scope.leader_units)
    if key == "to_receive":
        # the Centre receives on behalf of departments, a department's own point its
        # online dossiers; the counter officers of the receiving unit receive (guards.actor_receives).
        return [Arm(Q(state=State.SUBMITTED, receiving_unit_id__in=counters))] if counters else []
    if key == "supplement":
        # the applicant brings the supplement back to the counter that received the dossier
        # (guards.actor_is_applicant_or_counter), whether it was asked at reception or after appraisal.
        return [Arm(Q(state=State.AWAITING_SUPPLEMENT, receiving_unit_id__in=counters))] if counters else []
    if key == "mine":
        # The step waits for whoever holds its role in its unit (nobody claims a step before
        # finishing it, effects._close_current_step), or for the officer who handles it.
        by_role = [
            Q(role=role, unit_id__in=sorted(units)) for role, units in scope.units_by_role.items() if units
        ]
        if not by_role:
            return []
        step = Q(handler_id=scope.user_id, unit_id__in=sorted(scope.all_units)) | Q(
            Q(handler__isnull=True) & reduce(operator.or_, by_role)
        )
        arms = [Arm(_at_step((State.PROCESSING, State.PAUSED), step), via_step=True)]
        if counters:  # received at my counter, still to be handed over to the deciding unit
            arms.append(Arm(Q(state=State.RECEIVED, receiving_unit_id__in=counters)))
        return arms
    if key == "division":
        if not processing:
            return []
        return [
            Arm(_at_step(AT_A_STEP, Q(unit_id__in=processing)), via_step=True),
            Arm(Q(state=State.RECEIVED, deciding_unit_id__in=processing)),  # on its way to us
        ]
    if key in ("consult_in", "consult_out"):
        if not processing:
            return []
        return [Arm(Q(pk__in=_awaited_consultations(key, processing).values("dossier_id")))]
    if key == "due_soon":
        return _responsible(scope, CLOCK_RUNS, due_at__gte=now, due_at__lt=soon)
    if key == "overdue":
        # Only while the clock runs (selectors._overdue_q): paused or waiting for the applicant
        # is not getting later.
        return _responsible(scope, CLOCK_RUNS, due_at__lt=now)
    if key == "approvals":
        if not leaders:
            return []
        # a withdrawal waits for the head's signed confirmation; R-27: a late (or nearly
        # late) dossier needs the head's apology and new date, once (apologise is allowed while
        # processing, lifecycle.TRANSITIONS).
        return [
            Arm(Q(state=State.WITHDRAWAL_REQUESTED, deciding_unit_id__in=leaders)),
            Arm(
                Q(
                    state=State.PROCESSING,
                    deciding_unit_id__in=leaders,
                    extended_due_at__isnull=True,
                    due_at__lt=soon,
                )
            ),
        ]
    if key == "to_return":
        # Returned at the counter that received it; an electronic result may also be released by
        # the deciding unit (guards.actor_returns_result).
        arms = [Arm(Q(state=State.RESULT_READY, receiving_unit_id__in=counters))] if counters else []
        if processing:
            online = Q(
                state=State.RESULT_READY,
                result_delivery=ResultDelivery.ONLINE,
                deciding_unit_id__in=processing,
            )
            arms.append(Arm(online))
        return arms
    raise KeyError(key)


def _union_ids(arms: list[Arm], *, distinct: bool = True) -> QuerySet:
    parts = [Dossier.objects.filter(arm.q).order_by().values("pk") for arm in arms]
    return parts[0].union(*parts[1:], all=not distinct) if len(parts) > 1 else parts[0]


def _queue(key: str, scope: Scope, now: datetime.datetime, soon: datetime.datetime) -> QuerySet[Dossier]:
    """The dossiers of one queue (unordered): `pk IN (arm UNION ALL arm…)`."""
    arms = _arms(key, scope, now, soon)
    if not arms:
        return Dossier.objects.none()
    if len(arms) == 1:
        return Dossier.objects.filter(arms[0].q)
    return Dossier.objects.filter(pk__in=_union_ids(arms, distinct=False))


def _awaited_consultations(key: str, units: list[int]) -> QuerySet[Consultation]:
    """R-12: consultations my units must answer (consult_in) or wait for (consult_out)."""
    side = "to_unit_id__in" if key == "consult_in" else "from_unit_id__in"
    return Consultation.objects.awaiting().filter(**{side: units})


def _ordered(qs: QuerySet[Dossier], key: str, scope: Scope) -> QuerySet[Dossier]:
    if key in ORDER_COLUMN:  # no deadline running: the longest waiting first
        return qs.order_by(ORDER_COLUMN[key], "pk")
    if key in ("consult_in", "consult_out"):
        first_due = (
            _awaited_consultations(key, sorted(scope.processing_units))
            .filter(dossier_id=OuterRef("pk"))
            .order_by("due_at")
            .values("due_at")[:1]
        )
        return qs.annotate(consultation_due=Subquery(first_due)).order_by(
            F("consultation_due").asc(nulls_last=True), "pk"
        )
    return qs.order_by(F("due_at").asc(nulls_last=True), "pk")


def queue_dossiers(who, key: str, *, now: datetime.datetime | None = None) -> QuerySet[Dossier]:
    """One queue, most urgent first, for a user (or a Scope already read)."""
    now = now or timezone.now()
    scope = _scope(who)
    return _ordered(_queue(key, scope, now, due_soon_limit(now)), key, scope)


def to_receive(who, *, now=None) -> QuerySet[Dossier]:
    """Chờ tiếp nhận: submitted at a unit where the user is a counter officer (R-01, R-02)."""
    return queue_dossiers(who, "to_receive", now=now)


def mine(who, *, now=None) -> QuerySet[Dossier]:
    """Đang xử lý của tôi: at a step I handle or whose unit and role I hold; received at my
    counter and still to be handed over (R-03)."""
    return queue_dossiers(who, "mine", now=now)


def division(who, *, now=None) -> QuerySet[Dossier]:
    """Phòng/đơn vị tôi: at a step of one of my units (divisions included), or received for it."""
    return queue_dossiers(who, "division", now=now)


def consult_in(who, *, now=None) -> QuerySet[Dossier]:
    """Dossiers on which my units owe an answer to a consultation (R-12)."""
    return queue_dossiers(who, "consult_in", now=now)


def consult_out(who, *, now=None) -> QuerySet[Dossier]:
    """Dossiers of my units waiting for another agency's answer (R-12, R-13)."""
    return queue_dossiers(who, "consult_out", now=now)


def due_soon(who, *, now=None) -> QuerySet[Dossier]:
    return queue_dossiers(who, "due_soon", now=now)


def overdue(who, *, now=None) -> QuerySet[Dossier]:
    return queue_dossiers(who, "overdue", now=now)


def approvals(who, *, now=None) -> QuerySet[Dossier]:
    """Chờ duyệt: withdrawals to confirm (R-15) and apologies to sign (R-27) as unit leader."""
    return queue_dossiers(who, "approvals", now=now)


def awaiting_supplement(who, *, now=None) -> QuerySet[Dossier]:
    """Chờ bổ sung: dossiers received at my counter waiting for the applicant's supplement (R-17)."""
    return queue_dossiers(who, "supplement", now=now)


def to_return(who, *, now=None) -> QuerySet[Dossier]:
    return queue_dossiers(who, "to_return", now=now)


def queue_counts(who, now: datetime.datetime | None = None) -> dict[str, int]:
    """The size of each of the user's queues in one query (plus the two of `scope_of`).

    Each queue is counted as its arms' union, read from the partial indexes alone. The arms that
    reach the current step all join the same set — the open steps at the user's units — so that
    join is made once: one aggregate counts, per queue, what its step arm adds to its other arms.
    The statement depends only on the user's units and roles, so it is compiled once per scope
    and reused with the times of each request (`_counts_statement`).
    """
    now = now or timezone.now()
    scope = _scope(who)
    if not scope.queues():
        return {}
    statement = _counts_statement(scope)
    counts = dict.fromkeys(statement.keys, 0)
    if not statement.columns:  # every queue of the user is empty by construction
        return counts
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.bind(now, due_soon_limit(now)))
        row = cursor.fetchone()
    for key, n in zip(statement.columns, row, strict=True):
        counts[key] += int(n or 0)
    return counts


# Stand-ins for "now" and "soon" while a statement is compiled; replaced by the request's times
# when it runs. No dossier date is ever in 1901.
_NOW_STAND_IN = datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC)
_SOON_STAND_IN = datetime.datetime(1901, 1, 2, tzinfo=datetime.UTC)
_COMPILED_LIMIT = 512


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    keys: tuple[str, ...]  # the user's queues
    columns: tuple[str, ...]  # the queue each selected column adds to

    def bind(self, now: datetime.datetime, soon: datetime.datetime) -> list:
        adapt = connection.ops.adapt_datetimefield_value
        stand_ins = {adapt(_NOW_STAND_IN): adapt(now), adapt(_SOON_STAND_IN): adapt(soon)}
        return [stand_ins.get(p, p) if isinstance(p, datetime.datetime | str) else p for p in self.params]


_compiled: "OrderedDict[tuple, _Statement]" = OrderedDict()
_compiled_lock = threading.Lock()


def _counts_statement(scope: Scope) -> _Statement:
    """The counting statement of a scope, compiled by the ORM once (about as long as running it)
    and kept for the next requests of anyone with the same units and roles."""
    key = (
        connection.vendor,
        scope.user_id,
        tuple(sorted((role, tuple(sorted(units))) for role, units in scope.units_by_role.items())),
    )
    with _compiled_lock:
        statement = _compiled.get(key)
        if statement is not None:
            _compiled.move_to_end(key)
            return statement
    statement = _compile_counts(scope, _NOW_STAND_IN, _SOON_STAND_IN)
    with _compiled_lock:
        _compiled[key] = statement
        while len(_compiled) > _COMPILED_LIMIT:
            _compiled.popitem(last=False)
    return statement


def _compile_counts(scope: Scope, now: datetime.datetime, soon: datetime.datetime) -> _Statement:
    parts, params, columns = [], [], []
    step_filters: dict[str, Q] = {}
    keys = tuple(spec.key for spec in scope.queues())
    for key in keys:
        arms = _arms(key, scope, now, soon)
        plain = [arm for arm in arms if not arm.via_step]
        step = [arm.q for arm in arms if arm.via_step]
        if step:
            # counted once: what the step arm holds beyond the queue's other arms
            others = reduce(operator.or_, (arm.q for arm in plain)) if plain else None
            step_filters[key] = step[0] & ~others if others is not None else step[0]
        if not plain:
            continue
        try:
            sql, sql_params = _union_ids(plain).query.sql_with_params()
        except EmptyResultSet:  # an arm that cannot hold anything for this user
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{len(parts)})")
        params.extend(sql_params)
        columns.append(key)
    source = ""
    if step_filters:
        at_my_steps = Dossier.objects.filter(_at_step(AT_A_STEP, Q(unit_id__in=sorted(scope.all_units))))
        query = at_my_steps.query.chain()
        for key, condition in step_filters.items():
            query.add_annotation(Count("pk", filter=condition), f"step_{key}")
        query.set_annotation_mask([f"step_{key}" for key in step_filters])
        query.clear_ordering(force=True)
        query.default_cols = False
        sql, sql_params = query.get_compiler(connection=connection).as_sql()
        # an aggregate without GROUP BY: exactly one row, zeros when no step is open
        parts.extend(f"s.step_{key}" for key in step_filters)
        columns.extend(step_filters)
        source = f" FROM ({sql}) AS s"
        params.extend(sql_params)
    if not parts:
        return _Statement("", (), keys, ())
    return _Statement("SELECT " + ", ".join(parts) + source, tuple(params), keys, tuple(columns))


# --- filters, search, a page of one queue ----------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    procedure: str = ""  # procedure code
    field: str = ""  # lĩnh vực code
    channel: str = ""
    submitted_from: datetime.date | None = None  # local dates, both included
    submitted_to: datetime.date | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return any((self.procedure, self.field, self.channel, self.submitted_from, self.submitted_to, self.q))


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _filter_q(filters: QueueFilters) -> Q:
    """The filters but the search (see `_searched`)."""
    q = Q()
    if filters.procedure:
        q &= Q(procedure__code=filters.procedure)
    if filters.field:
        q &= Q(procedure__field__code=filters.field)
    if filters.channel:
        q &= Q(channel=filters.channel)
    if filters.submitted_from:
        q &= Q(submitted_at__gte=_local_midnight(filters.submitted_from))
    if filters.submitted_to:
        q &= Q(submitted_at__lt=_local_midnight(filters.submitted_to + datetime.timedelta(days=1)))
    return q


def _searched(qs: QuerySet[Dossier], text: str) -> QuerySet[Dossier]:
    """Code, applicant's name or identification number, every word, with or without diacritics
    ("nguyen van thu" finds "Nguyễn Văn Thử"), as core.text.search_folded does.

    Within a queue the candidates are few and their search_text is in the partial indexes, so the
    words are matched there. The match is made on a copy of the column (search_text || ''), which
    keeps PostgreSQL from answering through the trigram index over every dossier ever stored:
    "uy ban nhan dan xa" is in the name of every state body, thousands of dossiers.
    """
    words = fold(text).split()
    if not words:
        return qs
    qs = qs.alias(_searched_text=Concat("search_text", Value(""), output_field=TextField()))
    for word in words:
        qs = qs.filter(_searched_text__contains=word)
    return qs


def filtered(qs: QuerySet[Dossier], filters: QueueFilters) -> QuerySet[Dossier]:
    return _searched(qs.filter(_filter_q(filters)), filters.q)


# The deadline orders every queue but "to_receive", where nothing is due yet, and "supplement", whose
# clock stands until the applicant comes back: the longest waiting first.
ORDER_COLUMN = {"to_receive": "submitted_at", "supplement": "submitted_at"}
# What a row of the table shows besides the dossier (joined in the same query), and the long
# columns it does not show (a procedure's national payload is kilobytes of JSON per row).
ROW_RELATED = ("procedure", "receiving_unit", "deciding_unit", "current_step__unit")
ROW_DEFERRED = (
    "summary",
    "search_text",
    "procedure__national_payload",
    "procedure__steps_text",
    "procedure__methods_text",
    "procedure__applicants_text",
    "procedure__agency_text",
    "procedure__conditions_text",
    "procedure__result_text",
    "procedure__search_text",
)


def _page(
    key: str,
    scope: Scope,
    now: datetime.datetime,
    soon: datetime.datetime,
    filters: QueueFilters,
    start: int,
    stop: int,
) -> QuerySet[Dossier]:
    """Rows [start, stop) of the queue, most urgent first.

    With several arms, the page's ids are picked from the union of the arms ordered by the
    deadline, which the partial indexes hold (INCLUDE): only the rows shown are read from the
    table, not every candidate (a unit's queue holds thousands of dossiers at 1M stored)."""
    arms = _arms(key, scope, now, soon)
    if not arms:
        return Dossier.objects.none()
    if key in ("consult_in", "consult_out"):  # a few dossiers, ordered by the consultation's due date
        return (
            _ordered(filtered(Dossier.objects.filter(arms[0].q), filters), key, scope)
            .select_related(*ROW_RELATED)
            .defer(*ROW_DEFERRED)[start:stop]
        )
    # The filters, the search included, go into every arm: the partial indexes hold the columns
    # they read (search_text too), so a queue is filtered without reading the table.
    column = ORDER_COLUMN.get(key, "due_at")
    parts = [filtered(Dossier.objects.filter(arm.q), filters).order_by().values("id", column) for arm in arms]
    sql, params = (parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]).query.sql_with_params()
    ids = RawSQL(
        f"SELECT u.id FROM ({sql}) AS u ORDER BY u.{column} ASC NULLS LAST, u.id LIMIT %s OFFSET %s",
        (*params, stop - start, start),
    )
    return (
        _ordered(Dossier.objects.filter(pk__in=ids), key, scope)
        .select_related(*ROW_RELATED)
        .defer(*ROW_DEFERRED)
    )


@dataclass(frozen=True)
class Deadline:
    """How a row shows its deadline: css class of the row and badge, and the words."""

    status: str  # "overdue" | "due-soon" | "ok" | "none"
    label: str

    @property
    def badge(self) -> str:
        return {"overdue": "badge-danger", "due-soon": "badge-warn", "ok": "badge-ok"}.get(self.status, "")


def _working_span(delta: datetime.timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    days, hours = divmod(hours, HOURS_PER_WORKING_DAY)
    if days and hours:
        return f"{days} ngày {hours} giờ"
    if days:
        return f"{days} ngày"
    if hours:
        return f"{hours} giờ"
    return f"{max(1, int(delta.total_seconds() // 60))} phút"


def deadline_at(
    due_at: datetime.datetime | None, now: datetime.datetime, soon: datetime.datetime
) -> Deadline:
    """Time left or late, in working time (8 h = 1 working day)."""
    if due_at is None:
        return Deadline("none", "")
    calendar = get_calendar()
    if due_at < now:
        return Deadline("overdue", "Quá hạn " + _working_span(calendar.elapsed(due_at, now)))
    left = "Còn " + _working_span(calendar.elapsed(now, due_at))
    return Deadline("due-soon" if due_at < soon else "ok", left)


def deadline(dossier: Dossier, now: datetime.datetime, soon: datetime.datetime) -> Deadline:
    """A dossier's deadline counts only while its clock runs (not paused, not finished)."""
    if dossier.state not in OPEN_STATES:
        return Deadline("none", "")
    return deadline_at(dossier.due_at, now, soon)


@dataclass(frozen=True)
class QueueRow:
    dossier: Dossier
    deadline: Deadline


@dataclass(frozen=True)
class QueuePage:
    key: str
    rows: list[QueueRow]
    number: int
    per_page: int
    has_next: bool
    total: int | None  # None when not worth a count (see work_queue)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)


@dataclass(frozen=True)
class WorkQueue:
    """Everything the queue page shows: the tabs with their counts and one page of one queue."""

    tabs: list[tuple[QueueSpec, int]]
    page: QueuePage
    now: datetime.datetime


PER_PAGE = 25
MAX_PAGE = 2000


def work_queue(
    who,
    key: str | None,
    filters: QueueFilters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime.datetime | None = None,
) -> WorkQueue:
    """The queue page: the user's tabs with their sizes and one page of the chosen queue (by
    default the first tab with work in it). A fixed number of queries whatever the rows: the
    scope (2), the counts (1), the page (1, with procedure, steps and units joined).

    Pages are cut with LIMIT/OFFSET, one row more than shown to know whether there is a next
    page; the total is the tab's count when no filter is set, otherwise counted only for the
    queue (a bounded set of open dossiers) — never over the whole table.
    """
    now = now or timezone.now()
    scope = _scope(who)
    counts = queue_counts(scope, now)
    tabs = [(spec, counts[spec.key]) for spec in scope.queues()]
    if key is None or key not in counts:
        key = next((spec.key for spec, n in tabs if n), tabs[0][0].key if tabs else "mine")
    soon = due_soon_limit(now)
    page = max(1, min(page, MAX_PAGE))
    start = (page - 1) * per_page
    rows_qs = _page(key, scope, now, soon, filters, start, start + per_page + 1) if key in counts else None
    found = list(rows_qs) if rows_qs is not None else []
    total = counts.get(key, 0) if not filters.active else None
    rows = [QueueRow(d, deadline(d, now, soon)) for d in found[:per_page]]
    return WorkQueue(
        tabs=tabs,
        page=QueuePage(
            key=key,
            rows=rows,
            number=page,
            per_page=per_page,
            has_next=len(found) > per_page,
            total=total,
        ),
        now=now,
    )


@dataclass(frozen=True)
class FilterOptions:
    procedures: list[tuple[str, str]]  # (code, name)
    fields: list[tuple[str, str]]


def filter_options(who) -> FilterOptions:
    """The procedures (and their fields) the user's units own or receive: the filter's choices."""
    scope = _scope(who)
    units = sorted(scope.all_units)
    procedures = (
        Procedure.objects.filter(published=True)
        .filter(
            Q(pk__in=ProcedureUnit.objects.filter(unit_id__in=units).values("procedure_id"))
            | Q(pk__in=ReceptionPoint.objects.filter(unit_id__in=units).values("procedure_id"))
        )
        .select_related("field")
        .order_by("code")
        .only("code", "name", "field__code", "field__name")
    )
    rows = list(procedures)
    fields = sorted({(p.field.code, p.field.name) for p in rows}, key=lambda f: f[1])
    return FilterOptions(procedures=[(p.code, p.name) for p in rows], fields=fields)


# --- the consultation inbox (R-12) ------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    consultation: Consultation
    deadline: Deadline


@dataclass(frozen=True)
class ConsultationInbox:
    to_answer: list[InboxItem]  # my units must answer
    awaited: list[InboxItem]  # my units wait for another agency
    to_answer_total: int
    awaited_total: int
    limit: int
    now: datetime.datetime


INBOX_LIMIT = 200


def consultation_inbox(
    who, *, now: datetime.datetime | None = None, limit: int = INBOX_LIMIT
) -> ConsultationInbox:
    """Consultations awaiting an answer, the most urgent first: those my units must answer (as a
    processing role, guards.actor_in_consulted_unit) and those my units are waiting for. Overdue
    ones carry their reminders (R-12: the second one is copied to the Department of Home Affairs).
    Two queries for the lists (a count only when a list is longer than `limit`)."""
    now = now or timezone.now()
    scope = _scope(who)
    units = sorted(scope.processing_units)
    soon = due_soon_limit(now)

    def listed(key: str) -> tuple[list[InboxItem], int]:
        if not units:
            return [], 0
        qs = (
            _awaited_consultations(key, units)
            .select_related("dossier__procedure", "from_unit", "to_unit", "requested_by")
            .order_by("due_at", "pk")
        )
        found = list(qs[: limit + 1])
        total = len(found) if len(found) <= limit else qs.count()
        return [InboxItem(c, deadline_at(c.due_at, now, soon)) for c in found[:limit]], total

    to_answer, to_answer_total = listed("consult_in")
    awaited, awaited_total = listed("consult_out")
    return ConsultationInbox(to_answer, awaited, to_answer_total, awaited_total, limit, now)
