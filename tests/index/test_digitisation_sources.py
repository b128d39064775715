"""Issue 12: what digitisation records reaches the national record (REGULATIONS §6.4: `DuocSoHoa`,
`DuocLayTuKhoDMQG`, `HoSoCoThanhPhanSoHoa`) and the Decision 766 index (4.2, 4.5, 4.6).

A paper scanned at the counter is a digitisation result only once the receiving unit certified
the scan with its digital signature (TT 01/2023/TT-VPCP); an unsigned scan is a picture."""

from decimal import Decimal

from motcua.demo.signing import plain_pdf, signed_pdf
from motcua.documents.models import DocumentKind, DocumentOrigin
from motcua.documents.services import store_document
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.sync.payload import dossier_records
from tests.dossiers.kit import at
from tests.index.kit import JUSTICE, IndexKit, carrying, index_of, only_these_procedures, procedure
from tests.sync_health.kit import PROVINCE

DAY = at("2026-03-05 09:00")


def component(d: Dossier, *, origin: str, certified: bool = False) -> None:
    content = signed_pdf("Bản quét đã ký") if certified else plain_pdf("Bản quét")
    document = store_document(
        name="ban-quet.pdf", content=content, kind=DocumentKind.SUBMITTED, origin=origin
    )
    DossierDocument.objects.create(dossier=d, document=document, attached_at=DAY)
    d.save()  # as reception does: the dossier is marked for the index


def figures(code: str, unit: str = JUSTICE) -> tuple[int, int, Decimal, Decimal]:
    s = index_of(unit).score(code)
    return s.numerator, s.denominator, s.rate, s.points


def test_r30_4_2_a_counter_scan_counts_once_certified_by_the_unit():
    """March, Sở Tư pháp, procedure without a paper result: a certified counter scan ✓, an unsigned
    counter scan ✗, a file the applicant uploaded ✓, nothing ✗ → 2 / 4 = 50.00 %, 4 × 50 / 100 = 2.00."""
    kit = IndexKit.start()
    n = procedure(result_document=False)
    only_these_procedures(n)
    certified, unsigned, uploaded, _ = (carrying(kit.dossier(DAY), procedure=n) for _ in range(4))
    component(certified, origin=DocumentOrigin.SCANNED, certified=True)
    component(unsigned, origin=DocumentOrigin.SCANNED)
    component(uploaded, origin=DocumentOrigin.UPLOADED)

    assert figures("4.2") == (2, 4, Decimal("50.00"), Decimal("2.00"))
    records = dossier_records([certified, unsigned, uploaded])
    assert [records[d.pk]["TaiLieuNop"][0]["DuocSoHoa"] for d in (certified, unsigned, uploaded)] == [
        "1",
        "0",
        "1",
    ]
    assert [records[d.pk]["HoSoCoThanhPhanSoHoa"] for d in (certified, unsigned, uploaded)] == ["1", "0", "1"]


def test_r30_4_5_4_6_a_component_from_the_national_store():
    """Two dossiers received in March, neither with a VNeID-verified account: one took a component
    from the applicant's store on the national portal. 4.5 → 1 / 2 = 50.00 %, 4 × 50 / 100 = 2.00;
    4.6 (province) → 1 / 2, 2 × 50 / 100 = 1.00; the record says DuocLayTuKhoDMQG = 1 for it only."""
    kit = IndexKit.start()
    n = procedure(result_document=False)
    only_these_procedures(n)
    national, plain = (carrying(kit.dossier(DAY), procedure=n) for _ in range(2))
    component(national, origin=DocumentOrigin.NATIONAL_STORE)
    component(plain, origin=DocumentOrigin.UPLOADED)

    assert figures("4.5") == (1, 2, Decimal("50.00"), Decimal("2.00"))
    assert figures("4.6", PROVINCE) == (1, 2, Decimal("50.00"), Decimal("1.00"))
    records = dossier_records([national, plain])
    assert records[national.pk]["TaiLieuNop"][0]["DuocLayTuKhoDMQG"] == "1"
    assert records[plain.pk]["TaiLieuNop"][0]["DuocLayTuKhoDMQG"] == "0"
