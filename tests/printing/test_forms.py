"""The forms of TT 03/2025 Phụ lục I printed as PDF (issue 4 item 6), read back with poppler-utils:
each form says what the event log recorded, in Vietnamese with its diacritics, times in local time."""

import datetime
import re

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import RequiredDocument
from motcua.core.errors import NotFound, RuleViolation
from motcua.documents.models import DocumentKind
from motcua.dossiers.models import DossierDocument
from motcua.org.models import Unit
from motcua.printing import services
from tests.dossiers.kit import (
    CENTRE,
    NOTARY,
    ON_THE_SPOT,
    ApplicantInput,
    act,
    at,
    doc,
    forward_to,
    fresh,
    notary_processing,
    submit,
    user,
)
from tests.printing import pdf

BASE = "https://dichvucong.dongnai.gov.vn/"
APPLICANT = ApplicantInput(
    kind="citizen",
    identifier="075088000009",
    name="Trần Thị Ngọc Ánh",
    phone="0912345678",
    email="anh.tran@example.vn",
    address="Số 12 đường Hà Huy Giáp, phường Trấn Biên, tỉnh Đồng Nai",
)


def render(form: str, code: str, username: str = "tiepnhan.tinh", **kwargs) -> bytes:
    return services.render_dossier_form(form, code, user=user(username), base_url=BASE, **kwargs)


def assert_page_looks_printed(content: bytes, folder) -> None:
    """Page 1 renders (pdftoppm -r 50) to an A4 image with real ink on it."""
    png = pdf.page_png(content, folder)
    assert png.exists() and png.stat().st_size > 5_000
    assert 0.01 < pdf.ink(png) < 0.5


def received_at_counter(now: datetime.datetime, *, documents=()):
    d = submit(
        NOTARY,
        channel="counter",
        actor="tiepnhan.tinh",
        now=now,
        applicant=APPLICANT,
        documents=[x.pk for x in documents],
    )
    return act(d, "receive", "tiepnhan.tinh", now=now + datetime.timedelta(minutes=10))


# --- Mẫu 01: the receipt -----------------------------------------------------------------------


def test_receipt_has_appointment_in_local_time_documents_fees_and_lookup_qr(tmp_path):
    application, project = (
        doc(DocumentKind.SUBMITTED, name="don.pdf"),
        doc(DocumentKind.SUBMITTED, name="da.pdf"),
    )
    d = received_at_counter(at("2026-03-02 08:00"), documents=[application, project])
    # The counter officer ticks which published component each paper answers.
    required = {r.code: r for r in RequiredDocument.objects.filter(case=d.case)}
    DossierDocument.objects.filter(dossier=d, document=application).update(
        required_document=required["1.019901.GT01"]
    )
    DossierDocument.objects.filter(dossier=d, document=project).update(
        required_document=required["1.019901.GT02"]
    )

    content = render("giay-tiep-nhan", d.code)
    pdf.keep("giay-tiep-nhan", content)
    text, flat = pdf.text(content, tmp_path), pdf.flat(content, tmp_path)

    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND TỈNH ĐỒNG NAI" in text and "Đồng Nai, ngày 02 tháng 3 năm 2026" in text
    assert f"Số:{d.code}/TTPVHCC" in flat
    assert "Trần Thị Ngọc Ánh" in text and "075088000009" in text
    assert "Số 12 đường Hà Huy Giáp" in text and "0912345678" in text
    assert d.code in text and "Thành lập Văn phòng công chứng" in text
    assert "1. Đơn đề nghị thành lập Văn phòng công chứng" in text
    assert "2. Đề án thành lập Văn phòng công chứng" in text
    assert "1.000.000 đồng" in text and "Chưa nộp" in text
    assert "20 ngày làm việc" in text
    # Received 08:10 and due 20 working days later, both in Asia/Ho_Chi_Minh (stored in UTC).
    assert "Thời gian nhận hồ sơ: 08 giờ 10 phút, ngày 02/03/2026" in text
    assert (
        pdf.squash("Thời gian trả kết quả giải quyết hồ sơ: 08 giờ 10 phút, thứ Hai, ngày 30/03/2026") in flat
    )
    assert "Đăng ký nhận kết quả tại: Trực tiếp tại Bộ phận Một cửa" in text
    assert "Huỳnh Thu Lan" in text and "Quầy 1 — Quầy Tư pháp" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    # The look-up secret in clear, and the public look-up address printed and in the QR code.
    url = f"{BASE}tra-cuu/?ma={d.code}&ma_tra_cuu={d.lookup_secret}"
    assert d.lookup_secret in text
    assert url in flat
    expected = segno.make(url, error="m", micro=False)
    size = expected.symbol_size(border=0)[0]
    page = pdf.page_png(content, tmp_path, dpi=150, gray=True)
    assert pdf.qr_modules(page, size) == [[bool(m) for m in row] for row in expected.matrix]

    assert pdf.info(content, tmp_path)["Pages"] == "1"  # the receipt is one sheet
    assert pdf.fonts(content, tmp_path) == ["MotCua-Serif", "MotCua-Serif-Bold", "MotCua-Serif-Italic"]
    assert_page_looks_printed(content, tmp_path)


