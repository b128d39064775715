"""The same forwarded dossier arriving several times at once (a push retried by the gateway while
the first is still being handled, a pull running at the same moment) is created once.

Real threads, each with its own database connection, call `receive_forwarded` together; each
fetches the dossier's files from the simulator over HTTP. On PostgreSQL they really race and meet
on the unique (origin, national_id) index: the losers' transactions roll back — their code numbers
with them — and they answer the winner's dossier. On SQLite the writers queue (IMMEDIATE
transactions on a file database, as installed) and the later ones find the dossier by reading.
"""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from motcua.calendar.units import DurationUnit
from motcua.catalog.models import (
    CaseDuration,
    Channel,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    RequiredDocument,
)
from motcua.catalog.services import add_reception_point
from motcua.documents.models import Document
from motcua.dossiers.models import DossierCounter, DossierDocument, OutboxMessage
from motcua.org.models import Unit, UnitKind, UnitLevel
from motcua.sync.inbound import receive_forwarded
from motcua.sync.models import InboundDossier, InboundStatus
from motcua.sync.partners import create_partner
from tests.concurrency.conftest import file_database_on_sqlite  # noqa: F401 (autouse: a file on SQLite)
from tests.sync_inbound.kit import BIRTH, PROVINCE, TRAN_BIEN, dossiers_of, forwarded

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keep_seeded_data")]

THREADS = 6


@pytest.fixture
def province(transactional_db):
    """A ward receiving the birth registration online — the least the service needs, built with
    the ORM and the catalogue service (loading the whole demo into a file database is slow) — and
    the national portal's partner for the province."""
    root = Unit.objects.create(
        code=PROVINCE,
        name="Ủy ban nhân dân tỉnh Đồng Nai",
        kind=UnitKind.PEOPLES_COMMITTEE,
        level=UnitLevel.PROVINCE,
    )
    ward = Unit.objects.create(
        code=TRAN_BIEN,
        name="Ủy ban nhân dân phường Trấn Biên",
        kind=UnitKind.COMMUNE,
        level=UnitLevel.COMMUNE,
        parent=root,
    )
    civil_status, _ = Field.objects.get_or_create(code="HOTICH", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(
        code=BIRTH, name="Đăng ký khai sinh", field=civil_status, online_level=OnlineLevel.FULL
    )
    case = ProcedureCase.objects.create(procedure=procedure, code="TH1", name="Trường hợp chung")
    CaseDuration.objects.create(
        case=case, channel=Channel.ONLINE, value=Decimal("1"), unit=DurationUnit.WORKING_DAYS
    )
    for order, (code, name) in enumerate(
        (("1.001193.GT01", "Tờ khai đăng ký khai sinh"), ("1.001193.GT02", "Giấy chứng sinh")), start=1
    ):
        RequiredDocument.objects.create(case=case, code=code, name=name, order=order)
    add_reception_point(procedure, channel=Channel.ONLINE, unit=ward)
    return create_partner("dvcqg", "Cổng Dịch vụ công quốc gia", unit_codes=[PROVINCE]).partner


def test_same_dossier_arriving_at_once_is_created_once(province, national_portal):
    national_portal.offer_forwarded([forwarded()])
    (payload,) = national_portal.adapter().fetch_forwarded("", 10).dossiers
    results, errors = [], []
    lock, start = threading.Lock(), threading.Barrier(THREADS)

    def arrive(n: int) -> None:
        try:
            close_old_connections()
            start.wait(timeout=30)
            # Half pushed by the partner, half pulled: the two doors race too.
            result = (
                receive_forwarded(payload, via="push", partner=province)
                if n % 2
                else receive_forwarded(payload, via="pull")
            )
            with lock:
                results.append(result)
        except BaseException as exc:  # reported by the test, not lost in the thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=arrive, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert not errors, errors
    assert len(results) == THREADS
    assert all(r.status == InboundStatus.ACCEPTED for r in results)
    assert sum(r.created for r in results) == 1
    assert len({r.dossier_code for r in results}) == 1
    dossier = dossiers_of(payload["MaHoSo"]).get()
    assert dossier.code == results[0].dossier_code
    assert InboundDossier.objects.filter(national_id=payload["MaHoSo"]).count() == 1
    # One number taken from the ward's counter: the losers gave theirs back (gap-free codes).
    counter = DossierCounter.objects.get(unit__code=TRAN_BIEN, day=timezone.localdate())
    assert counter.last == 1 and dossier.code.endswith("-0001")
    # Nothing of the losers is left: their documents, events and outbox messages rolled back.
    assert Document.objects.count() == DossierDocument.objects.filter(dossier=dossier).count() == 2
    assert dossier.events.count() == 1
    assert OutboxMessage.objects.count() == OutboxMessage.objects.filter(dossier=dossier).count() == 1
