"""Hand-built dossiers for the index: copies of one made by the engine, with the fields each
indicator reads set to chosen values (tests/sync_health/kit.py's pattern)."""

import datetime
from dataclasses import dataclass

from motcua.dossiers.models import Dossier, DossierPause, PauseKind
from motcua.dossiers.states import State
from motcua.index.selectors import compute
from motcua.org.models import Unit
from motcua.sync.models import NationalRecord
from motcua.sync.selectors import Period, unit_tree
from tests.sync_health.kit import CENTRE, JUSTICE, Kit, unit

MARCH = Period.month(2026, 3)
END_OF_MARCH = datetime.datetime(2026, 3, 31, 17, 0, tzinfo=datetime.UTC)


@dataclass
class IndexKit:
    kit: Kit

    @classmethod
    def start(cls) -> "IndexKit":
        return cls(Kit.start())

    def dossier(
        self,
        received: datetime.datetime | None,
        *,
        due: datetime.datetime | None = None,
        finished: datetime.datetime | None = None,
        state: str = State.PROCESSING,
        channel: str = "counter",
        supplements: list[tuple[datetime.datetime, datetime.datetime | None]] = (),
        synced: bool = False,
        vneid: bool = False,
        receiving: str = CENTRE,
        deciding: str = JUSTICE,
        submitted: datetime.datetime | None = None,
    ) -> Dossier:
        d = self.kit.dossier(received, receiving=receiving, deciding=deciding, submitted=submitted)
        d.due_at, d.finished_at, d.state, d.channel = due, finished, state, channel
        d.supplement_requests = len(supplements)
        d.vneid_verified = vneid
        d.save()
        for started, ended in supplements:
            DossierPause.objects.create(
                dossier=d,
                kind=PauseKind.SUPPLEMENT,
                reason="Thiếu giấy tờ",
                started_at=started,
                ended_at=ended,
            )
        if synced:
            NationalRecord.objects.create(dossier=d, added_at=received)
        return d


def index_of(code: str, period: Period = MARCH):
    pk = Unit.objects.get(code=code).pk
    return compute(period, [pk], tree=unit_tree())[pk]


__all__ = ["CENTRE", "JUSTICE", "MARCH", "IndexKit", "index_of", "unit"]