def test_receipt_only_once_received():
    d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 08:00"))
    with pytest.raises(RuleViolation) as exc:
        render("giay-tiep-nhan", d.code)
    assert exc.value.code == "form_not_applicable"
    assert "chưa được tiếp nhận" in exc.value.message


# --- Mẫu 02: the supplement request -------------------------------------------------------------

MISSING = [
    "Đề án thành lập Văn phòng công chứng (bản chính, có chữ ký của công chứng viên)",
    "Quyết định bổ nhiệm công chứng viên (bản sao có chứng thực)",
    "Giấy tờ chứng minh về trụ sở của Văn phòng công chứng",
    # A long unbreakable reference must wrap inside the page, not run off it.
    "Bản đồ vị trí trụ sở theo mẫu tải tại https://dichvucong.dongnai.gov.vn/tai-lieu?ma="
    "9f2c4e7a1b3d5f6081a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",
]


def test_supplement_request_lists_every_missing_item_with_reason_and_officer(tmp_path):
    d = submit(
        NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 10:00"), applicant=APPLICANT
    )
    d = act(
        d,
        "request_supplement",
        "tiepnhan.tinh",
        now=at("2026-03-02 10:05"),
        reason="Hồ sơ chưa đủ thành phần theo quy định",
        items=MISSING,
    )
    content = render("yeu-cau-bo-sung", d.code)
    pdf.keep("yeu-cau-bo-sung", content)
    text = pdf.text(content, tmp_path)

    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert f"Số: {d.code}/PBS" in text
    assert "Hồ sơ của: Ông (Bà)/Tổ chức Trần Thị Ngọc Ánh" in text and d.code in text
    assert "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:" in text
    flat = pdf.flat(content, tmp_path)
    for number, item in enumerate(MISSING, start=1):
        assert pdf.squash(item) in flat and f"{number}. {item[:30]}" in text
    assert "Lý do: Hồ sơ chưa đủ thành phần theo quy định" in text
    # At reception the one-stop centre guides the applicant: its officer and its telephone.
    centre = Unit.objects.get(code=CENTRE)
    assert f"sốđiệnthoại{centre.phone}".replace(" ", "") in flat
    assert "NGƯỜI HƯỚNG DẪN" in text and "Huỳnh Thu Lan" in text
    assert pdf.words_beyond(content, tmp_path, right_margin_mm=15) == []
    assert "Đồng Nai, ngày 02 tháng 3 năm 2026" in text
    assert_page_looks_printed(content, tmp_path)


def _assert_lookup_printed(content: bytes, d, folder) -> None:
    """The look-up secret in clear, the public look-up address printed and in the QR code."""
    url = f"{BASE}tra-cuu/?ma={d.code}&ma_tra_cuu={d.lookup_secret}"
    text, flat = pdf.text(content, folder), pdf.flat(content, folder)
    assert "Mã tra cứu" in text and d.lookup_secret in text
    assert url in flat
    expected = segno.make(url, error="m", micro=False)
    page = pdf.page_png(content, folder, dpi=150, gray=True)
    assert pdf.qr_modules(page, expected.symbol_size(border=0)[0]) == [
        [bool(m) for m in row] for row in expected.matrix
    ]


