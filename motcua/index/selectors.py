"""The Decision 766 index of the province and of every unit, the national portal's way (R-23,
REGULATIONS §1.3–1.5): each indicator's numerator, denominator, rate (2 decimals) and points, the
six cards of the portal, the total, the ranking, and the dossiers or procedures behind each figure.

Which dossiers a unit answers for is the sync health's rule (motcua.sync.selectors): those its
sub-tree received or decides, each once; the period is read on the reception (NgayTiepNhan).
Figures come from the monthly rollups (motcua.index.facts), refreshed first; a from–to period
that does not cover whole months reads the per-dossier facts instead. The PAKN figures (5.1–5.3)
are motcua.feedback's, for the unit's sub-tree (R-31).

Which procedures a unit answers for: those linked to a unit of its sub-tree in the catalogue
(cơ quan thực hiện, có thẩm quyền, được ủy quyền), and the commune-level procedures for a sub-tree
holding communes; the province answers for every published procedure.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from motcua.calendar.services import get_calendar
from motcua.catalog.models import (
    AgencyRole,
    CaseDuration,
    Fee,
    OnlineLevel,
    Procedure,
    ProcedureLevel,
    ProcedureLevelLink,
    ProcedureUnit,
    RequiredDocument,
)
from motcua.core.text import fold
from motcua.dossiers.models import Dossier
from motcua.dossiers.queues import scope_of
from motcua.feedback.models import Petition
from motcua.feedback.selectors import petition_figures
from motcua.index import facts
from motcua.index.models import (
    COUNTERS,
    IndexFact,
    IndexMonth,
    Indicator,
    IndicatorSet,
    Outcome,
    PublishedScore,
    Scope,
    Scoring,
    WhenEmpty,
)
from motcua.index.periods import period_key
from motcua.org.models import Role, UnitKind
from motcua.sync.selectors import Period, UnitTree, unit_tree

TWO = Decimal("0.01")
HUNDRED = Decimal(100)
CARDS = {
    "1": "Công khai, minh bạch",
    "2": "Tiến độ, kết quả giải quyết",
    "3a": "Dịch vụ công trực tuyến",
    "3b": "Thanh toán trực tuyến",
    "4": "Số hóa hồ sơ",
    "5": "Mức độ hài lòng",
}
# The applicants of 4.7's denominator: "đối tượng thực hiện" naming citizens (REGULATIONS §1.3).
CITIZEN_WORDS = ("cong dan", "nguoi viet nam", "nguoi nuoc ngoai")
EARLIEST_DATE_YEAR = 1900  # older dates in imported catalogues are placeholders, not dates
SERVING_ROLES = (AgencyRole.IMPLEMENTING, AgencyRole.COMPETENT, AgencyRole.AUTHORISED)


def rate_of(numerator: int, denominator: int) -> Decimal:
    if not denominator:
        return Decimal("0.00")
    return (HUNDRED * numerator / denominator).quantize(TWO, rounding=ROUND_HALF_UP)


def points_of(indicator: Indicator, rate: Decimal | None, denominator: int) -> Decimal:
    """REGULATIONS §1.3–1.4: linear (max × rate), capped at a threshold (max × min(1, rate /
    threshold)), tracked (0); a zero denominator scores 0 unless the indicator says full marks."""
    maximum = Decimal(indicator.max_points)
    if indicator.scoring == Scoring.TRACKED:
        return Decimal("0.00")
    if not denominator:
        return maximum.quantize(TWO) if indicator.when_empty == WhenEmpty.FULL else Decimal("0.00")
    rate = rate or Decimal(0)
    if indicator.scoring == Scoring.THRESHOLD and indicator.threshold:
        share = min(Decimal(1), rate / Decimal(indicator.threshold))
    else:
        share = min(Decimal(1), rate / HUNDRED)
    return (maximum * share).quantize(TWO, rounding=ROUND_HALF_UP)


# --- what a unit's figures are computed from -----------------------------------------------------


@dataclass
class Tally:
    counters: Counter = field(default_factory=Counter)
    open_on_time: int = 0
    open_late: int = 0
    # procedures with at least one dossier of the kind in the period
    used: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    # communes (unit pk) that issued an electronic certified copy (4.3)
    certifying_communes: set[int] = field(default_factory=set)

    @property
    def received(self) -> int:
        return self.counters["received"]

    @property
    def late(self) -> int:
        return self.counters["late"] + self.open_late

    @property
    def on_time(self) -> int:
        return self.counters["on_time"] + self.open_on_time


@dataclass(frozen=True)
class Catalogue:
    """The procedures' facts the group 1 and procedure-based indicators need, read once."""

    served: dict[int, set[int]]  # unit pk → procedures it answers for (its own links)
    commune_level: set[int]
    online: set[int]
    with_fees: set[int]
    citizen_facing: set[int]
    complete: set[int]
    published: set[int]


