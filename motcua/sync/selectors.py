"""Sync health (R-22, issue 9 item 3): where the province stands with the National Public Service
Portal, per unit and period, and indicator 1.4 of QĐ 766/QĐ-TTg (REGULATIONS §1.3).

Which dossiers a unit answers for. A dossier belongs to a unit when the unit (or one of its
sub-units) received it or decides it: the portal files a dossier under its deciding unit
(`DonViXuLy`), and the one-stop centres, which receive on the departments' behalf (R-01), answer for
the reception being reported. A dossier the provincial Centre received for a department therefore
counts for both; a unit's own figures count every dossier once.

Which dossiers a period holds. Indicator 1.4 counts "hồ sơ đã đồng bộ có Ngày tiếp nhận trong
kỳ": the period is read on `NgayTiepNhan` (our `received_at`), in Asia/Ho_Chi_Minh days. A dossier
only submitted online (status 1 "Mới đăng ký") has no NgayTiepNhan and the portal does not count it
in any period — it counts from its reception, like every other. A dossier refused at reception has
no NgayTiepNhan either (status 3 carries NgayTuChoi) and is left out for the same reason.

"Synced" means the portal holds it: at least one national-portal message acknowledged
(`OutboxMessage.delivered_at`), or the portal confirmed the dossier exists
(`NationalRecord.added_at`, also set by an "already exists" answer).

Queries stay few whatever the number of units: the unit tree is read once, the dossiers of a unit
and period are counted in one query grouped by (receiving unit, deciding unit) and spread over the
sub-units in Python; the outbox likewise; the lag percentiles are read by rank in SQL (no rows
loaded), which works the same on SQLite and PostgreSQL.
"""

import calendar as pycalendar
import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from motcua.dossiers.models import Dossier, OutboxMessage, OutboxTopic
from motcua.dossiers.queues import scope_of
from motcua.dossiers.selectors import visible_dossiers
from motcua.org.models import Role, Unit, UnitKind
from motcua.sync.models import DeadLetter, NationalRecord

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TWO_PLACES = Decimal("0.01")

# Who may read the sync health (issue 9 item 3): the provincial office and the administrators for
# the whole province, unit leaders and Centre staff for their own units (reach as R-26,
# queues.scope_of). Only the first two may put a dead letter back in the queue.
HEALTH_ROLES = (Role.PROVINCIAL_OFFICE, Role.ADMINISTRATOR, Role.UNIT_LEADER, Role.CENTRE_STAFF)
RESEND_ROLES = (Role.PROVINCIAL_OFFICE, Role.ADMINISTRATOR)

INDICATOR_1_4_MAX = 6


# --- periods -------------------------------------------------------------------------------------

PERIOD_KINDS = ("month", "quarter", "year", "range")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    """Reporting period (REGULATIONS §1.4: month, quarter, year; or any from–to), as local days,
    both ends included."""

    kind: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = pycalendar.monthrange(year, month)[1]
        return cls("month", datetime.date(year, month, 1), datetime.date(year, month, last))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = 3 * (quarter - 1) + 1
        last = pycalendar.monthrange(year, first + 2)[1]
        return cls("quarter", datetime.date(year, first, 1), datetime.date(year, first + 2, last))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def between(cls, start: datetime.date, end: datetime.date) -> "Period":
        if end < start:
            raise ValueError("end before start")
        return cls("range", start, end)

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> "Period":
        if kind == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == "year":
            return cls.year(day.year)
        return cls.month(day.year, day.month)

    @property
    def quarter_number(self) -> int:
        return (self.start.month - 1) // 3 + 1

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[local midnight of the first day, local midnight after the last day)."""
        start = datetime.datetime.combine(self.start, datetime.time(), tzinfo=LOCAL_TZ)
        end = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time(), tzinfo=LOCAL_TZ
        )
        return start, end

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"Tháng {self.start.month}/{self.start.year}"
        if self.kind == "quarter":
            return f"Quý {ROMAN[self.quarter_number]}/{self.start.year}"
        if self.kind == "year":
            return f"Năm {self.start.year}"
        return f"Từ {self.start:%d/%m/%Y} đến {self.end:%d/%m/%Y}"

    def previous(self) -> "Period":
        if self.kind == "range":
            length = self.end - self.start
            end = self.start - datetime.timedelta(days=1)
            return Period.between(end - length, end)
        return Period.containing(self.kind, self.start - datetime.timedelta(days=1))

    def following(self) -> "Period":
        if self.kind == "range":
            length = self.end - self.start
            start = self.end + datetime.timedelta(days=1)
            return Period.between(start, start + length)
        return Period.containing(self.kind, self.end + datetime.timedelta(days=1))


# --- the unit tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitNode:
    pk: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    def valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def valid_during(self, period: Period) -> bool:
        return (self.valid_from is None or self.valid_from <= period.end) and (
            self.valid_to is None or self.valid_to >= period.start
        )


@dataclass(frozen=True)
class UnitTree:
    """Every unit, read in one query (a province has a few hundred)."""

    nodes: dict[int, UnitNode]
    children: dict[int, list[int]]

    def subtree(self, pk: int) -> list[int]:
        """`pk` and all its descendants, depth first in code order (the whole subtree: a unit's
        sync health includes its sub-units', whatever their kind)."""
        found, stack = [], [pk]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(self.children.get(node, [])))
        return found


