"""The back office as officers use it, in Debian's Chromium: each demo role signs in and does its part.

Set-up that is not the point of a test (a citizen's online submission, earlier steps by other
officers) goes through the REST API over HTTP; what the test is about happens in the browser.
"""

import datetime
import re

from playwright.sync_api import expect

from tests.e2e.steps import act, open_dossier, pdf_file, pdf_text, state_is

CITIZEN = {"kind": "citizen", "identifier": "075088000001", "name": "Nguyễn Văn Thử"}
COURT = "000.00.31.H19"
CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.H19-\d{6}-\d{4}")


def _api_act(server, code: str, action: str, username: str, **body) -> dict:
    status, detail = server.api("GET", f"/api/v1/dossiers/{code}", username=username)
    assert status == 200, detail
    status, detail = server.api(
        "POST",
        f"/api/v1/dossiers/{code}/actions/{action}",
        {"version": detail["version"], **body},
        username=username,
    )
    assert status == 200, detail
    return detail


def _components(server, dossier: dict) -> list[int]:
    """Every component of the dossier's case: the counter checked a complete paper dossier (R-17)."""
    status, procedure = server.api(
        "GET", f"/api/v1/procedures/{dossier['procedure']['code']}", username="tiepnhan.tinh"
    )
    assert status == 200, procedure
    [case] = [c for c in procedure["cases"] if c["code"] == dossier["case"]["code"]]
    return [d["id"] for d in case["documents"]]


def _dossier_code(page) -> str:
    heading = page.get_by_role("heading", name=re.compile(r"^Hồ sơ ")).inner_text()
    return CODE.search(heading).group()


def test_counter_reception_with_receipt_pdf(officer, shot):
    """R-01: the Centre's counter 1 receives a notary-office dossier for the Department of Justice,
    sees the appointment date before receiving, and prints the receipt with its look-up secret."""
    page = officer("tiepnhan.tinh")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.locator("#q").fill("thanh lap van phong cong chung")  # typed without diacritics
    row = page.locator("#thu-tuc-1\\.019901")
    expect(row).to_be_visible()
    shot(page, "chọn thủ tục")
    row.get_by_role("link").click()

    expect(page.locator("#ngay-hen-tra")).to_contain_text("/20")  # the appointment, before receiving
    page.locator("#id_identifier").fill("075088000031")
    page.locator("#id_name").fill("Lâm Thị Thu Hằng")
    page.locator("#id_phone").fill("0912000031")
    page.locator("#id_address").fill("Số 5 đường Nguyễn Ái Quốc, phường Trấn Biên, tỉnh Đồng Nai")
    components = page.locator("#thanh-phan li.component")
    for i in range(components.count()):
        components.nth(i).locator("input.tick").check()
        components.nth(i).locator("input[type=file]").set_input_files(pdf_file(f"thanh-phan-{i + 1}.pdf"))
        components.nth(i).locator("input.pages").fill("1")  # the paper's pages, as many as the scan's
    shot(page, "phiếu tiếp nhận đã điền")
    page.locator("#nut-tiep-nhan").click()

    state_is(page, "Đã tiếp nhận, chờ chuyển xử lý")
    code = _dossier_code(page)
    expect(page.locator("#nguoi-nop")).to_contain_text("Lâm Thị Thu Hằng")
    expect(page.locator("#tai-lieu")).to_contain_text("thanh-phan-1.pdf")
    shot(page, "đã tiếp nhận")
    text = pdf_text(page, "in-giay-tiep-nhan", shot.folder)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert code in text and "Lâm Thị Thu Hằng" in text and "Mã tra cứu" in text


def test_on_the_spot_dossier_completed_in_one_sitting(officer, shot):
    """R-08: a certified copy at the Trấn Biên counter is received, decided and handed over at once."""
    page = officer("tiepnhan.tranbien")
    page.goto("/can-bo/tiep-nhan/2.000815/")
    page.locator("#id_identifier").fill("075088000032")
    page.locator("#id_name").fill("Phạm Quốc Bảo")
    ticks = page.locator("#thanh-phan input.tick")  # every component handed in
    for i in range(ticks.count()):
        ticks.nth(i).check()
    page.locator("#nut-tiep-nhan").click()
    state_is(page, "Đã tiếp nhận, chờ chuyển xử lý")
    expect(page.locator("#tai-cho")).to_be_visible()  # the sitting goes on
    shot(page, "tiếp nhận tại chỗ")

    act(page, "issue_result", files=["Bản sao chứng thực.pdf"], signed=True)
    state_is(page, "Đã có kết quả, chờ trả")
    act(page, "return_result")
    state_is(page, "Đã trả kết quả")
    expect(page.locator("#trang-thai-dvcqg")).to_contain_text("10")
    expect(page.locator("#khong-co-thao-tac")).to_be_visible()
    shot(page, "đã trả kết quả")


