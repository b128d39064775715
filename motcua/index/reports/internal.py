"""R-21: how the internal procedures are complied with, for the provincial office (letter 003, 2022):
the online share of internal dossiers (R-18), and the in-person attempts refused (R-19).

Internal dossiers are counted in the period of their reception, under the deciding unit, by
channel. R-19 makes an internal procedure that has an online service (full or partial) online-only:
the counter and the post refuse it. A dossier of such a procedure received at the counter or by
post is therefore a breach to look into (received before the procedure's online service existed,
imported from the old software, or the catalogue changed since) and is listed apart.

In-person attempts refused are recorded by the counter (dossiers.RefusedAttempt: the officer's
"Ghi nhận lượt từ chối" button, or a counter submission the engine refused under R-19) under the
unit of the counter where the applicant was turned away — usually the Centre, not the deciding
unit — so they are a table of their own: per reception unit and procedure.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from motcua.catalog.models import Channel
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import refused_attempts
from motcua.index.reports import common
from motcua.index.reports.common import TOTAL, WITH_ONLINE_SERVICE, Figure, UnitRow, Window, rate
from motcua.sync.selectors import Period, UnitTree


def internal_received(window: Window) -> QuerySet[Dossier]:
    return common.received(window).filter(procedure__internal=True)


FIGURES: dict[str, Figure] = common.figure_table(
    Figure("received", "Hồ sơ thủ tục nội bộ tiếp nhận trong kỳ", common.every),
    Figure("online", "Nộp trực tuyến", common.submitted_via(Channel.ONLINE)),
    Figure("counter", "Nộp trực tiếp", common.submitted_via(Channel.COUNTER)),
    Figure("postal", "Nộp qua bưu chính công ích", common.submitted_via(Channel.POSTAL)),
    Figure(
        "offline_breach",
        "Nhận trực tiếp, bưu chính dù thủ tục đã có DVC trực tuyến (trái R-19)",
        lambda _: ~Q(channel=Channel.ONLINE) & Q(procedure__online_level__in=WITH_ONLINE_SERVICE),
    ),
)

LISTING = common.dossier_listing(internal_received, FIGURES)


@dataclass(frozen=True)
class InternalRow(UnitRow):
    received: int
    online: int
    counter: int
    postal: int
    offline_breach: int
    procedures: int  # internal procedures the unit implements
    online_only: int  # … of which online-only (an online service exists, R-19)

    @property
    def online_share(self) -> Decimal | None:
        return rate(self.online, self.received)


@dataclass(frozen=True)
class RefusalRow:
    """In-person attempts refused under R-19 at one reception unit for one procedure."""

    unit_name: str
    procedure_code: str
    procedure_name: str
    attempts: int


@dataclass(frozen=True)
class InternalReport:
    window: Window
    rows: list[InternalRow]
    total: InternalRow
    refusals: list["RefusalRow"] = field(default_factory=list)

    @property
    def refused_total(self) -> int:
        return sum(r.attempts for r in self.refusals)


def internal_report(
    period: Period,
    units: frozenset[int] | None,
    *,
    now: datetime.datetime,
    tree: UnitTree | None = None,
) -> InternalReport:
    """R-21 per deciding unit within `units` (None = all), and the refused attempts: three queries."""
    window = Window(period, now)
    tree = tree or common.unit_tree()
    procedures = common.procedures_per_unit(
        units,
        Q(procedure__internal=True),
        online_only=Q(procedure__online_level__in=WITH_ONLINE_SERVICE),
    )
    rows = common.unit_rows(InternalRow, tree, LISTING.per_unit(window, units), procedures)
    start, end = period.bounds()
    attempts = refused_attempts(sorted(units) if units is not None else list(tree.nodes), start, end)
    refusals = [
        RefusalRow(*row)
        for row in attempts.values_list("unit__name", "procedure__code", "procedure__name")
        .annotate(n=Count("pk"))
        .order_by("unit__code", "procedure__code")
    ]
    return InternalReport(
        window=window,
        rows=rows,
        total=common.summed(rows, InternalRow, unit=TOTAL),
        refusals=refusals,
    )
