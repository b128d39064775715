"""R-05, R-06, R-28: the online share per unit and period, and the units with no online dossier.

Letter 000 (2018) asks, per unit and period, for the share of dossiers submitted online against
the unit's target, and for the list of units with **zero** online dossiers since a date (R-05);
the results of the online services by online level (R-06); and the shares R-28 names — procedures
offering an online service, online services that received dossiers, dossiers submitted online,
dossiers processed fully online (target ≥ 70 %).

Which dossiers. A dossier counts in the period of its reception (`received_at`, the portal's
NgayTiepNhan, as indicator 3.3 reads it: REGULATIONS §1.3), under the unit that decides it (the
portal files a dossier under its deciding unit; the Centre receives on the departments' behalf,
R-01). "Fully online" (toàn trình): a dossier submitted online for a procedure whose online service
is full (the 2026 DVCQG item: online dossiers of full-service procedures / dossiers received for
those procedures).

The zero list reads submission instead (`submitted_at`): an online dossier the unit refused, or has
not yet received, still shows that citizens use its online service. Only units that offer at least
one online service are listed: a unit with none has nothing to be measured on.

Targets. `settings.MOTCUA_ONLINE_TARGETS` (optional) maps a unit code to its target share in
percent, with "*" for every other unit: {"000.00.05.H19": 90, "*": 70}. Without it no target is
shown and no unit is judged.
"""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Max, Q

from motcua.catalog.models import Channel, OnlineLevel
from motcua.dossiers.models import Dossier
from motcua.index.reports import common
from motcua.index.reports.common import TOTAL, WITH_ONLINE_SERVICE, Figure, UnitRef, UnitRow, Window, rate
from motcua.org.models import UnitKind
from motcua.sync.selectors import Period, UnitTree

FULLY_ONLINE_TARGET = Decimal(70)  # dossiers processed fully online ≥ 70 %


def _level(level: str, *, online: bool = False):
    if online:
        return lambda _: Q(procedure__online_level=level, channel=Channel.ONLINE)
    return lambda _: Q(procedure__online_level=level)


FIGURES: dict[str, Figure] = common.figure_table(
    Figure("received", "Hồ sơ tiếp nhận trong kỳ", common.every),
    Figure("online", "Hồ sơ nộp trực tuyến", common.submitted_via(Channel.ONLINE)),
    Figure("counter", "Hồ sơ nộp trực tiếp", common.submitted_via(Channel.COUNTER)),
    Figure("postal", "Hồ sơ nộp qua bưu chính công ích", common.submitted_via(Channel.POSTAL)),
    Figure("level_full", "Hồ sơ của thủ tục có DVC trực tuyến toàn trình", _level(OnlineLevel.FULL)),
    Figure(
        "level_full_online",
        "Hồ sơ nộp trực tuyến của thủ tục có DVC toàn trình (xử lý toàn trình)",
        _level(OnlineLevel.FULL, online=True),
    ),
    Figure("level_partial", "Hồ sơ của thủ tục có DVC trực tuyến một phần", _level(OnlineLevel.PARTIAL)),
    Figure(
        "level_partial_online",
        "Hồ sơ nộp trực tuyến của thủ tục có DVC một phần",
        _level(OnlineLevel.PARTIAL, online=True),
    ),
    Figure("level_none", "Hồ sơ của thủ tục chưa có DVC trực tuyến", _level(OnlineLevel.NONE)),
)

LISTING = common.dossier_listing(common.received, FIGURES)


# --- targets -------------------------------------------------------------------------------------


def targets() -> dict[str, Decimal]:
    """R-05: each unit's target share (percent), from settings; bad values are ignored."""
    found: dict[str, Decimal] = {}
    for code, value in (getattr(settings, "MOTCUA_ONLINE_TARGETS", None) or {}).items():
        try:
            target = Decimal(str(value))
        except InvalidOperation:
            continue
        if 0 <= target <= 100:
            found[str(code)] = target
    return found


def target_of(code: str, table: dict[str, Decimal]) -> Decimal | None:
    return table.get(code, table.get("*"))


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnlineRow(UnitRow):
    received: int
    online: int
    counter: int
    postal: int
    level_full: int
    level_full_online: int
    level_partial: int
    level_partial_online: int
    level_none: int
    procedures: int  # published procedures the unit implements
    online_procedures: int  # … of which with an online service (full or partial)
    used_procedures: int  # … of which received at least one online dossier in the period
    target: Decimal | None = None

    @property
    def online_share(self) -> Decimal | None:
        return rate(self.online, self.received)

    @property
    def fully_online_share(self) -> Decimal | None:
        return rate(self.level_full_online, self.level_full)

    @property
    def partial_online_share(self) -> Decimal | None:
        return rate(self.level_partial_online, self.level_partial)

    @property
    def procedures_share(self) -> Decimal | None:
        return rate(self.online_procedures, self.procedures)

    @property
    def used_share(self) -> Decimal | None:
        return rate(self.used_procedures, self.online_procedures)

    @property
    def meets_target(self) -> bool | None:
        """None: no target, or nothing received (nothing to judge)."""
        share = self.online_share
        if self.target is None or share is None:
            return None
        return share >= self.target

    @property
    def meets_fully_online_target(self) -> bool | None:
        share = self.fully_online_share
        return None if share is None else share >= FULLY_ONLINE_TARGET

    @property
    def target_text(self) -> str:
        return {True: "Đạt", False: "Chưa đạt", None: "—"}[self.meets_target]

    @property
    def fully_online_text(self) -> str:
        return {True: "Đạt", False: "Chưa đạt", None: "—"}[self.meets_fully_online_target]


