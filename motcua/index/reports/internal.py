"""R-21: how the internal procedures are complied with, for the provincial office (letter 003, 2022):
the online share of internal dossiers (R-18), and the in-person attempts refused (R-19).

Internal dossiers are counted in the period of their reception, under the deciding unit, by
channel. R-19 makes an internal procedure that has an online service (full or partial) online-only:
the counter and the post refuse it. A dossier of such a procedure received at the counter or by
post is therefore a breach to look into (received before the procedure's online service existed,
imported from the old software, or the catalogue changed since) and is listed apart.

In-person attempts refused are NOT recorded by the system today: the counter's reception page shows
the R-19 refusal before anything is typed (dossiers.reception_selectors) and `services.submit`
refuses such a submission before any row is written, so no trace of the attempt remains. The report
says so instead of showing a number (`REFUSALS_RECORDED`).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from motcua.catalog.models import Channel
from motcua.dossiers.models import Dossier
from motcua.index.reports import common
from motcua.index.reports.common import TOTAL, WITH_ONLINE_SERVICE, Figure, UnitRow, Window, rate
from motcua.sync.selectors import Period, UnitTree

REFUSALS_RECORDED = False
REFUSALS_NOTE = (
    "Hệ thống chưa lưu các lượt từ chối tiếp nhận trực tiếp thủ tục nội bộ: quầy hiện lý do từ chối "
    "(R-19) trước khi cán bộ nhập hồ sơ và không ghi lại lượt đó, nên chưa thống kê được số lượt từ chối."
)


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
class InternalReport:
    window: Window
    rows: list[InternalRow]
    total: InternalRow
    refusals_recorded: bool = REFUSALS_RECORDED
    refusals_note: str = REFUSALS_NOTE


def internal_report(
    period: Period,
    units: frozenset[int] | None,
    *,
    now: datetime.datetime,
    tree: UnitTree | None = None,
) -> InternalReport:
    """R-21 per deciding unit within `units` (None = all): two queries."""
    window = Window(period, now)
    tree = tree or common.unit_tree()
    procedures = common.procedures_per_unit(
        units,
        Q(procedure__internal=True),
        online_only=Q(procedure__online_level__in=WITH_ONLINE_SERVICE),
    )
    rows = common.unit_rows(InternalRow, tree, LISTING.per_unit(window, units), procedures)
    return InternalReport(window=window, rows=rows, total=common.summed(rows, InternalRow, unit=TOTAL))