def read_catalogue() -> Catalogue:
    published = Procedure.objects.filter(published=True, internal=False)
    ids = set(published.values_list("pk", flat=True))
    served: dict[int, set[int]] = defaultdict(set)
    for unit_id, procedure_id in ProcedureUnit.objects.filter(
        procedure_id__in=ids, role__in=SERVING_ROLES
    ).values_list("unit_id", "procedure_id"):
        served[unit_id].add(procedure_id)
    commune_level = set(
        ProcedureLevelLink.objects.filter(procedure_id__in=ids, level=ProcedureLevel.COMMUNE).values_list(
            "procedure_id", flat=True
        )
    )
    online = set(published.exclude(online_level=OnlineLevel.NONE).values_list("pk", flat=True))
    with_fees = set(
        Fee.objects.filter(case__procedure_id__in=ids, amount__gt=0).values_list(
            "case__procedure_id", flat=True
        )
    )
    citizen_facing = {
        pk
        for pk, applicants in published.values_list("pk", "applicants_text")
        if any(word in fold(applicants or "") for word in CITIZEN_WORDS)
    }
    # 1.3: the seven parts of khoản 2 Điều 8 NĐ 63/2010/NĐ-CP.
    documents = RequiredDocument.objects.filter(case__procedure_id=OuterRef("pk"))
    durations = CaseDuration.objects.filter(case__procedure_id=OuterRef("pk"))
    complete = set(
        published.exclude(name="")
        .exclude(steps_text="")
        .exclude(methods_text="")
        .exclude(applicants_text="")
        .exclude(agency_text="")
        .filter(Exists(documents), Exists(durations))
        .values_list("pk", flat=True)
    )
    return Catalogue(dict(served), commune_level, online, with_fees, citizen_facing, complete, ids)


def _ancestors(tree: UnitTree) -> dict[int, tuple[int, ...]]:
    found: dict[int, tuple[int, ...]] = {}
    for pk in tree.nodes:
        chain, node = [], pk
        while node is not None and node in tree.nodes and node not in chain:
            chain.append(node)
            node = tree.nodes[node].parent_id
        found[pk] = tuple(chain)
    return found


def _whole_months(period: Period) -> list[datetime.date] | None:
    """The months a period covers exactly, or None when it starts or ends inside a month."""
    if period.start.day != 1 or (period.end + datetime.timedelta(days=1)).day != 1:
        return None
    months, day = [], period.start
    while day <= period.end:
        months.append(day)
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def _rows(period: Period) -> QuerySet:
    """The counted rows of a period: monthly sums, or the facts of a partial month."""
    months = _whole_months(period)
    if months is not None:
        return IndexMonth.objects.filter(month__in=months)
    start, end = period.bounds()
    return IndexFact.objects.filter(received_at__gte=start, received_at__lt=end)


def _counter_sums(rows: QuerySet) -> dict[str, object]:
    # Annotations named apart from the rows' own columns (Django refuses a clash).
    if rows.model is IndexMonth:
        return {f"n_{name}": Sum(name) for name in COUNTERS}
    return {
        f"n_{name}": Count("pk", filter=q) if q is not None else Count("pk") for name, q in COUNTERS.items()
    }


def _facts_of_period(period: Period) -> QuerySet[IndexFact]:
    start, end = period.bounds()
    return IndexFact.objects.filter(received_at__gte=start, received_at__lt=end)


