"""Small hand-built sync histories: dossiers copied from one made through the engine, placed at
chosen units and reception times, and national-portal outbox rows with chosen times."""

import datetime
import itertools
from dataclasses import dataclass

from motcua.dossiers.models import Dossier, OutboxMessage, OutboxTopic
from motcua.org.models import Unit
from motcua.sync.models import NationalRecord
from tests.dossiers.kit import at, notary_received

PROVINCE = "000.00.00.H19"
CENTRE = "000.00.40.H19"  # Trung tâm Phục vụ hành chính công tỉnh
JUSTICE = "000.00.05.H19"  # Sở Tư pháp
JUSTICE_DIVISION = "000.01.05.H19"  # its Phòng Hành chính tư pháp
FINANCE = "000.00.03.H19"  # Sở Tài chính
WARD = "000.00.61.H19"  # UBND phường Trấn Biên
WARD_CENTRE = "000.01.61.H19"  # its one-stop centre

_codes = itertools.count(1)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


@dataclass
class Kit:
    template: Dossier

    @classmethod
    def start(cls) -> "Kit":
        """One real dossier made by the engine, then an empty outbox: each test writes the
        delivery history it needs."""
        template = notary_received(at("2025-09-08 09:00"))  # outside every period tested
        OutboxMessage.objects.all().delete()
        return cls(template)

    def dossier(
        self,
        received: datetime.datetime | None,
        *,
        receiving: str = CENTRE,
        deciding: str = JUSTICE,
        submitted: datetime.datetime | None = None,
    ) -> Dossier:
        d = Dossier.objects.get(pk=self.template.pk)
        d.pk = None
        d.code = f"{receiving}-TEST-{next(_codes):05d}"
        d.idempotency_key = ""
        d.current_step = None
        d.receiving_unit = unit(receiving)
        d.deciding_unit = unit(deciding)
        d.received_at = received
        d.submitted_at = submitted or received
        d.save()
        return d

    def message(
        self,
        dossier: Dossier,
        created: datetime.datetime,
        *,
        lag: datetime.timedelta | None = None,
        dead: datetime.datetime | None = None,
        topic: str = OutboxTopic.NATIONAL_PORTAL,
        error: str = "",
        attempts: int = 0,
    ) -> OutboxMessage:
        return OutboxMessage.objects.create(
            topic=topic,
            dossier=dossier,
            payload={"MaHoSo": dossier.code},
            created_at=created,
            delivered_at=created + lag if lag is not None else None,
            dead_at=dead,
            last_error=error,
            attempts=attempts,
        )

    def synced(self, dossier: Dossier, when: datetime.datetime) -> Dossier:
        """Synced the way a reception's message is: one message acknowledged a second later."""
        self.message(dossier, when, lag=datetime.timedelta(seconds=1))
        return dossier

    def added(self, dossier: Dossier, when: datetime.datetime) -> Dossier:
        """The portal answered that it holds the dossier (NationalRecord.added_at)."""
        NationalRecord.objects.update_or_create(dossier=dossier, defaults={"added_at": when})
        return dossier