def unit_tree() -> UnitTree:
    rows = Unit.objects.order_by("code").values_list(
        "pk", "code", "name", "kind", "parent_id", "valid_from", "valid_to"
    )
    nodes = {row[0]: UnitNode(*row) for row in rows}
    children: dict[int, list[int]] = defaultdict(list)
    for node in nodes.values():
        if node.parent_id is not None and node.parent_id in nodes:
            children[node.parent_id].append(node.pk)
    return UnitTree(nodes=nodes, children=dict(children))


def _unit_ids(unit: Unit | int, tree: UnitTree | None) -> list[int]:
    pk = unit if isinstance(unit, int) else unit.pk
    return (tree or unit_tree()).subtree(pk)


def _dossier_of_units(ids: Iterable[int], prefix: str = "") -> Q:
    ids = sorted(ids)
    return Q(**{f"{prefix}receiving_unit_id__in": ids}) | Q(**{f"{prefix}deciding_unit_id__in": ids})


# --- who may see what ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthScope:
    """The units whose sync health a user may read (each with its sub-units' figures) and those
    whose dead letters they may re-send."""

    units: frozenset[int]
    resend_units: frozenset[int]

    @property
    def allowed(self) -> bool:
        return bool(self.units)

    @property
    def can_resend(self) -> bool:
        return bool(self.resend_units)


def health_scope(user, *, tree: UnitTree | None = None) -> HealthScope:
    """As queues.scope_of (R-26): the province-wide roles reach the whole subtree of their unit,
    unit leaders and Centre staff their unit and its divisions. A superuser sees everything."""
    if not getattr(user, "is_authenticated", False):
        return HealthScope(frozenset(), frozenset())
    if user.is_superuser:
        every = frozenset((tree or unit_tree()).nodes)
        return HealthScope(every, every)
    scope = scope_of(user)
    return HealthScope(scope.units(HEALTH_ROLES), scope.units(RESEND_ROLES))


def pickable_units(scope: HealthScope, tree: UnitTree) -> list[tuple[UnitNode, int]]:
    """(unit, depth) the user may choose, parents before children; divisions are left out (the
    dossiers are received and decided by agencies, a division's figures are its agency's)."""
    picked: list[tuple[UnitNode, int]] = []
    roots = [pk for pk, n in tree.nodes.items() if n.parent_id is None or n.parent_id not in tree.nodes]

    def walk(pk: int, depth: int) -> None:
        node = tree.nodes[pk]
        here = pk in scope.units and node.kind != UnitKind.DIVISION
        if here:
            picked.append((node, depth))
        for child in tree.children.get(pk, []):
            walk(child, depth + 1 if here else depth)

    today = timezone.localdate()
    # units in force first (a province merged away in 2025 comes after the one that absorbed it)
    for root in sorted(roots, key=lambda pk: (not tree.nodes[pk].valid_on(today), tree.nodes[pk].code)):
        walk(root, 0)
    return picked


# --- figures -------------------------------------------------------------------------------------


def _rate(numerator: int, denominator: int) -> Decimal:
    """Percentage rounded to 2 decimals (REGULATIONS §1.4); a zero denominator gives 0."""
    if not denominator:
        return Decimal("0.00")
    return (Decimal(100) * numerator / denominator).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class IndicatorValue:
    numerator: int
    denominator: int
    rate: Decimal  # percent, 2 decimals
    points: Decimal  # 2 decimals
    max_points: int = INDICATOR_1_4_MAX

    @property
    def not_applicable(self) -> bool:
        """ "0 hoặc N/A" on the portal (REGULATIONS §1.4): nothing to compute on."""
        return self.denominator == 0

    @classmethod
    def of(cls, numerator: int, denominator: int, max_points: int = INDICATOR_1_4_MAX) -> "IndicatorValue":
        rate = _rate(numerator, denominator)
        # Group 1 scoring: points = max × rate/100, linear, no threshold (REGULATIONS §1.3).
        points = (max_points * rate / 100).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        return cls(numerator, denominator, rate, points, max_points)