USED = {  # Tally.used key → the counter a procedure needs above 0
    "online": "online",
    "paid_online": "paid_online",
    "fee_data": "fee_obligation",
    "citizen_data": "citizen_data",
}


def tallies(period: Period, tree: UnitTree, *, refresh: bool = True) -> dict[int, Tally]:
    """Every unit's tally for the period, in a fixed number of queries."""
    if refresh:
        facts.refresh()
    ancestors = _ancestors(tree)
    found: dict[int, Tally] = defaultdict(Tally)

    def units_of(receiving: int, deciding: int) -> set[int]:
        return set(ancestors.get(receiving, ())) | set(ancestors.get(deciding, ()))

    rows = _rows(period)
    for row in (
        rows.values("receiving_unit_id", "deciding_unit_id").annotate(**_counter_sums(rows)).order_by()
    ):
        counts = {name: row[f"n_{name}"] or 0 for name in COUNTERS}
        for unit in units_of(row["receiving_unit_id"], row["deciding_unit_id"]):
            found[unit].counters.update(counts)
    _, end = period.bounds()
    for row in (
        _facts_of_period(period)
        .filter(outcome=Outcome.OPEN)
        .values("receiving_unit_id", "deciding_unit_id")
        .annotate(
            on_time=Count("pk", filter=Q(due_at__isnull=True) | Q(due_at__gte=end)),
            late=Count("pk", filter=Q(due_at__lt=end)),
        )
        .order_by()
    ):
        for unit in units_of(row["receiving_unit_id"], row["deciding_unit_id"]):
            found[unit].open_on_time += row["on_time"]
            found[unit].open_late += row["late"]
    for key, counter in USED.items():
        filtered = (
            rows.filter(**{f"{counter}__gt": 0})
            if rows.model is IndexMonth
            else rows.filter(COUNTERS[counter])
        )
        for receiving, deciding, procedure in (
            filtered.values_list("receiving_unit_id", "deciding_unit_id", "procedure_id")
            .distinct()
            .order_by()
        ):
            for unit in units_of(receiving, deciding):
                found[unit].used[key].add(procedure)
    return found


def _certifying_communes(period: Period, tree: UnitTree, codes: Iterable[str]) -> set[int]:
    communes = {pk for pk, node in tree.nodes.items() if node.kind == UnitKind.COMMUNE}
    procedures = Procedure.objects.filter(code__in=list(codes)).values_list("pk", flat=True)
    # From the per-dossier facts whatever the period (few rows: one procedure code): the monthly
    # counter of electronic results also asks for a result document and a sync, which 4.3 does not.
    rows = _facts_of_period(period).filter(procedure_id__in=list(procedures), result_electronic=True)
    found = set()
    for receiving, deciding in (
        rows.values_list("receiving_unit_id", "deciding_unit_id").distinct().order_by()
    ):
        found |= {receiving, deciding} & communes
    return found


# --- indicators ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int
    rate: Decimal | None = None  # when the rate is not numerator / denominator (3.3, 5.4)


@dataclass(frozen=True)
class IndicatorScore:
    indicator: Indicator
    numerator: int
    denominator: int
    rate: Decimal
    points: Decimal
    applicable: bool = True  # False: a province-only indicator asked of a unit
    published: Decimal | None = None

    @property
    def maximum(self) -> Decimal:
        return Decimal(self.indicator.max_points)

    @property
    def shortfall_points(self) -> Decimal:
        return (self.maximum - self.points) if self.applicable else Decimal(0)

    @property
    def difference(self) -> Decimal | None:
        return None if self.published is None else self.points - self.published


@dataclass(frozen=True)
class CardScore:
    code: str
    title: str
    points: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class UnitIndex:
    unit_id: int
    unit_name: str
    unit_code: str
    period: Period
    indicator_set: IndicatorSet
    scores: list[IndicatorScore]
    band: str = ""
    published_total: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum((s.points for s in self.scores if s.applicable), Decimal("0.00"))

    @property
    def maximum(self) -> Decimal:
        return sum((s.maximum for s in self.scores if s.applicable), Decimal("0.00"))

    @property
    def cards(self) -> list[CardScore]:
        cards = []
        for code, title in CARDS.items():
            mine = [s for s in self.scores if s.indicator.card == code and s.applicable]
            if mine:
                cards.append(
                    CardScore(
                        code,
                        title,
                        sum((s.points for s in mine), Decimal(0)),
                        sum((s.maximum for s in mine), Decimal(0)),
                    )
                )
        return cards

    def score(self, code: str) -> IndicatorScore:
        return next(s for s in self.scores if s.indicator.code == code)