def test_consultation_asked_refused_pause_and_answered(server, officer, shot):
    """R-12/R-13: the police ask the court; while the court has not answered, the pause is refused
    with the rule shown; the court answers from its own inbox; then the pause goes through."""
    status, dossier = server.api(
        "POST",
        "/api/v1/dossiers",
        {"procedure": "1.019904", "case": "TH1", "channel": "online", "applicant": CITIZEN},
        username="congdan1",
    )
    assert status == 201, dossier
    code = dossier["code"]

    police = open_dossier(officer("chuyenvien.congantinh"), code)
    act(police, "receive")
    act(police, "forward")
    state_is(police, "Đang xử lý")
    act(
        police,
        "consult",
        fields={
            "to_unit": COURT,
            "content": "Đề nghị Tòa án cung cấp thông tin về án tích của người yêu cầu.",
            "reply_days": "3",
        },
    )
    expect(police.locator("#xin-y-kien")).to_contain_text("Tòa án nhân dân tỉnh Đồng Nai")
    shot(police, "đã xin ý kiến")

    act(
        police,
        "pause",
        fields={"pause_reason": "financial_obligation", "reason": "Chờ người yêu cầu nộp phí"},
        refused=True,
    )
    refusal = police.locator("#action-pause #refusal")
    expect(refusal).to_contain_text("Không thể tạm dừng hồ sơ đang chờ ý kiến của cơ quan khác.")
    expect(refusal).to_contain_text("R-13")
    state_is(police, "Đang xử lý")
    shot(police, "tạm dừng bị từ chối R-13")

    court = officer("chuyenvien.toaan")
    court.get_by_role("link", name="Xin ý kiến").click()
    expect(court.locator("main")).to_contain_text(code)
    shot(court, "hộp thư xin ý kiến của tòa án")
    court.get_by_role("link", name=code).first.click()
    answer = court.locator("[id^=action-answer-]")
    expect(answer).to_be_visible()
    dom_id = answer.get_attribute("id").removeprefix("action-")
    act(court, "answer_consultation", dom_id=dom_id, fields={"answer": "Người yêu cầu không có án tích."})
    expect(court.locator("#xin-y-kien")).to_contain_text("Người yêu cầu không có án tích.")
    shot(court, "tòa án đã trả lời")

    police.reload()
    act(
        police,
        "pause",
        fields={"pause_reason": "financial_obligation", "reason": "Chờ người yêu cầu nộp phí"},
    )
    state_is(police, "Tạm dừng")
    shot(police, "tạm dừng sau khi có ý kiến")


def test_withdrawal_approved_by_the_head(server, officer, shot):
    """R-15: the applicant asked in writing (API); only the unit head approves, with a signed letter."""
    status, dossier = server.api(
        "POST",
        "/api/v1/dossiers",
        {"procedure": "1.019902", "channel": "counter", "applicant": CITIZEN},
        username="tiepnhan.tinh",
    )
    assert status == 201, dossier
    code = dossier["code"]
    _api_act(server, code, "receive", "tiepnhan.tinh", components=_components(server, dossier))
    _api_act(server, code, "forward", "tiepnhan.tinh")

    # The applicant hands the written request in at the counter that received the dossier.
    officer_page = open_dossier(officer("tiepnhan.tinh"), code)
    act(
        officer_page,
        "request_withdrawal",
        fields={"reason": "Người nộp có đơn xin rút hồ sơ"},
        files=["Đơn xin rút hồ sơ.pdf"],
    )
    state_is(officer_page, "Chờ duyệt rút hồ sơ")
    expect(officer_page.locator("#action-approve_withdrawal")).to_have_count(0)  # not the head

    head = officer("lanhdao.sotuphap")
    head.get_by_role("link", name=re.compile("Chờ duyệt")).first.click()
    expect(head.locator("main")).to_contain_text(code)
    shot(head, "hàng đợi chờ duyệt")
    open_dossier(head, code)
    act(head, "approve_withdrawal", files=["Văn bản đồng ý rút hồ sơ.pdf"], refused=True)  # not signed
    expect(head.locator("#action-approve_withdrawal #refusal")).to_contain_text("R-15")
    shot(head, "chưa ký bị từ chối")
    act(head, "approve_withdrawal", files=["Văn bản đồng ý rút hồ sơ (đã ký).pdf"], signed=True)
    state_is(head, "Đã rút hồ sơ")
    shot(head, "đã duyệt rút")


