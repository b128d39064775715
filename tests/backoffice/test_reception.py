"""Reception at the counter (/can-bo/tiep-nhan/): choose a procedure the counter receives, its case,
the applicant, tick and scan each component, see the appointment, and decide in one sitting —
receive, ask once for everything missing (R-17), or refuse; on-the-spot procedures end there (R-08)."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.demo.signing import plain_pdf, signed_pdf
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier
from motcua.dossiers.reception_selectors import appointment_preview
from tests.dossiers.kit import CONSULTED, INTERNAL_ONLINE, NOTARY, ON_THE_SPOT

PDF = plain_pdf("Bản quét thử nghiệm")  # one page, as the scanning rule counts them
CHOOSE = "/can-bo/tiep-nhan/"


def form_url(code: str) -> str:
    return f"/can-bo/tiep-nhan/{code}/"


def html(response) -> str:
    return response.content.decode()


def scan(name: str = "ban-quet.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def signed_scan(name: str) -> SimpleUploadedFile:
    """A PDF truly signed by the demo CA (its signature is verified on upload, not ticked)."""
    return SimpleUploadedFile(name, signed_pdf(name), content_type="application/pdf")


def components(code: str, case: str = "TH1") -> list:
    return list(Procedure.objects.get(code=code).cases.get(code=case).documents.order_by("order", "pk"))


def applicant(**extra) -> dict:
    data = {
        "applicant_kind": "citizen",
        "identifier": "079301000123",
        "name": "Lê Thị Quầy",
        "phone": "0912345678",
        "address": "Khu phố 3, phường Trấn Biên",
        "result_delivery": "counter",
    }
    return data | extra


def everything_handed_in(code: str) -> dict:
    data = {}
    for c in components(code):
        data[f"present_{c.pk}"] = "on"
        data[f"file_{c.pk}"] = scan(f"{c.pk}.pdf")
        data[f"pages_{c.pk}"] = "1"
    return data


def dossiers_of(identifier: str = "079301000123"):
    return Dossier.objects.filter(applicant_identifier=identifier)


# --- choosing the procedure ------------------------------------------------------------------------


def test_the_counter_lists_what_it_receives_its_own_counter_first(client_for):
    response = client_for("tiepnhan.tinh").get(CHOOSE)
    assert response.status_code == 200
    body = html(response)
    assert 'aria-current="page"' in body and "Tiếp nhận hồ sơ trực tiếp" in body
    assert body.index('id="thu-tuc-1.019901"') < body.index('id="thu-tuc-1.019905"')  # Quầy 1 first
    assert f'href="{form_url(NOTARY)}"' in body and "Quầy của bạn" in body
    assert f'href="{form_url(ON_THE_SPOT)}"' not in body  # a commune counter's procedure


def test_search_without_diacritics_and_as_you_type(client_for):
    client = client_for("tiepnhan.tinh")
    body = html(client.get(CHOOSE, {"q": "thanh lap van phong cong chung"}))
    assert 'id="thu-tuc-1.019901"' in body and 'id="thu-tuc-1.019905"' not in body
    partial = client.get(
        CHOOSE, {"q": "van phong cong chung"}, headers={"HX-Request": "true", "HX-Target": "ket-qua"}
    )
    assert partial.status_code == 200 and "<html" not in html(partial) and "1.019901" in html(partial)


def test_r19_internal_online_refused_at_counter_page(client_for):
    """R-19: shown in the list and on the form before the officer starts; the engine refuses too."""
    client = client_for("tiepnhan.tinh3")
    listed = html(client.get(CHOOSE))
    refused = listed[listed.index('id="thu-tuc-khong-tiep-nhan"') :]
    assert f'id="thu-tuc-{INTERNAL_ONLINE}"' in refused and "R-19" in refused
    assert "phải nộp trực tuyến" in refused
    assert f'href="{form_url(INTERNAL_ONLINE)}"' not in listed

    page = client.get(form_url(INTERNAL_ONLINE))
    assert page.status_code == 200
    assert "R-19" in html(page) and "Bộ phận Một cửa không tiếp nhận trực tiếp" in html(page)
    assert 'id="form-tiep-nhan"' not in html(page)

    state_body = applicant(
        applicant_kind="state_body", identifier="000.00.63.H19", name="UBND phường Long Khánh"
    )
    response = client.post(form_url(INTERNAL_ONLINE), state_body | {"decision": "receive"})
    assert response.status_code == 422 and "R-19" in html(response)
    assert not Dossier.objects.filter(procedure__code=INTERNAL_ONLINE).exists()


def test_r01_another_counters_procedure_and_non_counter_officers_are_refused(client_for):
    response = client_for("tiepnhan.tranbien").get(form_url(NOTARY))
    assert response.status_code == 403 and "R-01" in html(response)
    assert "Quầy của bạn không được giao tiếp nhận thủ tục này" in html(response)
    assert client_for("lanhdao.sotuphap").get(CHOOSE).status_code == 403
    assert client_for("tiepnhan.tinh").get(form_url("9.999999")).status_code == 404


# --- the form ----------------------------------------------------------------------------------------


def test_the_form_shows_components_appointment_and_fees(client_for):
    response = client_for("tiepnhan.tinh").get(form_url(NOTARY))
    assert response.status_code == 200
    body = html(response)
    for c in components(NOTARY):
        assert f'name="present_{c.pk}"' in body and f'name="file_{c.pk}"' in body and c.name in body
    procedure = Procedure.objects.get(code=NOTARY)
    expected = appointment_preview(procedure, procedure.cases.get(), "counter", timezone.now())
    assert f'id="ngay-hen-tra">{expected.text}<' in body  # computed on the working calendar
    assert "20 ngày làm việc" in body and "Phí: 1.000.000 đồng" in body
    assert 'name="decision" value="receive"' in body and 'value="request_supplement"' in body
    assert 'value="reject"' in body
    inputs = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]* id="([\w-]+)"', body)
    assert len(inputs) >= 15
    for input_id in inputs:
        assert f'for="{input_id}"' in body, f"{input_id} has no label"


def test_several_cases_are_chosen_first(client_for):
    client = client_for("tiepnhan.tinh7")
    body = html(client.get(form_url("1.019904")))
    assert 'id="truong-hop"' in body and 'id="form-tiep-nhan"' not in body
    body = html(client.get(form_url("1.019904"), {"case": "TH2"}))
    assert 'id="form-tiep-nhan"' in body and "15 ngày làm việc" in body
    assert 'name="case" value="TH2"' in body


def test_applicant_lookup_fills_the_name_but_never_the_stored_contacts(client_for):
    client = client_for("tiepnhan.tinh")
    query = {"lookup": "1", "applicant_kind": "citizen", "identifier": "075088000001"}
    partial = client.get(form_url(NOTARY), query, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in html(partial)
    assert 'value="Nguyễn Văn Thử"' in html(partial)
    # Issue 8 item 3: a typed identifier must not reveal the person's stored phone or address.
    assert "0900000001" not in html(partial) and "Khu phố 1" not in html(partial)
    full = client.get(form_url(NOTARY), query | {"summary": "Giữ nguyên"})
    assert 'value="Nguyễn Văn Thử"' in html(full) and 'value="Giữ nguyên"' in html(full)
    unknown = client.get(
        form_url(NOTARY), query | {"identifier": "079999999999"}, headers={"HX-Request": "true"}
    )
    assert "Chưa có người nộp với số định danh này" in html(unknown)


def test_unticked_components_become_the_supplement_list(client_for):
    first, *others = components(NOTARY)
    query = {"missing": "1", f"present_{first.pk}": "on"}
    partial = client_for("tiepnhan.tinh").get(form_url(NOTARY), query, headers={"HX-Request": "true"})
    body = html(partial)
    assert first.name not in body and all(c.name in body for c in others)
    # Ticking the last one keeps what the officer typed that is not a component of the catalogue.
    typed = "Bản chính giấy tờ tùy thân để đối chiếu"
    query |= {f"present_{c.pk}": "on" for c in others} | {"items": f"{others[0].name}\n{typed}"}
    partial = client_for("tiepnhan.tinh").get(form_url(NOTARY), query, headers={"HX-Request": "true"})
    body = html(partial)
    assert typed in body and not any(c.name in body for c in (first, *others))


# --- deciding in the sitting ---------------------------------------------------------------------------


def test_receive_with_scans_gives_the_appointment_and_the_receipt(client_for):
    client = client_for("tiepnhan.tinh")
    data = applicant(summary="Thành lập Văn phòng công chứng Quầy") | everything_handed_in(NOTARY)
    response = client.post(form_url(NOTARY), data | {"decision": "receive"})
    assert response.status_code == 302
    dossier = dossiers_of().get()
    assert response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    assert (dossier.state, dossier.channel, dossier.receiving_unit.code) == (
        "received",
        "counter",
        "000.00.40.H19",
    )
    assert dossier.due_at is not None and dossier.created_by.username == "tiepnhan.tinh"
    links = list(dossier.attachments.order_by("required_document__order"))
    assert [link.required_document_id for link in links] == [c.pk for c in components(NOTARY)]
    assert {link.document.kind for link in links} == {"submitted"}

    page = html(client.get(response["Location"]))
    assert f"Đã tiếp nhận hồ sơ {dossier.code}." in page
    receipt = f'<a href="/can-bo/ho-so/{dossier.code}/in/giay-tiep-nhan.pdf">In Giấy tiếp nhận'
    assert receipt in page  # in the success message (and in the print list)
    due = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")
    assert f'id="ngay-hen-tra">{due}<' in page
    assert "Thành lập Văn phòng công chứng Quầy" in page


def test_r17_supplement_requested_once_with_everything_missing(client_for):
    first, *missing = components(NOTARY)
    data = applicant() | {f"present_{first.pk}": "on", f"file_{first.pk}": scan(), f"pages_{first.pk}": "1"}
    data |= {"decision": "request_supplement", "supplement_reason": "Hồ sơ còn thiếu giấy tờ theo quy định"}
    response = client_for("tiepnhan.tinh").post(form_url(NOTARY), data)
    assert response.status_code == 302
    dossier = dossiers_of().get()
    assert (dossier.state, dossier.supplement_requests) == ("awaiting_supplement", 1)
    request = dossier.events.get(action="request_supplement")
    assert request.data["items"] == [c.name for c in missing]
    assert "/in/yeu-cau-bo-sung.pdf" in html(
        client_for("tiepnhan.tinh").get(f"/can-bo/ho-so/{dossier.code}/")
    )


def test_r17_a_refused_decision_leaves_no_dossier_and_no_document(client_for):
    documents = Document.objects.count()
    data = applicant() | everything_handed_in(NOTARY) | {"decision": "request_supplement"}
    response = client_for("tiepnhan.tinh").post(form_url(NOTARY), data)
    assert response.status_code == 422
    body = html(response)
    assert "Phải liệt kê đầy đủ các nội dung cần bổ sung" in body and "R-17" in body
    assert "hãy chọn lại các bản quét" in body
    assert not dossiers_of().exists() and Document.objects.count() == documents
    assert 'value="Lê Thị Quầy"' in body  # what was typed is kept


def test_refusal_at_the_counter_needs_a_reason(client_for):
    client = client_for("tiepnhan.tinh3")
    state_body = applicant(
        applicant_kind="state_body", identifier="000.00.61.H19", name="UBND phường Trấn Biên"
    )
    response = client.post(form_url(CONSULTED), state_body | {"decision": "reject", "reject_reason": "x"})
    assert response.status_code == 422 and "Phải ghi rõ lý do." in html(response)
    assert not Dossier.objects.filter(procedure__code=CONSULTED).exists()
    reason = "Đơn vị sự nghiệp không thuộc thẩm quyền thẩm định của Sở Nội vụ"
    response = client.post(form_url(CONSULTED), state_body | {"decision": "reject", "reject_reason": reason})
    assert response.status_code == 302
    dossier = Dossier.objects.get(procedure__code=CONSULTED)
    assert dossier.state == "rejected" and dossier.events.get(action="reject").reason == reason
    assert "/in/tu-choi.pdf" in html(client.get(response["Location"]))


def test_r08_on_the_spot_completed_in_one_sitting(client_for):
    clerk = client_for("tiepnhan.tranbien")
    response = clerk.post(
        form_url(ON_THE_SPOT), applicant() | everything_handed_in(ON_THE_SPOT) | {"decision": "receive"}
    )
    assert response.status_code == 302
    dossier = dossiers_of().get()
    page = html(clerk.get(response["Location"]))
    assert 'id="tai-cho"' in page and 'id="action-issue_result" open' in page

    def act(action: str, **fields):
        fields["version"] = Dossier.objects.get(pk=dossier.pk).version
        return clerk.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/{action}/", fields)

    assert act("issue_result", outcome="result").status_code == 422  # the signed result first
    assert (
        act("issue_result", outcome="result", files=[signed_scan("Bản sao chứng thực.pdf")]).status_code
        == 302
    )
    assert "return_result" in html(clerk.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert act("return_result", delivery="counter").status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "returned" and dossier.returned_at is not None
    assert [e.action for e in dossier.events.order_by("seq")] == [
        "submit",
        "receive",
        "issue_result",
        "return_result",
    ]
    result = dossier.attachments.get(document__kind="result").document
    assert result.signed and result.name == "Bản sao chứng thực.pdf"


def test_bad_input_is_a_vietnamese_400(client_for):
    client = client_for("tiepnhan.tinh")
    missing = client.post(form_url(NOTARY), applicant(name="") | {"decision": "receive"})
    assert missing.status_code == 400
    assert "Dữ liệu nhập chưa hợp lệ: Họ tên / tên tổ chức, cơ quan." in html(missing)
    first = components(NOTARY)[0]
    wrong = applicant() | {
        f"file_{first.pk}": SimpleUploadedFile("scan.exe", b"MZ\x90"),
        f"pages_{first.pk}": "1",
        "decision": "receive",
    }
    response = client.post(form_url(NOTARY), wrong)
    assert response.status_code == 400 and "Bản quét “scan.exe” phải là tệp PDF, JPG hoặc PNG" in html(
        response
    )
    bad_id = client.post(form_url(NOTARY), applicant(identifier="12") | {"decision": "receive"})
    assert bad_id.status_code == 400 and "12 chữ số" in html(bad_id)
    no_decision = client.post(form_url(NOTARY), applicant())
    assert no_decision.status_code == 400 and "Hãy chọn cách xử lý hồ sơ." in html(no_decision)
    assert not dossiers_of().exists()
    assert re.search(r"<html", html(missing))