def test_supplement_request_and_refusal_carry_the_lookup_secret_and_qr(tmp_path):
    """Issue 8 item 9: the applicant leaves the counter with the look-up secret whatever the
    decision, so a dossier sent back for a supplement or refused can be followed and found again."""
    asked = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 10:00"))
    asked = act(
        asked,
        "request_supplement",
        "tiepnhan.tinh",
        now=at("2026-03-02 10:05"),
        reason="Hồ sơ chưa đủ thành phần theo quy định",
        items=MISSING[:2],
    )
    content = render("yeu-cau-bo-sung", asked.code)
    _assert_lookup_printed(content, fresh(asked), tmp_path)
    assert pdf.info(content, tmp_path)["Pages"] == "1"

    refused = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 10:10"))
    refused = act(
        refused,
        "reject",
        "tiepnhan.tinh",
        now=at("2026-03-02 10:15"),
        reason="Hồ sơ không thuộc phạm vi giải quyết của Sở Tư pháp.",
    )
    content = render("tu-choi", refused.code)
    _assert_lookup_printed(content, fresh(refused), tmp_path)
    assert pdf.info(content, tmp_path)["Pages"] == "1"


# --- Mẫu 03: refusal ----------------------------------------------------------------------------


def test_refusal_at_a_commune_counter_states_the_reason(tmp_path):
    d = submit(
        ON_THE_SPOT,
        channel="counter",
        actor="tiepnhan.tranbien",
        now=at("2026-03-02 09:00"),
        applicant=APPLICANT,
    )
    reason = "Bản chính giấy tờ do cơ quan nước ngoài cấp chưa được hợp pháp hóa lãnh sự."
    d = act(d, "reject", "tiepnhan.tranbien", now=at("2026-03-02 09:05"), reason=reason)
    content = render("tu-choi", d.code, "tiepnhan.tranbien")
    pdf.keep("tu-choi", content)
    text, flat = pdf.text(content, tmp_path), pdf.flat(content, tmp_path)

    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    # A commune's centre: its People's Committee above it, the commune's name in the date line.
    assert "UBND PHƯỜNG TRẤN BIÊN" in text and "Trấn Biên, ngày 02 tháng 3 năm 2026" in text
    assert f"Số:{d.code}/PTC" in flat
    assert "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:" in text
    assert reason.replace(" ", "") in flat
    assert "Trần Thị Ngọc Ánh" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert_page_looks_printed(content, tmp_path)


def test_refusal_after_appraisal_is_signed_by_the_deciding_head(tmp_path):
    d = forward_to(notary_processing(at("2026-03-02 08:00")), 5, now=at("2026-03-03 08:00"))
    reason = "Không đủ điều kiện thành lập theo Điều 23 Luật Công chứng"
    d = act(
        d,
        "issue_result",
        "lanhdao.ubndtinh",
        now=at("2026-03-04 08:00"),
        outcome="refusal",
        reason=reason,
        documents=[doc(DocumentKind.REFUSAL, signed=True)],
    )
    # The leader who signed it can still print it, though the dossier has left their step.
    raw = pdf.raw(render("tu-choi", d.code, "lanhdao.ubndtinh"), tmp_path)
    assert "Sau khi thẩm định hồ sơ, Ủy ban nhân dân tỉnh Đồng Nai thông báo không tiếp nhận" in raw
    assert reason in raw and "THỦ TRƯỞNG CƠ QUAN" in raw and "Lê Minh Trung" in raw


def test_a_result_is_no_refusal():
    d = forward_to(notary_processing(at("2026-03-02 08:00")), 5, now=at("2026-03-03 08:00"))
    d = act(
        d,
        "issue_result",
        "lanhdao.ubndtinh",
        now=at("2026-03-04 08:00"),
        documents=[doc(DocumentKind.RESULT)],
    )
    with pytest.raises(RuleViolation) as exc:
        render("tu-choi", d.code)
    assert exc.value.rule == "R-14" and "Phiếu từ chối" in exc.value.message


# --- Mẫu 04: apology with the one new date (R-27) ------------------------------------------------


