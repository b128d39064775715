"""The consultation inbox (R-12, R-16): what my units must answer and what they wait for, overdue
ones highlighted with their reminders, each linked to the dossier's answer form."""

import re

from django.utils import timezone

from motcua.consultations.services import send_reminders
from motcua.dossiers import queues
from tests.dossiers.kit import FINANCE, act, at, consult, consulted_processing, user


def _row(html: str, code: str) -> str:
    match = re.search(
        rf'<tr class="([\w-]*)">\s*<td data-label="Hồ sơ">\s*<a class="code" href="([^"]+)">{code}</a>', html
    )
    assert match, code
    return match.group(1), match.group(2)


def test_r12_inbox_lists_what_my_unit_must_answer_overdue_first_with_reminders(client_for):
    late = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"), days=2)
    sent: list = []
    send_reminders(at("2026-03-05 08:00"), notify=sent.append)  # reminder 1
    send_reminders(at("2026-03-06 09:00"), notify=sent.append)  # reminder 2, copied to Sở Nội vụ
    assert [r.number for r in sent] == [1, 2]
    now = timezone.now()
    fresh = consult(consulted_processing(now), now=now, days=3)

    html = client_for("chuyenvien.sotaichinh").get("/can-bo/xin-y-kien/").content.decode()
    assert "Đơn vị tôi phải trả lời" in html
    late_class, late_link = _row(html, late.code)
    fresh_class, _ = _row(html, fresh.code)
    assert late_class == "overdue" and fresh_class in ("ok", "due-soon")
    assert late_link == f"/can-bo/ho-so/{late.code}/#xin-y-kien"
    assert html.index(late.code) < html.index(fresh.code)  # the most urgent first
    assert "Quá hạn" in html and "badge-danger" in html
    assert "Đã nhắc lần 1" in html and "Đã nhắc lần 2, gửi Sở Nội vụ" in html
    assert "05/03/2026" in html  # reminder time, local
    assert "Sở Nội vụ" in html  # who asks


def test_r12_the_asking_unit_sees_what_it_waits_for(client_for):
    d = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"))
    html = client_for("chuyenvien.sonoivu").get("/can-bo/xin-y-kien/").content.decode()
    section = html.split('id="dang-cho"', 1)[1]
    assert d.code in section and "Sở Tài chính" in section
    assert d.code not in html.split('id="dang-cho"', 1)[0]


def test_r26_other_units_do_not_see_the_consultation(client_for):
    d = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"))
    for username in ("chuyenvien.sotuphap", "tiepnhan.tinh"):
        html = client_for(username).get("/can-bo/xin-y-kien/").content.decode()
        assert d.code not in html
        assert "Không có yêu cầu xin ý kiến nào đang chờ đơn vị trả lời" in html


def test_r12_answered_consultation_leaves_the_inbox(client_for):
    d = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"))
    consultation = d.consultations.get()
    act(
        d,
        "answer_consultation",
        "chuyenvien.sotaichinh",
        now=at("2026-03-03 09:00"),
        consultation_id=consultation.pk,
        answer="Sở Tài chính thống nhất với phương án.",
    )
    assert client_for("chuyenvien.sotaichinh").get("/can-bo/xin-y-kien/").content.decode().count(d.code) == 0
    inbox = queues.consultation_inbox(user("chuyenvien.sonoivu"))
    assert inbox.awaited == [] and inbox.awaited_total == 0


def test_inbox_costs_a_fixed_number_of_queries(client_for, django_assert_max_num_queries):
    client = client_for("chuyenvien.sotaichinh")
    consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"))
    client.get("/can-bo/xin-y-kien/")
    with django_assert_max_num_queries(12) as one:
        client.get("/can-bo/xin-y-kien/")
    few = len(one.captured_queries)
    for n in range(5):
        consult(
            consulted_processing(at(f"2026-03-0{n + 3} 08:00")),
            now=at(f"2026-03-0{n + 3} 09:00"),
            to_unit=FINANCE,
        )
    with django_assert_max_num_queries(12) as many:
        client.get("/can-bo/xin-y-kien/")
    assert len(many.captured_queries) == few
