"""Officers find any dossier (issue 8 item 10): one search box over every dossier they may see, in
any state and of any date — code, name or ID number without diacritics, or the receipt's QR link —
and a counter queue of the dossiers awaiting the applicant's supplement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.calendar.services import get_calendar
from motcua.dossiers import queues, search
from motcua.dossiers.services import ApplicantInput
from tests.dossiers.kit import NOTARY, act, at, submit, user

SEARCH = "/can-bo/tim-kiem/"
OLD = ApplicantInput(kind="citizen", identifier="079301000777", name="Đặng Thị Tìm Kiếm")
STRANGER = ApplicantInput(kind="citizen", identifier="079301000888", name="Lạc Văn Ẩn Danh")
BASE = "https://dichvucong.dongnai.gov.vn"


def html(response) -> str:
    return response.content.decode()


def link(d) -> str:
    return f"{BASE}/tra-cuu/?ma={d.code}&ma_tra_cuu={d.lookup_secret}"


@pytest.fixture
def refused_last_year():
    """Refused at the Centre's counter months ago: finished, in no queue any more."""
    d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2025-11-03 09:00"), applicant=OLD)
    return act(
        d, "reject", "tiepnhan.tinh", now=at("2025-11-03 09:10"), reason="Không thuộc phạm vi giải quyết."
    )


@pytest.fixture
def posted_elsewhere():
    """Sent by post to Sở Tư pháp's own point: the Centre's counter never sees it (R-26)."""
    return submit(
        NOTARY, channel="postal", actor="chuyenvien.sotuphap", now=at("2026-03-02 08:00"), applicant=STRANGER
    )


def test_search_finds_a_finished_dossier_of_any_date_by_name_without_diacritics(
    client_for, refused_last_year
):
    client = client_for("tiepnhan.tinh")
    for q in ("dang thi tim kiem", "Tìm Kiếm", "079301000777"):
        response = client.get(SEARCH, {"q": q})
        assert response.status_code == 200
        body = html(response)
        assert f'href="/can-bo/ho-so/{refused_last_year.code}/"' in body, q
        assert refused_last_year.get_state_display() in body


def test_a_code_or_the_receipts_qr_link_goes_straight_to_the_dossier(client_for, refused_last_year):
    client = client_for("tiepnhan.tinh")
    page = f"/can-bo/ho-so/{refused_last_year.code}/"
    for q in (
        refused_last_year.code,
        refused_last_year.code.lower(),
        link(refused_last_year),
        link(refused_last_year).removeprefix("https://"),  # as some scanners type it
        f"  {link(refused_last_year)}  ",
    ):
        response = client.get(SEARCH, {"q": q})
        assert response.status_code == 302 and response["Location"] == page, q


def test_r26_search_never_shows_a_dossier_the_officer_may_not_see(client_for, posted_elsewhere):
    centre = client_for("tiepnhan.tinh")
    for q in (posted_elsewhere.code, link(posted_elsewhere), "lac van an danh", "079301000888"):
        response = centre.get(SEARCH, {"q": q})
        assert response.status_code == 200, q
        body = html(response)
        # only what was typed is echoed back: no link, no name, no state of the dossier
        assert f"/can-bo/ho-so/{posted_elsewhere.code}/" not in body and "Lạc Văn Ẩn Danh" not in body
        assert 'id="khong-tim-thay"' in body
    # The department that receives it finds it.
    justice = client_for("chuyenvien.sotuphap")
    assert justice.get(SEARCH, {"q": link(posted_elsewhere)})["Location"].endswith(
        f"{posted_elsewhere.code}/"
    )
    assert posted_elsewhere.code in html(justice.get(SEARCH, {"q": "lac van an danh"}))


def test_the_search_box_is_in_every_back_office_page(client_for):
    body = html(client_for("chuyenvien.sotuphap").get("/can-bo/"))
    assert 'id="tim-kiem"' in body and f'action="{SEARCH}"' in body and 'name="q"' in body


def test_too_short_and_bad_input_are_told_not_searched(client_for):
    client = client_for("tiepnhan.tinh")
    assert 'id="tim-kiem-ngan"' in html(client.get(SEARCH, {"q": "a"}))
    assert client.get(SEARCH, {"q": "nguyen", "page": "x"}).status_code == 400
    assert client.get(SEARCH, {"q": "n" * 201}).status_code == 400
    assert client.get(SEARCH, {"q": "nguyen\x00"}).status_code in (200, 400)


def test_qr_link_is_parsed_for_its_code_only():
    parsed = search.parse("https://x.gov.vn/tra-cuu/?ma=000.00.40.H19-260302-0001&ma_tra_cuu=ABCD")
    assert (parsed.code, parsed.from_link) == ("000.00.40.H19-260302-0001", True)
    assert search.parse("000.00.40.h19-260302-0001").code == "000.00.40.H19-260302-0001"
    assert search.parse("nguyen van thu").code == ""


def test_search_pages_and_reads_a_fixed_number_of_queries(client_for, django_assert_max_num_queries):
    client = client_for("tiepnhan.tinh")
    namesake = ApplicantInput(kind="citizen", identifier="079301000999", name="Trùng Tên Nhiều Lần")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(SEARCH, {"q": "trung ten nhieu lan"}).status_code == 200
        return len(ctx.captured_queries)

    submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 08:00"), applicant=namesake)
    few = queries()
    for minute in range(1, 30):
        submit(
            NOTARY,
            channel="counter",
            actor="tiepnhan.tinh",
            now=at(f"2026-03-02 09:{minute:02}"),
            applicant=namesake,
        )
    assert queries() == few
    first = html(client.get(SEARCH, {"q": "trung ten nhieu lan"}))
    assert first.count('class="code"') == search.PER_PAGE and 'rel="next"' in first
    second = html(client.get(SEARCH, {"q": "trung ten nhieu lan", "page": "2"}))
    assert second.count('class="code"') == 30 - search.PER_PAGE and 'rel="prev"' in second


# --- the counter's queue of dossiers awaiting a supplement -------------------------------------------


def test_r17_counter_queue_awaiting_supplement_with_its_count(client_for):
    d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 08:00"))
    d = act(
        d,
        "request_supplement",
        "tiepnhan.tinh",
        now=at("2026-03-02 08:10"),
        reason="Hồ sơ chưa đủ thành phần",
        items=["Đề án thành lập Văn phòng công chứng"],
    )
    officer = user("tiepnhan.tinh")
    scope = queues.scope_of(officer)
    assert "supplement" in [s.key for s in scope.queues()]
    get_calendar()  # cached per process, as in test_queues
    with CaptureQueriesContext(connection) as ctx:
        counts = queues.queue_counts(scope, at("2026-03-02 09:00"))
    assert len(ctx.captured_queries) == 1 and counts["supplement"] == 1
    assert [x.code for x in queues.awaiting_supplement(officer)] == [d.code]
    assert not queues.awaiting_supplement(user("tiepnhan.tranbien")).exists()  # another counter

    body = html(client_for("tiepnhan.tinh").get("/can-bo/", {"tab": "supplement"}))
    assert "Chờ bổ sung" in body and f'href="/can-bo/ho-so/{d.code}/"' in body

    act(d, "submit_supplement", "tiepnhan.tinh", now=at("2026-03-03 08:00"))
    assert queues.queue_counts(queues.scope_of(officer))["supplement"] == 0