def _synced() -> Q:
    delivered = OutboxMessage.objects.filter(
        topic=OutboxTopic.NATIONAL_PORTAL, dossier_id=OuterRef("pk"), delivered_at__isnull=False
    )
    added = NationalRecord.objects.filter(dossier_id=OuterRef("pk"), added_at__isnull=False)
    return Q(Exists(delivered)) | Q(Exists(added))


def received_dossiers(unit: Unit | int, period: Period, *, tree: UnitTree | None = None) -> QuerySet[Dossier]:
    """Dossiers of the unit and its sub-units with their NgayTiepNhan in the period (see the
    module's docstring for why online submissions count from their reception)."""
    start, end = period.bounds()
    return Dossier.objects.filter(
        _dossier_of_units(_unit_ids(unit, tree)), received_at__gte=start, received_at__lt=end
    )


def synced_dossiers(unit: Unit | int, period: Period, *, tree: UnitTree | None = None) -> QuerySet[Dossier]:
    return received_dossiers(unit, period, tree=tree).filter(_synced())


def unsynced_dossiers(unit: Unit | int, period: Period, *, tree: UnitTree | None = None) -> QuerySet[Dossier]:
    return received_dossiers(unit, period, tree=tree).exclude(_synced())


def _pending(prefix: str = "") -> Q:
    return Q(**{f"{prefix}topic": OutboxTopic.NATIONAL_PORTAL, f"{prefix}delivered_at__isnull": True})


def waiting_dossiers(unit: Unit | int, *, tree: UnitTree | None = None) -> QuerySet[Dossier]:
    """Dossiers of the unit with a national-portal message still to deliver (not parked)."""
    waiting = OutboxMessage.objects.filter(_pending(), dossier_id=OuterRef("pk"), dead_at__isnull=True)
    return Dossier.objects.filter(_dossier_of_units(_unit_ids(unit, tree))).filter(Exists(waiting))


def indicator_1_4(unit: Unit | int, period: Period, *, tree: UnitTree | None = None) -> IndicatorValue:
    """Indicator 1.4 of QĐ 766 "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG" (max 6 points).

    numerator = dossiers of the unit (sub-units included) with NgayTiepNhan in the period that the
    portal holds; rate = numerator / denominator × 100 (2 decimals); points = 6 × rate / 100.

    The portal's denominator is max(count received on DVCQG, count in the national reporting
    system BCQG). Neither can be read here, so the denominator is the province's own count of the
    dossiers it received in the period — what it reports to BCQG, and never less than what it
    synced. The portal's figure can only be lower if dossiers reached it that we do not hold.
    A zero denominator gives rate 0 and 0 points: the portal's fallback (last year's BCQG total
    ÷12, ÷4 or ×1) would divide a numerator of 0 too.
    """
    counts = received_dossiers(unit, period, tree=tree).aggregate(
        received=Count("pk"), synced=Count("pk", filter=_synced())
    )
    return IndicatorValue.of(counts["synced"], counts["received"])


@dataclass(frozen=True)
class LagStats:
    """From the change (message written) to the portal's acknowledgement, over the messages of the
    period that were delivered; percentiles by nearest rank (the value at rank ⌈p·n/100⌉)."""

    delivered: int
    p50: datetime.timedelta | None
    p99: datetime.timedelta | None


def _lag_messages(ids: list[int], period: Period) -> QuerySet[OutboxMessage]:
    start, end = period.bounds()
    return OutboxMessage.objects.filter(
        _dossier_of_units(ids, "dossier__"),
        topic=OutboxTopic.NATIONAL_PORTAL,
        delivered_at__isnull=False,
        created_at__gte=start,
        created_at__lt=end,
    )


def lag(unit: Unit | int, period: Period, *, tree: UnitTree | None = None) -> LagStats:
    """Three queries (a count, then the value at each rank, ordered in SQL): no row is loaded
    into Python, so a year of a province's messages costs a sort, not memory."""
    messages = _lag_messages(_unit_ids(unit, tree), period)
    n = messages.count()
    if not n:
        return LagStats(0, None, None)
    ordered = (
        messages.annotate(
            lag=ExpressionWrapper(F("delivered_at") - F("created_at"), output_field=DurationField())
        )
        .order_by("lag", "pk")
        .values_list("lag", flat=True)
    )

    def at_rank(p: int) -> datetime.timedelta:
        rank = max(1, math.ceil(p * n / 100))
        return ordered[rank - 1]

    return LagStats(n, at_rank(50), at_rank(99))