def test_apology_prints_the_appointment_then_in_force_and_the_new_date(tmp_path):
    d = notary_processing(at("2026-03-02 08:00"))  # due Mon 30/3 08:00
    with pytest.raises(RuleViolation) as exc:  # no apology yet: no apology form
        render("xin-loi", d.code)
    assert exc.value.rule == "R-27" and "Phiếu xin lỗi" in exc.value.message

    d = act(
        d,
        "apologise",
        "lanhdao.sotuphap",
        now=at("2026-03-26 08:00"),
        new_due_at=at("2026-04-06 14:30"),
        explanation="Hồ sơ phức tạp, phải xác minh tại hai địa phương",
        documents=[doc(DocumentKind.APOLOGY, signed=True)],
    )
    # A pause after the apology moves `due_at`; the letter keeps the date it apologised for.
    pause = {"pause_reason": "financial_obligation", "reason": "Chờ nộp phí thẩm định"}
    d = act(d, "pause", "chuyenvien.sotuphap", now=at("2026-03-26 09:00"), **pause)
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-27 09:00"))
    assert fresh(d).due_at != at("2026-03-30 08:00")

    content = render("xin-loi", d.code, "lanhdao.sotuphap")
    pdf.keep("xin-loi", content)
    text = pdf.text(content, tmp_path)
    assert "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert f"Số: {d.code}/PXL" in text and "SỞ TƯ PHÁP" in text
    assert "Kính gửi: Ông (Bà)/Tổ chức Nguyễn Văn Thử" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 08 giờ 00 phút, ngày 30/03/2026" in text
    assert "chưa trả kết quả giải quyết hồ sơ đúng thời hạn" in text
    assert "Lý do: Hồ sơ phức tạp, phải xác minh tại hai địa phương" in text
    assert "14 giờ 30 phút, ngày 06/04/2026" in text
    assert "THỦ TRƯỞNG CƠ QUAN" in text and "Dương Minh Nam" in text
    assert "Đồng Nai, ngày 26 tháng 3 năm 2026" in text
    assert_page_looks_printed(content, tmp_path)


# --- Mẫu 05: the stop notice --------------------------------------------------------------------


def test_stop_notice_states_the_reason(tmp_path):
    d = notary_processing(at("2026-03-02 08:00"))
    d = act(
        d,
        "stop",
        "lanhdao.sotuphap",
        now=at("2026-03-03 15:45"),
        reason="Cơ sở pháp lý của thủ tục đã bị bãi bỏ",
        documents=[doc(DocumentKind.STOP_NOTICE, signed=True)],
    )
    content = render("thong-bao-dung", d.code, "lanhdao.sotuphap")
    pdf.keep("thong-bao-dung", content)
    text = pdf.text(content, tmp_path)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert d.code in text and "Nguyễn Văn Thử" in text
    assert "Lý do: Cơ sở pháp lý của thủ tục đã bị bãi bỏ" in text
    assert "15 giờ 45 phút, ngày 03/03/2026" in text
    assert "Dương Minh Nam" in text
    assert_page_looks_printed(content, tmp_path)


