"""R-08: the share of dossiers completed on the spot (letter 001, 2018: procedures marked for
receiving, appraising and approving in one sitting at the counter; REGULATIONS §2.9).

A dossier was completed on the spot when its result was issued at the counter straight after
reception — the transition (received → result ready) that only on-the-spot procedures have
(dossiers.lifecycle, guard `on_the_spot_procedure`) — recorded as an `issue_result` event from
state `received`. Counted in the period of reception, under the deciding unit; beside it the
procedures each unit implements and how many are marked on-the-spot (`Procedure.on_the_spot`).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from motcua.catalog.models import AgencyRole, ProcedureUnit
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.states import Action, State
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


def received(window: Window) -> QuerySet[Dossier]:
    return Dossier.objects.filter(received_at__gte=window.start, received_at__lt=window.end)


def _decided_at_counter() -> Exists:
    return Exists(
        DossierEvent.objects.filter(
            dossier_id=OuterRef("pk"), action=Action.ISSUE_RESULT, from_state=State.RECEIVED
        )
    )


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure("received", "Hồ sơ tiếp nhận trong kỳ", lambda _: Q(pk__isnull=False)),
        Figure("eligible", "Hồ sơ của thủ tục giải quyết tại chỗ", lambda _: Q(procedure__on_the_spot=True)),
        Figure(
            "on_the_spot", "Giải quyết tại chỗ (trong một lượt tại quầy)", lambda _: Q(_decided_at_counter())
        ),
        Figure(
            "eligible_not_on_the_spot",
            "Thủ tục tại chỗ nhưng không giải quyết tại chỗ",
            lambda _: Q(procedure__on_the_spot=True) & ~Q(_decided_at_counter()),
        ),
    )
}

LISTING = Listing(
    kind="dossier",
    records=received,
    figures=FIGURES,
    unit_field="deciding_unit_id",
    order=("received_at", "pk"),
    related=("procedure", "deciding_unit", "receiving_unit"),
)


@dataclass(frozen=True)
class OnTheSpotRow:
    unit: UnitRef
    received: int
    eligible: int
    on_the_spot: int
    eligible_not_on_the_spot: int
    procedures: int
    spot_procedures: int

    @property
    def eligible_share(self) -> Decimal | None:
        """Of the dossiers that could be completed on the spot, the share that were."""
        return rate(self.on_the_spot, self.eligible)

    @property
    def received_share(self) -> Decimal | None:
        return rate(self.on_the_spot, self.received)

    @property
    def procedures_share(self) -> Decimal | None:
        return rate(self.spot_procedures, self.procedures)

    @property
    def link_params(self) -> dict[str, str]:
        return {"row": self.unit.code} if self.unit.code else {}


@dataclass(frozen=True)
class OnTheSpotReport:
    window: Window
    rows: list[OnTheSpotRow]
    total: OnTheSpotRow


def on_the_spot_report(
    period: Period,
    units: frozenset[int] | None,
    *,
    now: datetime.datetime,
    tree: UnitTree | None = None,
) -> OnTheSpotReport:
    """R-08 per deciding unit within `units` (None = all): two queries."""
    window = Window(period, now)
    tree = tree or unit_tree()
    counts = count_by(
        in_units(received(window), "deciding_unit_id", units), ["deciding_unit_id"], FIGURES.values(), window
    )
    procedures = {
        r["unit_id"]: r
        for r in in_units(
            ProcedureUnit.objects.filter(role=AgencyRole.IMPLEMENTING, procedure__published=True),
            "unit_id",
            units,
        )
        .order_by()
        .values("unit_id")
        .annotate(
            procedures=Count("procedure_id", distinct=True),
            spot_procedures=Count("procedure_id", distinct=True, filter=Q(procedure__on_the_spot=True)),
        )
    }
    zero = dict.fromkeys(FIGURES, 0)
    rows = sorted(
        (
            OnTheSpotRow(
                unit=unit_ref(tree, pk),
                **counts.get((pk,), zero),
                procedures=procedures.get(pk, {}).get("procedures", 0),
                spot_procedures=procedures.get(pk, {}).get("spot_procedures", 0),
            )
            for pk in {k[0] for k in counts} | {pk for pk, r in procedures.items() if r["spot_procedures"]}
        ),
        key=lambda r: r.unit.code,
    )
    return OnTheSpotReport(window=window, rows=rows, total=summed(rows, OnTheSpotRow, unit=TOTAL))
