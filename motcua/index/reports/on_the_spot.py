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

from django.db.models import Q

from motcua.dossiers.models import DossierEvent
from motcua.dossiers.states import Action, State
from motcua.index.reports import common
from motcua.index.reports.common import TOTAL, Figure, UnitRow, Window, rate
from motcua.sync.selectors import Period, UnitTree


def _decided_at_counter(w: Window) -> Q:
    # The result issued straight from reception, in the same sitting: after the dossier's
    # reception, so not before the period starts (read by (action, at), never the whole log).
    decided = DossierEvent.objects.filter(
        action=Action.ISSUE_RESULT, from_state=State.RECEIVED, at__gte=w.start
    ).values("dossier_id")
    return Q(pk__in=decided)


FIGURES: dict[str, Figure] = common.figure_table(
    Figure("received", "Hồ sơ tiếp nhận trong kỳ", common.every),
    Figure("eligible", "Hồ sơ của thủ tục giải quyết tại chỗ", lambda _: Q(procedure__on_the_spot=True)),
    Figure("on_the_spot", "Giải quyết tại chỗ (trong một lượt tại quầy)", _decided_at_counter),
    Figure(
        "eligible_not_on_the_spot",
        "Thủ tục tại chỗ nhưng không giải quyết tại chỗ",
        lambda w: Q(procedure__on_the_spot=True) & ~_decided_at_counter(w),
    ),
)

LISTING = common.dossier_listing(common.received, FIGURES)


@dataclass(frozen=True)
class OnTheSpotRow(UnitRow):
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
    tree = tree or common.unit_tree()
    counts = LISTING.per_unit(window, units)
    procedures = common.procedures_per_unit(units, spot_procedures=Q(procedure__on_the_spot=True))
    # A unit with no on-the-spot procedure and no dossier has nothing to show here.
    shown = set(counts) | {pk for pk, r in procedures.items() if r["spot_procedures"]}
    rows = common.unit_rows(OnTheSpotRow, tree, counts, procedures, pks=shown)
    return OnTheSpotReport(window=window, rows=rows, total=common.summed(rows, OnTheSpotRow, unit=TOTAL))