def indicator_set_for(period: Period) -> IndicatorSet:
    """The version in force on the period's last day (else the latest)."""
    sets = IndicatorSet.objects.valid_on(period.end).order_by("-valid_from")
    chosen = sets.first() or IndicatorSet.objects.order_by("-valid_from").first()
    if chosen is None:
        raise IndicatorSet.DoesNotExist("Chưa có bộ chỉ số nào (chạy manage.py migrate).")
    return chosen


def _shift_working_days(day: datetime.date, days: int) -> datetime.date:
    calendar, step, left = get_calendar(), (1 if days >= 0 else -1), abs(days)
    while left:
        day += datetime.timedelta(days=step)
        try:
            working = calendar.is_working_day(day)
        except Exception:  # beyond the calendar's span: plain weekdays
            working = day.weekday() < 5
        left -= working
    return day


def _publication(period: Period, before_effect: int, after_decision: int) -> tuple[Figure, Figure]:
    """1.1 and 1.2 over the procedures whose publication decision falls in the period."""
    decided = Procedure.objects.filter(
        published=True,
        internal=False,
        publication_decided_on__gte=period.start,
        publication_decided_on__lte=period.end,
    ).annotate(effective=Max("legal_bases__effective_on"))
    on_time_1, on_time_2, total = 0, 0, 0
    for decided_on, effective, made_public in decided.values_list(
        "publication_decided_on", "effective", "made_public_on"
    ):
        total += 1
        if effective is not None and effective.year < EARLIEST_DATE_YEAR:
            effective = None  # the "empty" date of imported data (01/01/0001): no effective date
        on_time_1 += effective is None or decided_on <= _shift_working_days(effective, -before_effect)
        on_time_2 += made_public is not None and made_public <= _shift_working_days(
            decided_on, after_decision
        )
    return Figure(on_time_1, total), Figure(on_time_2, total)


class Context:
    """What every indicator of one computation reads, loaded once."""

    def __init__(
        self,
        period: Period,
        tree: UnitTree,
        indicators: list[Indicator],
        *,
        catalogue: Catalogue | None = None,
        refresh: bool = True,
    ):
        self.period = period
        self.tree = tree
        self.catalogue = catalogue or read_catalogue()
        self.tallies = tallies(period, tree, refresh=refresh)
        # The province (a merged-away province of before 2025 is a root too, for its history).
        # A People's Committee without a parent is a province; the provincial police or court
        # without one in this tree are agencies of their ministry, not provinces.
        self.roots = {
            pk
            for pk, node in tree.nodes.items()
            if node.parent_id is None and node.kind == UnitKind.PEOPLES_COMMITTEE
        }
        params = {i.measure: i.params or {} for i in indicators}
        self.publication = _publication(
            period,
            int(params.get("publish_on_time", {}).get("working_days_before_effect", 5)),
            int(params.get("public_update_on_time", {}).get("working_days_after_decision", 5)),
        )
        self.certifying = _certifying_communes(
            period, tree, params.get("electronic_certified_copy", {}).get("procedure_codes", [])
        )
        self._served: dict[int, set[int]] = {}
        self._petitions: dict[int, dict[str, tuple[int, int]]] = {}
        self._petition_units: set[int] | None = None

    def served(self, unit: int) -> set[int]:
        if unit not in self._served:
            subtree = self.tree.subtree(unit)
            if unit in self.roots:
                procedures = set(self.catalogue.published)
            else:
                procedures = set().union(*(self.catalogue.served.get(pk, set()) for pk in subtree))
                if any(self.tree.nodes[pk].kind == UnitKind.COMMUNE for pk in subtree):
                    procedures |= self.catalogue.commune_level
            self._served[unit] = procedures
        return self._served[unit]

    def petitions(self, unit: int) -> dict[str, tuple[int, int]]:
        """5.1–5.3 of the unit's sub-tree (motcua.feedback.selectors, R-31), read once per unit; a
        sub-tree without any PAKN near the period is not asked (an index of every unit stays a
        handful of queries where few units receive PAKN)."""
        if unit not in self._petitions:
            subtree = set(self.tree.subtree(unit))
            if self._petition_units is None:
                self._petition_units = _petition_units(self.period)
            if subtree & self._petition_units:
                start, end = self.period.bounds()
                self._petitions[unit] = petition_figures(subtree, start, end)
            else:
                self._petitions[unit] = {}
        return self._petitions[unit]