def test_approved_withdrawal_gets_the_stop_notice_with_the_applicants_reason(tmp_path):
    d = notary_processing(at("2026-03-02 08:00"), channel="online")
    d = act(
        d,
        "request_withdrawal",
        "congdan1",
        now=at("2026-03-03 08:00"),
        reason="Gia đình thay đổi kế hoạch kinh doanh",
        documents=[doc(DocumentKind.WITHDRAWAL_REQUEST, by="congdan1")],
    )
    d = act(
        d,
        "approve_withdrawal",
        "lanhdao.sotuphap",
        now=at("2026-03-04 08:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_APPROVAL, signed=True)],
    )
    raw = pdf.raw(render("thong-bao-dung", d.code, "chuyenvien.sotuphap"), tmp_path)
    assert (
        "Lý do: Tổ chức, cá nhân đề nghị dừng giải quyết, rút hồ sơ: Gia đình thay đổi kế hoạch kinh doanh"
        in raw
    )


# --- Mẫu 06: the process-control sheet (R-11) ---------------------------------------------------


def test_control_sheet_has_every_step_with_handler_times_and_lateness(tmp_path):
    d = notary_processing(at("2026-03-02 08:00"))
    # Appraisal (15 working days) takes 16: late; the next step is done the same day: early.
    d = act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-24 08:00"))
    d = act(d, "forward", "truongphong.sotuphap", now=at("2026-03-24 10:00"))
    content = render("phieu-kiem-soat", d.code, now=at("2026-03-24 11:00"))
    pdf.keep("phieu-kiem-soat", content)
    text, raw = pdf.text(content, tmp_path), pdf.raw(content, tmp_path)

    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert f"Số: {d.code}/PKS" in text
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Tư pháp" in text
    assert "Hẹn trả: 08 giờ 00 phút, ngày 30/03/2026" in text
    # Each row: unit and step, handler, received, planned end (budget), handed on, result.
    rows = [
        r"1 Trung tâm Phục vụ hành chính công tỉnh Đồng Nai Tiếp nhận.*? Huỳnh Thu Lan "
        r"02/03/2026 08:00 02/03/2026 \d\d:\d\d \(4 giờ làm việc\) 02/03/2026 08:00 Đúng hạn",
        r"2 Sở Tư pháp Thẩm định hồ sơ, dự thảo kết quả Hồ Văn Tâm "
        r"02/03/2026 08:00 23/03/2026 08:00 \(15 ngày làm việc\) 24/03/2026 08:00 Quá hạn",
        r"3 Sở Tư pháp .*? Ngô Thị Nhung 24/03/2026 08:00 25/03/2026 08:00 \(1 ngày làm việc\) "
        r"24/03/2026 10:00 Trước hạn",
        r"4 Sở Tư pháp Lãnh đạo Sở ký tờ trình.*? 24/03/2026 10:00 25/03/2026 10:00 \(1 ngày làm việc\) "
        r"Đang xử lý",
        r"5 Ủy ban nhân dân tỉnh Đồng Nai .*? \(2 ngày làm việc\) Chưa thực hiện",
    ]
    for row in rows:
        assert re.search(row, raw), row
    assert_page_looks_printed(content, tmp_path)


def test_forms_read_a_fixed_number_of_queries_whatever_the_history():
    short = notary_processing(at("2026-03-02 08:00"))
    long = forward_to(notary_processing(at("2026-03-02 09:00")), 5, now=at("2026-03-03 08:00"))
    counts = []
    for d in (short, long):
        with CaptureQueriesContext(connection) as queries:
            services.form_context("phieu-kiem-soat", d.code, user=user("tiepnhan.tinh"), base_url=BASE)
        counts.append(len(queries))
    # Who may see it (roles, units), the dossier, then one query per prefetched relation.
    assert counts[0] == counts[1] <= 12


# --- who may print what -------------------------------------------------------------------------


def test_unknown_form_and_other_units_dossier_are_not_found():
    d = notary_processing(at("2026-03-02 08:00"))
    with pytest.raises(NotFound):
        render("giay-khai-sinh", d.code)
    with pytest.raises(NotFound):  # Sở Xây dựng has nothing to do with a notary dossier
        render("phieu-kiem-soat", d.code, "chuyenvien.soxaydung")
    assert render("phieu-kiem-soat", d.code, "chuyenvien.sotuphap").startswith(b"%PDF")


def test_form_filenames_are_ascii():
    assert (
        services.form_filename("xin-loi", "000.00.40.H19-260302-0001")
        == "xin-loi-000.00.40.H19-260302-0001.pdf"
    )
    assert set(services.FORMS) == {
        "giay-tiep-nhan",
        "yeu-cau-bo-sung",
        "tu-choi",
        "xin-loi",
        "thong-bao-dung",
        "phieu-kiem-soat",
    }


def test_the_print_links_offer_exactly_the_forms_the_dossier_has():
    def slugs(d) -> list[str]:
        return [slug for slug, _ in services.applicable_forms(d)]

    d = submit(NOTARY, now=at("2026-03-02 08:00"))
    assert slugs(d) == ["phieu-kiem-soat"]  # any time
    d = forward_to(notary_processing(at("2026-03-02 08:00")), 5, now=at("2026-03-03 08:00"))
    assert slugs(d) == ["giay-tiep-nhan", "phieu-kiem-soat"]
    d = act(
        d,
        "issue_result",
        "lanhdao.ubndtinh",
        now=at("2026-03-04 08:00"),
        outcome="refusal",
        reason="Không đủ điều kiện thành lập theo Điều 23 Luật Công chứng",
        documents=[doc(DocumentKind.REFUSAL, signed=True)],
    )
    assert slugs(d) == ["giay-tiep-nhan", "tu-choi", "phieu-kiem-soat"]
    # Every link offered renders (no link to a form that would answer "does not apply").
    for slug in slugs(d):
        assert services.render_dossier_form(slug, d.code, user=user("lanhdao.sotuphap"), base_url="http://x/")
