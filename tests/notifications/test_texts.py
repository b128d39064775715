"""The texts of each change that concerns the applicant: Vietnamese e-mail with diacritics, SMS
without (GSM-7), at most 160 characters, times in Asia/Ho_Chi_Minh; none for the others."""

import json

from motcua.documents.models import DocumentKind
from motcua.notifications.messages import SMS_MAX, sms_text
from motcua.notifications.models import Channel, Notification
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, per module)
from tests.dossiers.kit import act, at, doc, forward_to
from tests.notifications.kit import EMAIL, PHONE, notifications, processing, submitted


def texts(dossier, action: str) -> tuple[Notification, Notification]:
    rows = {n.channel: n for n in notifications(dossier, action=action)}
    assert set(rows) == {Channel.EMAIL, Channel.SMS}, rows
    email, sms = rows[Channel.EMAIL], rows[Channel.SMS]
    assert (email.recipient, sms.recipient) == (EMAIL, PHONE)
    assert len(sms.body) <= SMS_MAX and sms.body.isascii() and dossier.code in sms.body
    assert dossier.code in email.subject and "Kính gửi Ông/Bà Nguyễn Văn Thử" in email.body
    assert f"ma_tra_cuu={dossier.lookup_secret}" in email.body
    return email, sms


def test_refused_at_reception_with_the_reason(sms_log, mail_settings):
    d = submitted(at("2026-03-02 08:00"))
    d = act(d, "reject", "tiepnhan.tinh", now=at("2026-03-02 08:30"), reason="Thủ tục không thuộc thẩm quyền")
    email, sms = texts(d, "reject")
    assert email.subject == f"Hồ sơ {d.code} không được tiếp nhận"
    assert "Lý do: Thủ tục không thuộc thẩm quyền" in email.body and "08:30 ngày 02/03/2026" in email.body
    assert sms.body == f"Ho so {d.code} khong duoc tiep nhan. Ly do: Thu tuc khong thuoc tham quyen"


def test_supplement_requested_lists_what_is_missing(sms_log, mail_settings):
    d = submitted(at("2026-03-02 08:00"))
    items = ["Bản sao Quyết định bổ nhiệm công chứng viên", "Đề án thành lập Văn phòng công chứng"]
    d = act(
        d,
        "request_supplement",
        "tiepnhan.tinh",
        now=at("2026-03-02 08:30"),
        reason="Thiếu giấy tờ",
        items=items,
    )
    email, sms = texts(d, "request_supplement")
    assert email.subject == f"Hồ sơ {d.code} cần bổ sung, hoàn thiện"
    assert f"1. {items[0]}" in email.body and f"2. {items[1]}" in email.body
    assert "thời hạn giải quyết được tính lại từ đầu sau khi nhận đủ hồ sơ" in email.body
    assert sms.body.startswith(f"Ho so {d.code} can bo sung: Ban sao Quyet dinh bo nhiem cong chung vien;")