def _petition_units(period: Period) -> set[int]:
    """The units holding a PAKN that petition_figures could count for the period: received in it, or
    with a refusal or answer deadline in it (a superset of what it counts)."""
    start, end = period.bounds()
    return set(
        Petition.objects.filter(
            Q(received_at__gte=start, received_at__lt=end)
            | Q(refuse_due_at__gte=start, refuse_due_at__lt=end)
            | Q(answer_due_at__gte=start, answer_due_at__lt=end)
        )
        .values_list("unit_id", flat=True)
        .distinct()
        .order_by()
    )


def _share(part: set[int], whole: set[int]) -> Figure:
    return Figure(len(part & whole), len(whole))


def measure(name: str, unit: int, ctx: Context) -> Figure:
    """Numerator and denominator of one measure for one unit (REGULATIONS §1.3)."""
    t = ctx.tallies.get(unit) or Tally()
    c = t.counters
    served = ctx.served(unit)
    if name == "publish_on_time":
        return ctx.publication[0]
    if name == "public_update_on_time":
        return ctx.publication[1]
    if name == "public_content_full":
        return _share(ctx.catalogue.complete, served)
    if name == "dossier_sync":
        return Figure(c["synced"], t.received)
    if name == "on_time":
        return Figure(t.on_time, t.received)
    if name == "procedures_online":
        return _share(ctx.catalogue.online, served)
    if name == "online_services_used":
        return _share(t.used["online"], served & ctx.catalogue.online)
    if name == "online_share":
        # online share × sync share: a dossier the portal never saw cannot count online.
        rate = None
        if t.received:
            rate = (HUNDRED * c["online_counted"] * c["synced"] / (t.received * t.received)).quantize(
                TWO, rounding=ROUND_HALF_UP
            )
        return Figure(c["online_counted"], t.received, rate)
    if name == "procedures_paid_online":
        return _share(t.used["paid_online"], served & ctx.catalogue.with_fees)
    if name == "fee_procedures_integrated":
        return _share(t.used["fee_data"], served & ctx.catalogue.with_fees)
    if name == "dossiers_paid_online":
        return Figure(c["paid_online"], c["fee_obligation"])
    if name == "electronic_results":
        return Figure(c["result_electronic"], c["result_required"])
    if name in ("digitised_dossiers", "reused_data", "personal_store", "citizen_data_dossiers"):
        counter = {
            "digitised_dossiers": "digitised",
            "reused_data": "reused",
            "personal_store": "personal_store",
            "citizen_data_dossiers": "citizen_data",
        }[name]
        return Figure(c[counter], t.received)
    if name == "electronic_certified_copy":
        communes = {pk for pk, node in ctx.tree.nodes.items() if node.kind == UnitKind.COMMUNE}
        communes = {pk for pk in communes if ctx.tree.nodes[pk].valid_during(ctx.period)}
        return Figure(len(ctx.certifying & communes), len(communes))
    if name == "citizen_data_procedures":
        return _share(t.used["citizen_data"], served & ctx.catalogue.citizen_facing)
    if name in ("petition_classification", "petition_on_time", "petition_satisfaction"):
        # R-31 (REGULATIONS §1.3, 5.1–5.3): no PAKN gives 0 / 0, which 5.2 and 5.3 score full
        # (when_empty "full" in qd766-2022.json, the portal's rule).
        return Figure(*ctx.petitions(unit).get(name, (0, 0)))
    if name == "dossier_satisfaction":
        # 100% − (late share + share with a complaint or a dislike), REGULATIONS §1.3 (5.4).
        satisfied = max(0, t.received - t.late - c["complained"])
        return Figure(satisfied, t.received)
    raise ValueError(f"Cách đo chưa được hỗ trợ: {name}")


