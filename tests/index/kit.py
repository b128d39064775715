"""Hand-built dossiers for the index: copies of one made by the engine, with the fields each
indicator reads set to chosen values (tests/sync_health/kit.py's pattern)."""

import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from motcua.catalog.models import (
    AgencyRole,
    CaseDuration,
    Channel,
    Fee,
    FeeKind,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ProcedureLevel,
    ProcedureLevelLink,
    ProcedureUnit,
    RequiredDocument,
)
from motcua.catalog.models import Field as CatalogField
from motcua.dossiers.models import Dossier, DossierDocument, DossierFee, DossierPause, PauseKind
from motcua.dossiers.states import State
from motcua.index.selectors import compute
from motcua.org.models import Unit
from motcua.sync.models import NationalRecord
from motcua.sync.selectors import Period, unit_tree
from tests.dossiers.kit import doc
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


# --- a hand-made catalogue and what a dossier carries (tests/index/test_r23_indicators.py) ---------

_procedure_codes = itertools.count(1)


def procedure(
    *,
    units: Iterable[tuple[str, str]] = ((JUSTICE, AgencyRole.IMPLEMENTING),),
    levels: Iterable[str] = (ProcedureLevel.PROVINCE,),
    online: str = OnlineLevel.NONE,
    fees: Iterable[int] = (),
    applicants: str = "Doanh nghiệp",
    result_document: bool = True,
    internal: bool = False,
    code: str = "",
) -> Procedure:
    """A published procedure with its seven parts (khoản 2 Điều 8 NĐ 63/2010) filled in: one case
    with a required document, a time limit and the given fees, linked to `units` in their roles."""
    p = Procedure.objects.create(
        code=code or f"9.{next(_procedure_codes):06d}",
        name="Thủ tục thử nghiệm chỉ số",
        field=CatalogField.objects.get_or_create(code="TEST-INDEX", defaults={"name": "Lĩnh vực thử"})[0],
        steps_text="Bước 1: nộp hồ sơ. Bước 2: giải quyết. Bước 3: trả kết quả.",
        methods_text="Trực tiếp, trực tuyến hoặc qua dịch vụ bưu chính công ích.",
        applicants_text=applicants,
        agency_text="Cơ quan thực hiện theo danh mục.",
        online_level=online,
        has_result_document=result_document,
        internal=internal,
    )
    case = ProcedureCase.objects.create(procedure=p, code="TH01", name="Trường hợp chung")
    RequiredDocument.objects.create(case=case, name="Đơn đề nghị")
    CaseDuration.objects.create(case=case, channel=Channel.COUNTER, value=5)
    for amount in fees:
        Fee.objects.create(case=case, kind=FeeKind.CHARGE, amount=amount)
    for level in levels:
        ProcedureLevelLink.objects.create(procedure=p, level=level)
    for unit_code, role in units:
        ProcedureUnit.objects.create(procedure=p, unit=unit(unit_code), role=role)
    return p


def only_these_procedures(*procedures: Procedure) -> None:
    """The catalogue holds only these published procedures (the demo's are withdrawn)."""
    Procedure.objects.exclude(pk__in=[p.pk for p in procedures]).update(published=False)


def carrying(
    d: Dossier,
    *,
    procedure: Procedure | None = None,
    kinds: Iterable[str] = (),
    fees: Iterable[int] = (),
) -> Dossier:
    """The dossier now of `procedure`, with documents of these kinds attached and these fees
    recorded; saved again, as the dossier engine saves on each action (that marks it for the index)."""
    if procedure is not None:
        d.procedure = procedure
    for kind in kinds:
        DossierDocument.objects.create(dossier=d, document=doc(kind), attached_at=d.received_at)
    for amount in fees:
        DossierFee.objects.create(dossier=d, kind=FeeKind.CHARGE, amount=amount)
    d.save()
    return d


__all__ = [
    "CENTRE",
    "JUSTICE",
    "MARCH",
    "IndexKit",
    "carrying",
    "index_of",
    "only_these_procedures",
    "procedure",
    "unit",
]
