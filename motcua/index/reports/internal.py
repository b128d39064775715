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

from django.db.models import Count, Q, QuerySet

from motcua.catalog.models import AgencyRole, Channel, OnlineLevel, ProcedureUnit
from motcua.dossiers.models import Dossier
from motcua.index.reports.common import (
    TOTAL,
    Figure,
    Listing,
    UnitRef,
    Window,
    count_by,
    in_units,
    rate,
    summed,
    unit_ref,
    unit_tree,
)
from motcua.sync.selectors import Period, UnitTree

REFUSALS_RECORDED = False
REFUSALS_NOTE = (
    "Hệ thống chưa lưu các lượt từ chối tiếp nhận trực tiếp thủ tục nội bộ: quầy hiện lý do từ chối "
    "(R-19) trước khi cán bộ nhập hồ sơ và không ghi lại lượt đó, nên chưa thống kê được số lượt từ chối."
)
WITH_ONLINE_SERVICE = (OnlineLevel.FULL, OnlineLevel.PARTIAL)


def internal_received(window: Window) -> QuerySet[Dossier]:
    return Dossier.objects.filter(
        procedure__internal=True, received_at__gte=window.start, received_at__lt=window.end
    )


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure("received", "Hồ sơ thủ tục nội bộ tiếp nhận trong kỳ", lambda _: Q(pk__isnull=False)),
        Figure("online", "Nộp trực tuyến", lambda _: Q(channel=Channel.ONLINE)),
        Figure("counter", "Nộp trực tiếp", lambda _: Q(channel=Channel.COUNTER)),
        Figure("postal", "Nộp qua bưu chính công ích", lambda _: Q(channel=Channel.POSTAL)),
        Figure(
            "offline_breach",
            "Nhận trực tiếp, bưu chính dù thủ tục đã có DVC trực tuyến (trái R-19)",
            lambda _: ~Q(channel=Channel.ONLINE) & Q(procedure__online_level__in=WITH_ONLINE_SERVICE),
        ),
    )
}

LISTING = Listing(
    kind="dossier",
    records=internal_received,
    figures=FIGURES,
    unit_field="deciding_unit_id",
    order=("received_at", "pk"),
    related=("procedure", "deciding_unit", "receiving_unit"),
)


@dataclass(frozen=True)
class InternalRow:
    unit: UnitRef
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

    @property
    def link_params(self) -> dict[str, str]:
        return {"row": self.unit.code} if self.unit.code else {}


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
    tree = tree or unit_tree()
    counts = count_by(
        in_units(internal_received(window), "deciding_unit_id", units),
        ["deciding_unit_id"],
        FIGURES.values(),
        window,
    )
    procedures = {
        r["unit_id"]: r
        for r in in_units(
            ProcedureUnit.objects.filter(
                role=AgencyRole.IMPLEMENTING, procedure__published=True, procedure__internal=True
            ),
            "unit_id",
            units,
        )
        .order_by()
        .values("unit_id")
        .annotate(
            procedures=Count("procedure_id", distinct=True),
            online_only=Count(
                "procedure_id", distinct=True, filter=Q(procedure__online_level__in=WITH_ONLINE_SERVICE)
            ),
        )
    }
    zero = dict.fromkeys(FIGURES, 0)
    rows = sorted(
        (
            InternalRow(
                unit=unit_ref(tree, pk),
                **counts.get((pk,), zero),
                procedures=procedures.get(pk, {}).get("procedures", 0),
                online_only=procedures.get(pk, {}).get("online_only", 0),
            )
            for pk in {k[0] for k in counts} | set(procedures)
        ),
        key=lambda r: r.unit.code,
    )
    return InternalReport(window=window, rows=rows, total=summed(rows, InternalRow, unit=TOTAL))
