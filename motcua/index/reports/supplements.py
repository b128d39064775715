"""R-17: repeated supplement requests, per unit and procedure (letter 002, 2019: a supplement request
lists everything missing at once; repeated "sub-procedure" supplements must be visible in reports;
NĐ 118/2025 Điều 5 forbids asking for more than one supplement).

Every request counts (`Dossier.supplement_requests`, incremented by each `request_supplement`, the
one at the counter included; dossiers.guards.supplement_only_once lets a second one through only
with the specialised law cited, and still counts it). Dossiers are counted in the period they were
submitted — a counter supplement comes before reception, and a dossier the applicant never
completed has no reception at all — under the deciding unit and the procedure.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.index.reports import common
from motcua.index.reports.common import TOTAL, Figure, UnitRow, Window, rate
from motcua.sync.selectors import Period, UnitTree


def submitted(window: Window) -> QuerySet[Dossier]:
    return Dossier.objects.filter(submitted_at__gte=window.start, submitted_at__lt=window.end)


FIGURES: dict[str, Figure] = common.figure_table(
    Figure("submitted", "Hồ sơ nộp trong kỳ", common.every),
    Figure("supplemented", "Có yêu cầu bổ sung", lambda _: Q(supplement_requests__gte=1)),
    Figure("repeated", "Yêu cầu bổ sung từ 2 lần trở lên", lambda _: Q(supplement_requests__gt=1)),
)

LISTING = common.dossier_listing(
    submitted,
    FIGURES,
    order=("-supplement_requests", "submitted_at", "pk"),
    params={"procedure": "procedure__code"},
)


@dataclass(frozen=True)
class SupplementRow(UnitRow):
    procedure: tuple[str, str] | None  # (code, name); None on a unit's summary row
    submitted: int
    supplemented: int
    repeated: int

    @property
    def repeated_share(self) -> Decimal | None:
        """Of the dossiers asked to supplement, the share asked more than once."""
        return rate(self.repeated, self.supplemented)

    @property
    def procedure_code(self) -> str:
        return self.procedure[0] if self.procedure else ""

    @property
    def procedure_name(self) -> str:
        return self.procedure[1] if self.procedure else ""

    @property
    def link_params(self) -> dict[str, str]:
        params = super().link_params
        if self.procedure:
            params["procedure"] = self.procedure[0]
        return params


@dataclass(frozen=True)
class SupplementReport:
    window: Window
    units: list[SupplementRow]
    total: SupplementRow
    procedures: list[SupplementRow]  # the (unit, procedure) pairs with at least one supplement


def supplement_report(
    period: Period,
    units: frozenset[int] | None,
    *,
    now: datetime.datetime,
    tree: UnitTree | None = None,
) -> SupplementReport:
    """R-17 within `units` (None = all): per unit, and per unit and procedure for those with a
    supplement (repeated ones first). Three queries: per unit, per unit and procedure, the names."""
    window = Window(period, now)
    tree = tree or common.unit_tree()
    # Per (unit, procedure): few groups (units × procedures), whatever the number of dossiers; only
    # the pairs with a supplement are shown.
    pairs = {
        key: v
        for key, v in LISTING.counts(window, units, ["deciding_unit_id", "procedure_id"]).items()
        if v["supplemented"]
    }
    names = {
        pk: (code, name)
        for pk, code, name in Procedure.objects.filter(pk__in={k[1] for k in pairs}).values_list(
            "pk", "code", "name"
        )
    }
    rows = common.unit_rows(SupplementRow, tree, LISTING.per_unit(window, units), procedure=None)
    procedures = sorted(
        (
            SupplementRow(
                unit=common.unit_ref(tree, pk),
                procedure=names.get(proc, ("", "")),
                **v,
            )
            for (pk, proc), v in pairs.items()
        ),
        key=lambda r: (-r.repeated, -r.supplemented, r.unit.code, r.procedure[0] if r.procedure else ""),
    )
    return SupplementReport(
        window=window,
        units=rows,
        total=common.summed(rows, SupplementRow, unit=TOTAL, procedure=None),
        procedures=procedures,
    )
