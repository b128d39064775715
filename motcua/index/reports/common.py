"""What every one-stop report shares: the period, who may read which units, the figures and the
lists of records behind them.

A report is a handful of named figures (`Figure`: a label and a condition on the report's records)
counted per unit in one SQL query — `COUNT(*) FILTER (WHERE …)` grouped by unit (conditional
aggregation, never a loop over dossiers in Python) — and the list behind each figure is the same
condition applied to the same records, paginated. So a count and its list can never disagree: a
`Listing` holds both, and counts (`Listing.counts`) as it lists (`Listing.behind`). A table's rows
are then one per unit (`UnitRow`, `unit_rows`), with the procedures each unit implements beside
them where a report shows those (`procedures_per_unit`).

Periods are local (Asia/Ho_Chi_Minh) days, both ends included, as the sync-health page and the
766 index read them (`motcua.sync.selectors.Period`).
"""

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import MISSING, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from motcua.catalog.models import AgencyRole, OnlineLevel, ProcedureUnit
from motcua.catalog.models import Field as CatalogField
from motcua.dossiers.models import Dossier
from motcua.legacy.selectors import report_units
from motcua.org.models import Role, UnitKind
from motcua.org.selectors import active_assignments, units_where
from motcua.sync.selectors import LOCAL_TZ, ROMAN, Period, UnitNode, UnitTree, unit_tree

__all__ = [
    "LOCAL_TZ",
    "ROMAN",
    "Figure",
    "Listing",
    "Period",
    "ReaderScope",
    "UnitRef",
    "UnitRow",
    "UnitTree",
    "Window",
    "count_by",
    "rate",
    "reader_scope",
    "summed",
    "unit_rows",
    "unit_tree",
]

TWO_PLACES = Decimal("0.01")
NO_HANDLER = "Chưa có người nhận xử lý (bước đang mở)"
# How many rows one page of a list shows; the lists are read a page at a time (LIMIT/OFFSET).
PAGE_SIZE = 50
# A procedure "has an online service" when it is offered fully or partly online.
WITH_ONLINE_SERVICE = (OnlineLevel.FULL, OnlineLevel.PARTIAL)


# --- the period ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A period as instants: [start, end) in Vietnam's time, and `now`, which a figure about
    lateness must not look past (a dossier due tomorrow is not late in this quarter yet)."""

    period: Period
    now: datetime.datetime

    @property
    def start(self) -> datetime.datetime:
        return self.period.bounds()[0]

    @property
    def end(self) -> datetime.datetime:
        return self.period.bounds()[1]

    @property
    def cutoff(self) -> datetime.datetime:
        """The instant lateness is judged at: the end of the period, or now if that comes first."""
        return min(self.end, self.now)


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage rounded to 2 decimals (REGULATIONS §1.4); None when nothing was counted (the
    pages show "—": a share of nothing is not 0 %)."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(TWO_PLACES, ROUND_HALF_UP)


# --- units ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    """A unit as a report row names it (read from the unit tree, no query per row)."""

    pk: int
    code: str
    name: str

    @classmethod
    def of(cls, node: UnitNode) -> "UnitRef":
        return cls(node.pk, node.code, node.name)


TOTAL = UnitRef(0, "", "Tổng cộng")


def unit_ref(tree: UnitTree, pk: int | None) -> UnitRef:
    node = tree.nodes.get(pk) if pk is not None else None
    return UnitRef.of(node) if node else UnitRef(pk or 0, "", "(không rõ đơn vị)")


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def names_of(people: Iterable[int]) -> dict[int, str]:
    """The officers' names as a table shows them, in one query."""
    return {u.pk: person_name(u) for u in get_user_model().objects.filter(pk__in=set(people))}


# --- who may read which units (R-26) -------------------------------------------------------------