def _score(indicator: Indicator, unit: int, ctx: Context, published: dict) -> IndicatorScore:
    applicable = indicator.scope != Scope.PROVINCE or unit in ctx.roots
    figure = measure(indicator.measure, unit, ctx) if applicable else Figure(0, 0)
    rate = figure.rate if figure.rate is not None else rate_of(figure.numerator, figure.denominator)
    points = points_of(indicator, rate, figure.denominator) if applicable else Decimal("0.00")
    return IndicatorScore(
        indicator,
        figure.numerator,
        figure.denominator,
        rate,
        points,
        applicable,
        published.get((unit, indicator.code)),
    )


def compute(
    period: Period,
    units: Iterable[int] | None = None,
    *,
    tree: UnitTree | None = None,
    catalogue: Catalogue | None = None,
    refresh: bool = True,
) -> dict[int, UnitIndex]:
    """The index of each unit asked for (default: every unit in force during the period). Several
    periods in a row (a trend) pass the catalogue read once and refresh only the first time."""
    tree = tree or unit_tree()
    indicator_set = indicator_set_for(period)
    indicators = list(indicator_set.indicators.order_by("order"))
    ctx = Context(period, tree, indicators, catalogue=catalogue, refresh=refresh)
    wanted = (
        list(units)
        if units is not None
        else [pk for pk, node in tree.nodes.items() if node.valid_during(period)]
    )
    published = {
        (unit, code): points
        for unit, code, points in PublishedScore.objects.filter(
            unit_id__in=wanted, period=period_key(period)
        ).values_list("unit_id", "indicator_code", "points")
    }
    bands = list(indicator_set.bands.order_by("-min_points").values_list("min_points", "label"))
    found = {}
    for unit in wanted:
        node = tree.nodes[unit]
        result = UnitIndex(
            unit,
            node.name,
            node.code,
            period,
            indicator_set,
            [_score(i, unit, ctx, published) for i in indicators],
            published_total=published.get((unit, "")),
        )
        band = next((label for minimum, label in bands if result.total >= minimum), "")
        found[unit] = UnitIndex(**{**result.__dict__, "band": band}) if band else result
    return found


INDEX_ROLES = (Role.PROVINCIAL_OFFICE, Role.ADMINISTRATOR, Role.UNIT_LEADER)