@dataclass(frozen=True)
class Backlog:
    """National-portal messages not yet acknowledged and not parked (as of now, not per period:
    what is late is late whenever the change happened)."""

    waiting: int
    oldest_at: datetime.datetime | None
    now: datetime.datetime

    @property
    def oldest_age(self) -> datetime.timedelta | None:
        return self.now - self.oldest_at if self.oldest_at else None


@dataclass(frozen=True)
class UnitRow:
    """One line of the per-unit table: a child unit with its own sub-units, or the chosen unit's
    dossiers that no child holds (`direct`)."""

    unit: UnitNode
    direct: bool = False
    received: int = 0
    synced: int = 0
    waiting: int = 0
    dead: int = 0
    oldest_waiting_at: datetime.datetime | None = None

    @property
    def unsynced(self) -> int:
        return self.received - self.synced

    @property
    def indicator(self) -> IndicatorValue:
        return IndicatorValue.of(self.synced, self.received)

    @property
    def empty(self) -> bool:
        return not (self.received or self.waiting or self.dead)


@dataclass(frozen=True)
class SyncHealth:
    unit: UnitNode
    period: Period
    now: datetime.datetime
    received: int
    synced: int
    indicator: IndicatorValue
    lag: LagStats
    backlog: Backlog
    dead: int
    dead_letters: list[OutboxMessage]
    rows: list[UnitRow] = field(default_factory=list)

    @property
    def unsynced(self) -> int:
        return self.received - self.synced

    @property
    def share(self) -> Decimal:
        return self.indicator.rate


DEAD_LETTERS_SHOWN = 20


def _row_of(tree: UnitTree, unit_pk: int) -> dict[int, int]:
    """Unit id → the row that holds it: the child of `unit_pk` above it, or `unit_pk` itself for
    the unit's own dossiers and its divisions' (not agencies: no row of their own)."""
    row_of = {unit_pk: unit_pk}
    for child in tree.children.get(unit_pk, []):
        row = unit_pk if tree.nodes[child].kind == UnitKind.DIVISION else child
        for pk in tree.subtree(child):
            row_of[pk] = row
    return row_of


def sync_health(
    unit: Unit | int,
    period: Period,
    *,
    now: datetime.datetime | None = None,
    tree: UnitTree | None = None,
    dead_letters_shown: int = DEAD_LETTERS_SHOWN,
) -> SyncHealth:
    """Everything the page shows for a unit and period: the unit's figures (its sub-units
    included, each dossier once) and one row per child unit. Seven queries whatever the number
    of units: the tree, the dossiers (grouped), the outbox (grouped), the lag (3), the dead
    letters shown."""
    now = now or timezone.now()
    tree = tree or unit_tree()
    unit_pk = unit if isinstance(unit, int) else unit.pk
    ids = tree.subtree(unit_pk)
    row_of = _row_of(tree, unit_pk)
    start, end = period.bounds()

    acc: dict[int, dict] = defaultdict(
        lambda: {"received": 0, "synced": 0, "waiting": 0, "dead": 0, "oldest": None}
    )
    received = synced = 0
    dossier_groups = (
        Dossier.objects.filter(_dossier_of_units(ids), received_at__gte=start, received_at__lt=end)
        .order_by()
        .values("receiving_unit_id", "deciding_unit_id")
        .annotate(received=Count("pk"), synced=Count("pk", filter=_synced()))
    )
    for group in dossier_groups:
        received += group["received"]
        synced += group["synced"]
        # a dossier received at one child for another counts in both rows, once in each
        for row in {row_of.get(group["receiving_unit_id"]), row_of.get(group["deciding_unit_id"])} - {None}:
            acc[row]["received"] += group["received"]
            acc[row]["synced"] += group["synced"]

    waiting = dead = 0
    oldest: datetime.datetime | None = None
    outbox_groups = (
        OutboxMessage.objects.filter(_pending(), _dossier_of_units(ids, "dossier__"))
        .order_by()
        .values("dossier__receiving_unit_id", "dossier__deciding_unit_id")
        .annotate(
            waiting=Count("pk", filter=Q(dead_at__isnull=True)),
            dead=Count("pk", filter=Q(dead_at__isnull=False)),
            oldest=Min("created_at", filter=Q(dead_at__isnull=True)),
        )
    )
    for group in outbox_groups:
        waiting += group["waiting"]
        dead += group["dead"]
        if group["oldest"] and (oldest is None or group["oldest"] < oldest):
            oldest = group["oldest"]
        pair = {
            row_of.get(group["dossier__receiving_unit_id"]),
            row_of.get(group["dossier__deciding_unit_id"]),
        }
        for row in pair - {None}:
            acc[row]["waiting"] += group["waiting"]
            acc[row]["dead"] += group["dead"]
            if group["oldest"] and (acc[row]["oldest"] is None or group["oldest"] < acc[row]["oldest"]):
                acc[row]["oldest"] = group["oldest"]

    rows = []
    for pk in [unit_pk, *(c for c in tree.children.get(unit_pk, []) if row_of.get(c) == c)]:
        a = acc.get(pk)
        node = tree.nodes[pk]
        if a is None and (pk == unit_pk or not node.valid_during(period)):
            continue  # an empty own row, or a unit not in force then and with nothing to show
        a = a or {"received": 0, "synced": 0, "waiting": 0, "dead": 0, "oldest": None}
        rows.append(
            UnitRow(
                unit=node,
                direct=pk == unit_pk,
                received=a["received"],
                synced=a["synced"],
                waiting=a["waiting"],
                dead=a["dead"],
                oldest_waiting_at=a["oldest"],
            )
        )

    letters = list(
        dead_letter_list(ids).select_related("dossier", "event")[:dead_letters_shown] if dead else []
    )
    return SyncHealth(
        unit=tree.nodes[unit_pk],
        period=period,
        now=now,
        received=received,
        synced=synced,
        indicator=IndicatorValue.of(synced, received),
        lag=lag(unit_pk, period, tree=tree),
        backlog=Backlog(waiting, oldest, now),
        dead=dead,
        dead_letters=letters,
        rows=rows,
    )


