"""R-29, R-30: what the national portal is told of issue 11's records (REGULATIONS §6.4) —
`DuocThanhToanTrucTuyen` (1 on the national platform, 2 through the province's gateway, 0 otherwise)
and each component's `DuocTaiSuDung` (copied from the applicant's store)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.documents.models import DocumentKind
from motcua.documents.services import copy_for_reuse
from motcua.dossiers.models import DossierDocument, DossierFee
from motcua.sync.payload import dossier_records
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import at, doc, notary_processing, user

NOW = at("2026-03-02 08:00")
PAID = at("2026-03-02 09:00")


@pytest.mark.parametrize(
    "fees, flag",
    [
        ([], "0"),  # nothing owed: never "paid online"
        ([(0, "")], "0"),  # a 0 đ line only: nothing owed either
        ([(500_000, "dvcqg_platform"), (100_000, "dvcqg_platform")], "1"),
        ([(500_000, "local_gateway")], "2"),
        ([(500_000, "counter")], "0"),  # paid at the counter
        ([(500_000, "dvcqg_platform"), (100_000, "")], "0"),  # a fee still owed
        ([(500_000, "dvcqg_platform"), (0, "")], "1"),  # the 0 đ line owes nothing
        ([(500_000, "local_gateway"), (100_000, "dvcqg_platform")], "1"),  # the platform saw a payment
    ],
)
def test_r29_duoc_thanh_toan_truc_tuyen_says_how_every_owed_fee_was_paid(fees, flag):
    d = notary_processing(NOW, channel="online")
    DossierFee.objects.filter(dossier=d).delete()
    for amount, via in fees:
        DossierFee.objects.create(
            dossier=d, kind="fee", amount=amount, paid_at=PAID if via else None, paid_via=via
        )

    record = dossier_records([d])[d.pk]

    assert record["DuocThanhToanTrucTuyen"] == flag
    assert [fee["Gia"] for fee in record["DanhSachLePhi"]] == [amount for amount, _ in fees]


def test_r30_duoc_tai_su_dung_marks_the_components_copied_from_the_applicants_store():
    d = notary_processing(NOW, channel="online")
    reused = copy_for_reuse(
        doc(DocumentKind.SUBMITTED), kind=DocumentKind.SUBMITTED, reused_by=user("congdan1")
    )
    DossierDocument.objects.create(dossier=d, document=reused, attached_at=NOW)
    uploaded = doc(DocumentKind.SUBMITTED)
    DossierDocument.objects.create(dossier=d, document=uploaded, attached_at=NOW)

    with CaptureQueriesContext(connection) as captured:
        record = dossier_records([d])[d.pk]

    flags = {item["TepDinhKemId"]: item["DuocTaiSuDung"] for item in record["TaiLieuNop"]}
    assert flags[str(reused.pk)] == "1" and flags[str(uploaded.pk)] == "0"
    assert set(flags.values()) <= {"0", "1"}
    # Both are electronic files (digitised); neither came from the national store.
    assert all(item["DuocSoHoa"] == "1" and item["DuocLayTuKhoDMQG"] == "0" for item in record["TaiLieuNop"])
    assert len(captured.captured_queries) <= 5  # still the constant number of test_r22_payload