def index_units(user, *, tree: UnitTree | None = None) -> frozenset[int]:
    """The units whose index a user may read (R-23: leadership and the provincial office; a unit's
    leader reads their unit and its sub-units), as queues.scope_of reads roles (R-26)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.is_superuser:
        return frozenset((tree or unit_tree()).nodes)
    return frozenset(scope_of(user).units(INDEX_ROLES))


def default_unit(units: frozenset[int], tree: UnitTree, period: Period) -> int | None:
    """The highest unit in force a user may read: the province for the provincial office."""
    depth = {pk: len(chain) for pk, chain in _ancestors(tree).items()}
    candidates = [pk for pk in units if pk in tree.nodes and tree.nodes[pk].valid_during(period)]
    return min(candidates, key=lambda pk: (depth[pk], tree.nodes[pk].code), default=None)


def unit_index(unit: int, period: Period, *, tree: UnitTree | None = None) -> UnitIndex:
    return compute(period, [unit], tree=tree)[unit]


# --- what is behind a figure ---------------------------------------------------------------------


# Dossier-based measures: (numerator, shortfall) as conditions on the facts of the period; the
# open dossiers' verdict on 2.1 needs the period's end.
def _dossier_conditions(name: str, end: datetime.datetime) -> tuple[Q, Q] | None:
    late = Q(outcome=Outcome.LATE) | Q(outcome=Outcome.OPEN, due_at__lt=end)
    table = {
        "dossier_sync": (Q(synced=True), Q(synced=False)),
        "on_time": (~late, late),
        "online_share": (Q(online_counted=True), Q(online_counted=False)),
        "dossiers_paid_online": (
            Q(fee_obligation=True, paid_online=True),
            Q(fee_obligation=True, paid_online=False),
        ),
        "electronic_results": (
            Q(result_required=True, result_electronic=True, synced=True),
            Q(result_required=True) & ~Q(result_electronic=True, synced=True),
        ),
        "digitised_dossiers": (Q(digitised=True), Q(digitised=False)),
        "reused_data": (Q(reused=True), Q(reused=False)),
        "personal_store": (Q(personal_store=True), Q(personal_store=False)),
        "citizen_data_dossiers": (Q(citizen_data=True), Q(citizen_data=False)),
        "dossier_satisfaction": (~late & Q(complained=False), late | Q(complained=True)),
    }
    return table.get(name)


def is_dossier_measure(name: str) -> bool:
    return _dossier_conditions(name, datetime.datetime.now(datetime.UTC)) is not None


# Which figure's items a list shows (issue 10 item 4: every figure clickable): those counted in the
# numerator, those that keep the indicator from its maximum, or the whole denominator.
Part = Literal["numerator", "shortfall", "denominator"]
PARTS: tuple[Part, ...] = ("shortfall", "numerator", "denominator")


def dossiers_behind(
    indicator: Indicator, unit: int, period: Period, *, part: Part, tree: UnitTree | None = None
) -> QuerySet[Dossier]:
    """The dossiers behind one figure of a dossier-based indicator (the numerator and the shortfall
    make up the denominator)."""
    tree = tree or unit_tree()
    _, end = period.bounds()
    conditions = _dossier_conditions(indicator.measure, end)
    if conditions is None:
        return Dossier.objects.none()
    counted, missing = conditions
    wanted = {"numerator": counted, "shortfall": missing, "denominator": counted | missing}[part]
    ids = tree.subtree(unit)
    behind = _facts_of_period(period).filter(
        Q(receiving_unit_id__in=ids) | Q(deciding_unit_id__in=ids), wanted
    )
    return Dossier.objects.filter(pk__in=behind.values("dossier_id"))


def open_in_time_dossiers(unit: int, period: Period, *, tree: UnitTree | None = None) -> QuerySet[Dossier]:
    """Open dossiers of the unit and period that the period's end would find late but that are not
    late yet: finished before their appointment, they count on time (2.1, 5.4)."""
    tree = tree or unit_tree()
    ids = tree.subtree(unit)
    _, end = period.bounds()
    behind = (
        _facts_of_period(period)
        .filter(Q(receiving_unit_id__in=ids) | Q(deciding_unit_id__in=ids))
        .filter(outcome=Outcome.OPEN, due_at__lt=end, due_at__gte=timezone.now())
    )
    return Dossier.objects.filter(pk__in=behind.values("dossier_id"))


def open_in_time(unit: int, period: Period, *, tree: UnitTree | None = None) -> int:
    return open_in_time_dossiers(unit, period, tree=tree).count()


def procedures_behind(
    indicator: Indicator, unit: int, period: Period, *, part: Part, tree: UnitTree | None = None
) -> QuerySet[Procedure]:
    """For procedure-based measures: the procedures counted, those missing from the numerator, or
    the whole denominator."""
    tree = tree or unit_tree()
    ctx = Context(period, tree, [indicator])
    t = ctx.tallies.get(unit) or Tally()
    served = ctx.served(unit)
    wholes = {
        "public_content_full": (ctx.catalogue.complete, served),
        "procedures_online": (ctx.catalogue.online, served),
        "online_services_used": (t.used["online"], served & ctx.catalogue.online),
        "procedures_paid_online": (t.used["paid_online"], served & ctx.catalogue.with_fees),
        "fee_procedures_integrated": (t.used["fee_data"], served & ctx.catalogue.with_fees),
        "citizen_data_procedures": (t.used["citizen_data"], served & ctx.catalogue.citizen_facing),
    }
    if indicator.measure not in wholes:
        return Procedure.objects.none()
    wanted, whole = wholes[indicator.measure]
    counted = wanted & whole
    chosen = {"numerator": counted, "shortfall": whole - counted, "denominator": whole}[part]
    return Procedure.objects.filter(pk__in=chosen).order_by("code")