@dataclass(frozen=True)
class OnlineReport:
    window: Window
    rows: list[OnlineRow]
    total: OnlineRow
    targets_configured: bool


def _procedure_counts(window: Window, units: frozenset[int] | None) -> dict[int, dict[str, int]]:
    """Per unit: published procedures it implements, those with an online service, and those whose
    online service received a dossier in the period (R-28). Two queries: the (unit, procedure)
    pairs of the catalogue, and the distinct (unit, procedure) pairs of the period's online
    dossiers; the pairs (units × procedures, not dossiers) are then matched here."""
    links = (
        common.implemented(units)
        .order_by()
        .values_list("unit_id", "procedure_id", "procedure__online_level")
        .distinct()
    )
    used = set(
        LISTING.within(window, units)
        .filter(channel=Channel.ONLINE)
        .order_by()
        .values_list("deciding_unit_id", "procedure_id")
        .distinct()
    )
    counts: dict[int, dict[str, int]] = {}
    for unit_id, procedure_id, level in links:
        row = counts.setdefault(unit_id, {"procedures": 0, "online_procedures": 0, "used_procedures": 0})
        row["procedures"] += 1
        if level in WITH_ONLINE_SERVICE:
            row["online_procedures"] += 1
            row["used_procedures"] += (unit_id, procedure_id) in used
    return counts


def online_report(
    period: Period,
    units: frozenset[int] | None,
    *,
    now: datetime.datetime,
    tree: UnitTree | None = None,
) -> OnlineReport:
    """R-05/R-06/R-28 per deciding unit within `units` (None = all): three queries whatever the
    number of dossiers (the dossiers counted by channel and level, the procedures by service)."""
    window = Window(period, now)
    tree = tree or common.unit_tree()
    # Every unit implementing a procedure has a row (each of them counts at least one procedure).
    counted = common.unit_rows(
        OnlineRow, tree, LISTING.per_unit(window, units), _procedure_counts(window, units)
    )
    table = targets()
    rows = [replace(row, target=target_of(row.unit.code, table)) for row in counted]
    total = common.summed(rows, OnlineRow, unit=TOTAL, target=None)
    return OnlineReport(window=window, rows=rows, total=total, targets_configured=bool(table))


# --- units with no online dossier since a date ---------------------------------------------


@dataclass(frozen=True)
class ZeroOnlineRow:
    unit: UnitRef
    online_procedures: int  # the online services it offers (full or partial)
    last_online_at: datetime.datetime | None  # its last online dossier before the date, if any


def zero_online_units(
    since: datetime.date,
    units: frozenset[int] | None,
    *,
    today: datetime.date,
    tree: UnitTree | None = None,
) -> list[ZeroOnlineRow]:
    """R-05: the units in force today, offering at least one online service, that have had no
    dossier submitted online since the start of `since` (local day). Three queries: the units
    with online dossiers since the date, the units' online services, the last online dossier of
    the units listed."""
    tree = tree or common.unit_tree()
    start = datetime.datetime.combine(since, datetime.time(), tzinfo=common.LOCAL_TZ)
    active = set(
        common.in_units(
            Dossier.objects.filter(channel=Channel.ONLINE, submitted_at__gte=start), "deciding_unit_id", units
        )
        .order_by()
        .values_list("deciding_unit_id", flat=True)
        .distinct()
    )
    offering = {
        pk: counts["procedures"]
        for pk, counts in common.procedures_per_unit(
            units, Q(procedure__online_level__in=WITH_ONLINE_SERVICE)
        ).items()
    }
    zero = [
        pk
        for pk in offering
        if pk not in active
        and pk in tree.nodes
        and tree.nodes[pk].valid_on(today)
        and tree.nodes[pk].kind != UnitKind.DIVISION
    ]
    last = dict(
        Dossier.objects.filter(channel=Channel.ONLINE, deciding_unit_id__in=zero, submitted_at__lt=start)
        .order_by()
        .values("deciding_unit_id")
        .annotate(last=Max("submitted_at"))
        .values_list("deciding_unit_id", "last")
    )
    rows = [ZeroOnlineRow(common.unit_ref(tree, pk), offering[pk], last.get(pk)) for pk in zero]
    return sorted(rows, key=lambda r: r.unit.code)