# The provincial office and administrators read the whole province, unit leaders their own units,
# as for the report of legacy dossiers (`legacy.selectors.report_units`). R-16: the late replies to
# consultations are counted "for the Department of Home Affairs' evaluation report", so its
# civil-service evaluators read that report too, over the units their role covers.
HOME_AFFAIRS_RULES = frozenset({"R-16"})


@dataclass(frozen=True)
class ReaderScope:
    """The units a reader may see in one report: None = the whole province."""

    units: frozenset[int] | None

    @property
    def allowed(self) -> bool:
        return self.units is None or bool(self.units)

    @property
    def whole_province(self) -> bool:
        return self.units is None

    def within(self, tree: UnitTree, pk: int | None) -> frozenset[int] | None:
        """The units a report on `pk` (with its sub-units) covers for this reader; `pk` None means
        every unit the reader may see."""
        if pk is None:
            return self.units
        chosen = frozenset(tree.subtree(pk))
        return chosen if self.units is None else chosen & self.units

    def pickable(self, tree: UnitTree, *, on: datetime.date) -> list[tuple[UnitNode, int]]:
        """(unit, depth) a reader may choose, parents first, the units in force before those that
        ended (a merged unit stays choosable for its history); divisions are left out: an agency's
        dossiers are decided by the agency."""
        picked: list[tuple[UnitNode, int]] = []
        roots = [pk for pk, n in tree.nodes.items() if n.parent_id is None or n.parent_id not in tree.nodes]

        def walk(pk: int, depth: int) -> None:
            node = tree.nodes[pk]
            here = (self.units is None or pk in self.units) and node.kind != UnitKind.DIVISION
            if here:
                picked.append((node, depth))
            for child in tree.children.get(pk, []):
                walk(child, depth + 1 if here else depth)

        for root in sorted(roots, key=lambda pk: (not tree.nodes[pk].valid_on(on), tree.nodes[pk].code)):
            walk(root, 0)
        return picked


def reader_scope(user, rule: str) -> ReaderScope:
    """Who reads report `rule` (R-26): None for the whole province (provincial office,
    administrators, superusers; for R-16 also the Department of Home Affairs' evaluators, over the
    units their role covers), a unit leader's own units, nothing for anybody else."""
    if not getattr(user, "is_authenticated", False):
        return ReaderScope(frozenset())
    units = report_units(user)
    if units is None:
        return ReaderScope(None)
    ids = set(units.values_list("pk", flat=True))
    if rule in HOME_AFFAIRS_RULES and any(a.role == Role.HOME_AFFAIRS for a in active_assignments(user)):
        ids |= set(units_where(user, Role.HOME_AFFAIRS).values_list("pk", flat=True))
    return ReaderScope(frozenset(ids))


# --- figures -------------------------------------------------------------------------------------

Condition = Callable[[Window], Q]


@dataclass(frozen=True)
class Figure:
    """One count of a report: its label and the condition a record must meet to be counted (the
    same condition lists the records behind the count)."""

    key: str
    label: str
    condition: Condition


def every(_: Window) -> Q:
    """Every record of the report (the figure its others are parts of)."""
    return Q(pk__isnull=False)


def submitted_via(channel: str) -> Condition:
    """The records submitted through `channel` (online, at the counter, by post)."""
    return lambda _: Q(channel=channel)


def figure_table(*figures: Figure) -> dict[str, Figure]:
    """A report's figures by key, in the order its tables show them."""
    return {f.key: f for f in figures}


@contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL compiles a query with JIT when its estimated cost is high, and the many FILTER
    clauses and sub-plans of a report inflate that estimate: on 300,000 dossiers the compilation
    took longer than the query itself (R-10 for a quarter: 1.45 s with JIT, 0.39 s without). So
    the report's aggregate runs with JIT off, for its own transaction only."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def count_by(
    records: QuerySet, group: Sequence[str], figures: Iterable[Figure], window: Window
) -> dict[tuple, dict[str, int]]:
    """Every figure for each value of `group`, in one query:
    SELECT group…, COUNT(*) FILTER (WHERE figure₁), … GROUP BY group…"""
    figures = list(figures)
    rows = (
        records.order_by()
        .values(*group)
        .annotate(**{f.key: Count("pk", filter=f.condition(window)) for f in figures})
    )
    with _without_jit():
        return {tuple(row[g] for g in group): {f.key: row[f.key] for f in figures} for row in rows}