def backlog(
    unit: Unit | int, *, now: datetime.datetime | None = None, tree: UnitTree | None = None
) -> Backlog:
    now = now or timezone.now()
    found = OutboxMessage.objects.filter(
        _pending(), _dossier_of_units(_unit_ids(unit, tree), "dossier__"), dead_at__isnull=True
    ).aggregate(waiting=Count("pk"), oldest=Min("created_at"))
    return Backlog(found["waiting"], found["oldest"], now)


def dead_letter_list(unit_or_ids: Unit | int | Iterable[int], *, tree: UnitTree | None = None) -> QuerySet:
    """The unit's parked national-portal messages (the dead-letter list), the latest parked first.
    `unit_or_ids` is a unit or the ids of a subtree already read."""
    ids = _unit_ids(unit_or_ids, tree) if isinstance(unit_or_ids, Unit | int) else list(unit_or_ids)
    return DeadLetter.objects.filter(_dossier_of_units(ids, "dossier__"), delivered_at__isnull=True).order_by(
        "-dead_at", "-pk"
    )


def resendable(user, message_ids: Iterable[int], *, tree: UnitTree | None = None) -> list[int]:
    """Of `message_ids`, the dead letters `user` may put back in the queue: parked messages of
    dossiers of the units where they hold a province-wide resend role (or all, for a superuser)."""
    scope = health_scope(user, tree=tree)
    if not scope.can_resend:
        return []
    wanted = sorted({int(i) for i in message_ids})
    if not wanted:
        return []
    return list(
        dead_letter_list(scope.resend_units).filter(pk__in=wanted).order_by("pk").values_list("pk", flat=True)
    )


# --- the dossiers behind a figure ---------------------------------------------------------------

LISTS = {
    "received": "Hồ sơ tiếp nhận trong kỳ",
    "synced": "Hồ sơ đã đồng bộ",
    "unsynced": "Hồ sơ chưa đồng bộ",
    "waiting": "Hồ sơ còn bản tin chờ gửi",
}


def dossiers_behind(user, unit: Unit | int, period: Period, kind: str, *, tree: UnitTree | None = None):
    """The dossiers a figure counts, among those `user` may see (R-26), oldest reception first."""
    tree = tree or unit_tree()
    if kind == "received":
        qs = received_dossiers(unit, period, tree=tree)
    elif kind == "synced":
        qs = synced_dossiers(unit, period, tree=tree)
    elif kind == "unsynced":
        qs = unsynced_dossiers(unit, period, tree=tree)
    elif kind == "waiting":
        qs = waiting_dossiers(unit, tree=tree)
    else:
        raise KeyError(kind)
    visible = visible_dossiers(user)
    return (
        qs.filter(pk__in=visible.values("pk"))
        .select_related("procedure", "receiving_unit", "deciding_unit")
        .defer("summary", "search_text", "procedure__national_payload")
        .order_by(F("received_at").asc(nulls_last=True), "pk")
    )