def _late_dossier(server) -> str:
    """A building-permit extension received 21 days ago: its 5 working days have run out. The API
    has no clock, so these first steps are written through the services with a past date."""
    return server.python(
        "import datetime\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.utils import timezone\n"
        "from motcua.dossiers import services\n"
        "from motcua.dossiers.context import ActionInput\n"
        "users = get_user_model().objects\n"
        "past = timezone.now() - datetime.timedelta(days=21)\n"
        "d = services.submit(services.SubmissionInput(procedure_code='1.019907', channel='online',"
        " applicant=services.ApplicantInput(kind='citizen', identifier='075088000001',"
        " name='Nguyễn Văn Thử'), summary='Gia hạn giấy phép xây dựng'),"
        " actor=users.get(username='congdan1'), now=past)\n"
        "officer = users.get(username='chuyenvien.soxaydung')\n"
        "services.apply(d.code, 'receive', officer, ActionInput(version=1), now=past)\n"
        "services.apply(d.code, 'forward', officer, ActionInput(version=2), now=past)\n"
        "print(d.code)\n"
    ).strip()


def test_late_dossier_apology_then_result_issued_and_returned(server, officer, shot):
    """R-27: the head apologises once with a new date; then the result is issued and returned."""
    code = _late_dossier(server)

    head = officer("lanhdao.soxaydung")
    head.get_by_role("link", name=re.compile("Quá hạn")).first.click()
    expect(head.locator("main")).to_contain_text(code)
    shot(head, "hàng đợi quá hạn")
    open_dossier(head, code)
    expect(head.locator("#han-xu-ly")).to_contain_text("Quá hạn")
    new_date = (datetime.date.today() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT10:00")
    act(
        head,
        "apologise",
        fields={
            "new_due_at": new_date,
            "explanation": "Hồ sơ phải lấy thêm ý kiến nội bộ; Sở xin lỗi và hẹn lại ngày trả.",
        },
        files=["Phiếu xin lỗi và hẹn lại ngày trả.pdf"],
        signed=True,
    )
    expect(head.locator("#ngay-hen-moi")).to_contain_text(
        (datetime.date.today() + datetime.timedelta(days=7)).strftime("%d/%m/%Y")
    )
    expect(head.locator("#action-apologise")).to_have_count(0)  # once only
    shot(head, "đã xin lỗi hẹn lại")
    text = pdf_text(head, "in-xin-loi", shot.folder)
    assert "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text.upper()

    act(open_dossier(officer("chuyenvien.soxaydung"), code), "forward")
    act(open_dossier(officer("truongphong.soxaydung"), code), "forward")
    open_dossier(head, code)
    act(head, "issue_result", files=["Giấy phép xây dựng (gia hạn).pdf"], signed=True)
    state_is(head, "Đã có kết quả, chờ trả")

    counter = open_dossier(officer("chuyenvien.soxaydung"), code)
    act(counter, "return_result")
    state_is(counter, "Đã trả kết quả")
    sheet = counter.locator("#tien-trinh")
    expect(sheet).to_contain_text("Quá hạn")  # the appraisal step that made it late, for the report
    shot(counter, "đã trả kết quả, phiếu kiểm soát")


def test_queue_and_dossier_page_on_a_phone(officer, shot):
    page = officer("tiepnhan.tinh", phone=True)
    expect(page.get_by_role("heading", name="Hàng đợi công việc")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    shot(page, "hàng đợi trên điện thoại")


def test_r19_internal_procedure_with_online_service_refused_at_the_counter(officer, shot):
    page = officer("tiepnhan.tinh3")
    page.goto("/can-bo/tiep-nhan/")
    page.locator("#q").fill("cu can bo cong tac nuoc ngoai")
    expect(page.locator("#thu-tuc-khong-tiep-nhan")).to_contain_text("1.019912")
    page.goto("/can-bo/tiep-nhan/1.019912/")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("phải nộp trực tuyến")
    expect(alert).to_contain_text("R-19")
    expect(page.locator("#nut-tiep-nhan")).to_have_count(0)
    shot(page, "thủ tục nội bộ bị từ chối tại quầy")