def test_financial_pause_apology_and_stop(sms_log, mail_settings):
    d = processing(at("2026-03-02 08:00"))
    d = act(
        d, "pause", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"),
        pause_reason="force_majeure", reason="Bão số 3 theo công văn của UBND tỉnh",
    )  # fmt: skip
    assert notifications(d, action="pause") == []  # a force-majeure pause asks nothing of the applicant
    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-04 08:00"))
    d = act(
        d, "pause", "chuyenvien.sotuphap", now=at("2026-03-05 08:00"),
        pause_reason="financial_obligation", reason="Nộp phí thẩm định điều kiện hoạt động",
    )  # fmt: skip
    email, sms = texts(d, "pause")
    assert "chờ thực hiện nghĩa vụ tài chính" in email.subject
    assert "Nộp phí thẩm định điều kiện hoạt động" in email.body
    unpaid = sum(f.amount for f in d.fees.filter(paid_at__isnull=True))
    if unpaid:
        assert f"{unpaid:,}".replace(",", ".") + " đồng" in email.body
    assert "nghia vu tai chinh" in sms.body

    d = act(d, "resume", "chuyenvien.sotuphap", now=at("2026-03-06 08:00"))
    assert notifications(d, action="resume") == []
    d = act(
        d, "apologise", "lanhdao.sotuphap", now=at("2026-03-26 08:00"),
        new_due_at=at("2026-04-06 08:00"), explanation="Hồ sơ phức tạp, phải xác minh tại hai địa phương",
        documents=[doc(DocumentKind.APOLOGY, signed=True)],
    )  # fmt: skip
    email, sms = texts(d, "apologise")
    assert "Ngày hẹn trả kết quả mới: 08:00 ngày 06/04/2026" in email.body
    assert "Hồ sơ phức tạp, phải xác minh tại hai địa phương" in email.body
    assert "Hen tra moi 08:00 ngay 06/04/2026" in sms.body

    d = act(
        d, "stop", "lanhdao.sotuphap", now=at("2026-03-27 08:00"), reason="Cơ sở pháp lý đã bị bãi bỏ",
        documents=[doc(DocumentKind.STOP_NOTICE, signed=True)],
    )  # fmt: skip
    email, sms = texts(d, "stop")
    assert (
        email.subject == f"Hồ sơ {d.code} bị dừng xử lý" and "Lý do: Cơ sở pháp lý đã bị bãi bỏ" in email.body
    )
    assert sms.body == f"Ho so {d.code} bi dung xu ly. Ly do: Co so phap ly da bi bai bo"


def test_result_ready_and_returned(sms_log, mail_settings):
    d = forward_to(processing(at("2026-03-02 08:00")), 5, now=at("2026-03-03 08:00"))
    d = act(
        d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-04 15:30"),
        documents=[doc(DocumentKind.RESULT, signed=True)],
    )  # fmt: skip
    email, sms = texts(d, "issue_result")
    assert email.subject == f"Hồ sơ {d.code} đã có kết quả" and "15:30 ngày 04/03/2026" in email.body
    assert "Nơi nhận kết quả: Trực tiếp tại Bộ phận Một cửa" in email.body
    d = act(d, "return_result", "tiepnhan.tinh", now=at("2026-03-05 09:00"))
    email, sms = texts(d, "return_result")
    assert "lúc 09:00 ngày 05/03/2026" in email.body and "luc 09:00 ngay 05/03/2026" in sms.body
    # Only the changes that concern the applicant wrote messages (no forward, no submission).
    assert [n.action for n in notifications(d, channel=Channel.EMAIL)] == [
        "receive",
        "issue_result",
        "return_result",
    ]
    # The demo gateway is configured: the SMS rows exist, sent by the worker (test_sms).
    assert not sms_log.exists()


def test_withdrawal_approved(sms_log, mail_settings):
    d = processing(at("2026-03-02 08:00"))
    d = act(
        d, "request_withdrawal", "tiepnhan.tinh", now=at("2026-03-03 08:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_REQUEST)],
    )  # fmt: skip
    assert notifications(d, action="request_withdrawal") == []  # their own request: nothing to tell
    d = act(
        d, "approve_withdrawal", "lanhdao.sotuphap", now=at("2026-03-03 09:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_APPROVAL, signed=True)],
    )  # fmt: skip
    email, sms = texts(d, "approve_withdrawal")
    assert email.subject == f"Đồng ý cho rút hồ sơ {d.code}" and "09:00 ngày 03/03/2026" in email.body
    assert sms.body == f"Ho so {d.code} da duoc rut theo de nghi cua Ong/Ba, khong tiep tuc giai quyet."


def test_sms_text_is_gsm7_safe_and_cut_at_160():
    assert sms_text("Hồ sơ “Đăng ký” – đã được tiếp nhận") == 'Ho so "Dang ky" - da duoc tiep nhan'
    long = sms_text("Lý do: " + "rất dài " * 40)
    assert len(long) == SMS_MAX and long.endswith("...") and long.isascii()
    assert json.dumps(long).isascii()