@dataclass(frozen=True)
class Listing:
    """The records behind a report's figures: `records(window)` are the report's records in the
    period, `unit_field` the unit they are counted under, `params` the other row keys a table may
    pass (url parameter → field lookup), `order` how the list is sorted (oldest concern first)."""

    kind: str  # "dossier" | "consultation" | "step" | "apology": which list template shows it
    records: Callable[[Window], QuerySet]
    figures: Mapping[str, Figure]
    unit_field: str
    order: tuple[str, ...]
    params: Mapping[str, str] = None  # type: ignore[assignment]
    related: tuple[str, ...] = ()

    def within(self, window: Window, units: frozenset[int] | None) -> QuerySet:
        """The report's records in the period, within the reader's units (None = every unit)."""
        return in_units(self.records(window), self.unit_field, units)

    def counts(
        self, window: Window, units: frozenset[int] | None, group: Sequence[str] = ()
    ) -> dict[tuple, dict[str, int]]:
        """Every figure for each value of `group` (by default the unit), in one query: counted from
        the same records and conditions as `behind` lists them."""
        return count_by(self.within(window, units), group or [self.unit_field], self.figures.values(), window)

    def per_unit(self, window: Window, units: frozenset[int] | None) -> dict[int, dict[str, int]]:
        """Every figure per unit (pk → {figure: count}), in one query."""
        return {unit: values for (unit,), values in self.counts(window, units).items()}

    def behind(
        self,
        figure: str,
        window: Window,
        units: frozenset[int] | None,
        *,
        unit: int | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> QuerySet:
        """The records counted in `figure` (for one unit's row when `unit` is given), within the
        reader's units. Unknown figures give KeyError: the view refuses them with a 400."""
        spec = self.figures[figure]
        qs = in_units(self.records(window).filter(spec.condition(window)), self.unit_field, units)
        if unit is not None:
            qs = qs.filter(**{self.unit_field: unit})
        for name, value in (params or {}).items():
            lookup = (self.params or {}).get(name)
            if lookup is None:
                raise KeyError(name)
            qs = qs.filter(**{lookup: value})
        if self.related:
            qs = qs.select_related(*self.related)
        return qs.order_by(*self.order)


# The relations a list of dossiers shows (procedure, deciding and receiving units), read in its query.
DOSSIER_RELATED = ("procedure", "deciding_unit", "receiving_unit")


def dossier_listing(
    records: Callable[[Window], QuerySet],
    figures: Mapping[str, Figure],
    *,
    order: tuple[str, ...] = ("received_at", "pk"),
    params: Mapping[str, str] | None = None,
) -> Listing:
    """A report counting dossiers under the unit that decides them: the portal files a dossier under
    its deciding unit, the Centre receiving on the departments' behalf (R-01)."""
    return Listing(
        kind="dossier",
        records=records,
        figures=figures,
        unit_field="deciding_unit_id",
        order=order,
        params=params,  # type: ignore[arg-type]
        related=DOSSIER_RELATED,
    )


def received(window: Window) -> QuerySet[Dossier]:
    """The dossiers received in the period (`received_at`, the portal's NgayTiepNhan, as indicator 3.3
    reads it: REGULATIONS §1.3)."""
    return Dossier.objects.filter(received_at__gte=window.start, received_at__lt=window.end)


def page_of(records: QuerySet, number: int, size: int = PAGE_SIZE) -> tuple[list, bool]:
    """One page of a list (LIMIT/OFFSET, one row more to know whether a next page exists)."""
    start = (number - 1) * size
    found = list(records[start : start + size + 1])
    return found[:size], len(found) > size


def conditions_text(params: Mapping[str, Any]) -> list[str]:
    """What narrows a list besides the unit and period (a table row's other keys), as the reader
    reads it: the officer's name, the field's name, the procedure's code, the step's name."""
    texts = []
    for name, value in params.items():
        if name == "officer":
            person = get_user_model().objects.filter(pk=value).first() if value else None
            texts.append(f"Cán bộ: {person_name(person)}" if person else NO_HANDLER)
        elif name == "field":
            title = CatalogField.objects.filter(code=value).values_list("name", flat=True).first()
            texts.append(f"Lĩnh vực: {title or value}")
        elif name == "procedure":
            texts.append(f"Thủ tục: {value}")
        elif name == "step":
            texts.append(f"Bước: {value}")
    return texts


def in_units(records: QuerySet, field: str, units: frozenset[int] | None) -> QuerySet:
    return records if units is None else records.filter(**{f"{field}__in": sorted(units)})


# --- procedures ----------------------------------------------------------------------------------


def implemented(units: frozenset[int] | None, where: Q | None = None) -> QuerySet[ProcedureUnit]:
    """The (unit, procedure) pairs of the catalogue: the published procedures each unit implements
    (those meeting `where`), within `units`."""
    return in_units(
        ProcedureUnit.objects.filter(where or Q(), role=AgencyRole.IMPLEMENTING, procedure__published=True),
        "unit_id",
        units,
    )


def procedures_per_unit(
    units: frozenset[int] | None, where: Q | None = None, **subsets: Q
) -> dict[int, dict[str, int]]:
    """Per unit, in one query: the procedures it implements (`procedures`, those meeting `where`),
    and for each of `subsets` how many of them meet its condition."""
    rows = (
        implemented(units, where)
        .order_by()
        .values("unit_id")
        .annotate(
            procedures=Count("procedure_id", distinct=True),
            **{name: Count("procedure_id", distinct=True, filter=q) for name, q in subsets.items()},
        )
    )
    return {row["unit_id"]: {k: n for k, n in row.items() if k != "unit_id"} for row in rows}


# --- rows ----------------------------------------------------------------------------------------

RowT = TypeVar("RowT")
UnitRowT = TypeVar("UnitRowT", bound="UnitRow")


@dataclass(frozen=True)
class UnitRow:
    """A table row of one unit: its figures link to the records counted under that unit."""

    unit: UnitRef

    @property
    def link_params(self) -> dict[str, str]:
        return {"row": self.unit.code} if self.unit.code else {}


def unit_rows(
    cls: type[UnitRowT],
    tree: UnitTree,
    *parts: Mapping[int, Mapping[str, Any]],
    pks: Iterable[int] | None = None,
    **same: Any,
) -> list[UnitRowT]:
    """A table's rows, one per unit (those of `pks`, else every unit a part has), sorted by the
    unit's code. A row's values come from `parts` (unit pk → {field: value}): a count no part has
    for the unit is 0, nothing counted; `same` goes to every row."""
    given = {"unit", *same}
    counted = [f.name for f in fields(cls) if f.name not in given and f.default is MISSING]
    rows = []
    for pk in set().union(*parts) if pks is None else pks:
        values = dict.fromkeys(counted, 0)
        for part in parts:
            values |= part.get(pk, {})
        rows.append(cls(unit=unit_ref(tree, pk), **values, **same))
    return sorted(rows, key=lambda r: r.unit.code)


def summed(rows: Sequence[RowT], cls: type[RowT], **keys: Any) -> RowT:
    """The total row of a table: every int field of `cls` summed, the other fields from `keys`."""
    values = dict(keys)
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in values:
            values[f.name] = sum(getattr(r, f.name) for r in rows)
    return cls(**values)
