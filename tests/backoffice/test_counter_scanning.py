"""Scanning at the counter (issue 12 item 2; TT 03/2025 Điều 5 referring to TT 01/2023/TT-VPCP
Điều 8, REGULATIONS §2.2): every page of a paper handed in is scanned — as many images as the paper
has pages, one PDF or one picture per page, kept as one PDF — while papers only shown (xuất trình)
are recorded as such and never scanned. A scan that breaks the rules changes nothing."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from motcua.documents.models import Document, DocumentOrigin, SignatureStatus
from motcua.documents.signatures import verify_pdf
from motcua.dossiers.models import ComponentReceipt, Presentation
from motcua.org.models import Unit
from motcua.sync.payload import dossier_records
from tests.backoffice.test_reception import applicant, components, dossiers_of, form_url, html, scan
from tests.documents.sealing import seals  # noqa: F401 (fixture)
from tests.dossiers.kit import NOTARY

CENTRE = "000.00.40.H19"  # Trung tâm Phục vụ hành chính công tỉnh: Quầy 1 receives for Sở Tư pháp


def page_picture(n: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (620, 877), (255, 255 - 20 * n, 255)).save(out, format="JPEG")
    return SimpleUploadedFile(f"trang-{n}.jpg", out.getvalue(), content_type="image/jpeg")


def receive(client, data: dict):
    return client.post(form_url(NOTARY), applicant() | data | {"decision": "receive"})


def test_r30_pictures_of_each_page_are_kept_as_one_pdf_of_as_many_pages(client_for):
    first, *others = components(NOTARY)
    data = {f"present_{c.pk}": "on" for c in others}
    data |= {
        f"file_{first.pk}": [page_picture(1), page_picture(2), page_picture(3)],
        f"pages_{first.pk}": "3",
    }

    response = receive(client_for("tiepnhan.tinh"), data)

    assert response.status_code == 302, html(response)[-2000:]
    dossier = dossiers_of().get()
    link = dossier.attachments.get(required_document=first)
    scanned = link.document
    assert (scanned.name, scanned.content_type, scanned.page_count) == (
        f"Bản quét - {first.name}.pdf",
        "application/pdf",
        3,
    )
    assert scanned.origin == DocumentOrigin.SCANNED
    receipt = ComponentReceipt.objects.get(dossier=dossier, required_document=first)
    assert (receipt.presentation, receipt.pages) == (Presentation.HANDED_IN, 3)
    # The others were ticked as handed in on paper, without a scan.
    assert ComponentReceipt.objects.filter(dossier=dossier).count() == len(components(NOTARY))


def test_r30_a_scan_missing_pages_is_refused_and_nothing_is_kept(client_for):
    first, *others = components(NOTARY)
    data = {f"present_{c.pk}": "on" for c in others}
    data |= {f"file_{first.pk}": [page_picture(1), page_picture(2)], f"pages_{first.pk}": "3"}
    documents = Document.objects.count()

    response = receive(client_for("tiepnhan.tinh"), data)

    assert response.status_code == 422  # a rule refused, as the engine's other rules
    assert "có 3 trang giấy nhưng bản quét có 2 trang" in html(response) and "R-30" in html(response)
    assert not dossiers_of().exists() and Document.objects.count() == documents


def test_r30_a_scan_asks_for_the_page_count_of_the_paper(client_for):
    first, *_ = components(NOTARY)
    response = receive(client_for("tiepnhan.tinh"), {f"file_{first.pk}": scan()})
    assert response.status_code == 400
    assert "Nhập số trang của giấy tờ" in html(response) and not dossiers_of().exists()


def test_r30_a_paper_only_shown_is_recorded_and_counts_as_handed_in(client_for):
    """The identity card is shown for comparison: ticked "Chỉ xuất trình", no scan, no copy — and the
    dossier is complete (R-17 asks nothing more)."""
    first, *others = components(NOTARY)
    data = {f"present_{c.pk}": "on" for c in others} | {f"shown_{first.pk}": "on"}

    response = receive(client_for("tiepnhan.tinh"), data)

    assert response.status_code == 302, html(response)[-2000:]
    dossier = dossiers_of().get()
    assert dossier.state == "received" and not dossier.attachments.filter(required_document=first).exists()
    receipt = ComponentReceipt.objects.get(dossier=dossier, required_document=first)
    assert (receipt.presentation, receipt.pages) == (Presentation.SHOWN, None)
    event = dossier.events.get(action="receive")
    assert event.data["shown_components"] == [first.pk]


def test_r30_a_paper_only_shown_is_not_scanned(client_for):
    first, *others = components(NOTARY)
    data = {f"present_{c.pk}": "on" for c in others}
    data |= {f"shown_{first.pk}": "on", f"file_{first.pk}": scan(), f"pages_{first.pk}": "1"}
    response = receive(client_for("tiepnhan.tinh"), data)
    assert response.status_code == 400
    assert "Giấy tờ chỉ xuất trình thì không quét" in html(response) and not dossiers_of().exists()


def test_r30_a_picture_that_is_not_one_is_refused(client_for):
    first, *_ = components(NOTARY)
    fake = SimpleUploadedFile("trang-2.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    data = {f"file_{first.pk}": [page_picture(1), fake], f"pages_{first.pk}": "2"}
    response = receive(client_for("tiepnhan.tinh"), data)
    assert response.status_code == 400
    assert "không phải ảnh JPG/PNG như tên tệp" in html(response) and not dossiers_of().exists()


def test_r30_the_receiving_centre_signs_each_scan_so_it_is_a_digitisation_result(client_for, seals):  # noqa: F811
    """TT 01/2023/TT-VPCP: the scan becomes a digitisation result with the receiving unit's digital
    signature; the national record then says DuocSoHoa = 1 (indicator 4.2) — and the signature
    covers the very bytes kept (verified again from the store)."""
    centre = Unit.objects.get(code=CENTRE)
    seals(centre)
    first, *others = components(NOTARY)
    data = {f"present_{c.pk}": "on" for c in others}
    data |= {f"file_{first.pk}": [page_picture(1), page_picture(2)], f"pages_{first.pk}": "2"}

    response = receive(client_for("tiepnhan.tinh"), data)

    assert response.status_code == 302, html(response)[-2000:]
    dossier = dossiers_of().get()
    scanned = dossier.attachments.get(required_document=first).document
    assert scanned.signature_status == SignatureStatus.VALID and centre.name in scanned.signature_signer
    with scanned.file.open("rb") as handle:
        assert verify_pdf(handle.read()).status == SignatureStatus.VALID
    assert scanned.page_count == 2
    event = dossier.events.get(action="receive")
    assert event.data["certified_scans"] == [
        {"document": str(scanned.pk), "sha256": scanned.sha256, "unit": CENTRE}
    ]
    record = dossier_records([dossier])[dossier.pk]
    assert [item["DuocSoHoa"] for item in record["TaiLieuNop"]] == ["1"]
    assert record["HoSoCoThanhPhanSoHoa"] == "1"
    # The dossier page says what is left for 4.2: the electronic result (a paper one is due).
    page = html(client_for("tiepnhan.tinh").get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Chưa số hóa (chỉ số 4.2)" in page and "Chưa có kết quả điện tử" in page
    assert "Chưa có thành phần hồ sơ nào được số hóa" not in page


def test_r30_without_a_key_for_the_centre_the_scan_stays_a_plain_picture(client_for):
    first, *others = components(NOTARY)
    data = {f"present_{c.pk}": "on" for c in others}
    data |= {f"file_{first.pk}": [page_picture(1)], f"pages_{first.pk}": "1"}
    assert receive(client_for("tiepnhan.tinh"), data).status_code == 302
    dossier = dossiers_of().get()
    scanned = dossier.attachments.get(required_document=first).document
    assert scanned.content_type == "application/pdf"  # one picture is kept as a one-page PDF too
    assert scanned.signature_status == SignatureStatus.UNSIGNED
    assert dossier_records([dossier])[dossier.pk]["TaiLieuNop"][0]["DuocSoHoa"] == "0"
    page = html(client_for("tiepnhan.tinh").get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Chưa có thành phần hồ sơ nào được số hóa" in page
