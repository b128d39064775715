"""The officers' work queues (issue 4): who sees which dossier in which queue, counts, filters,
search without diacritics, pagination, fixed query counts and bad input, on the demo province."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.calendar.services import get_calendar
from motcua.documents.models import DocumentKind
from motcua.dossiers import queues
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import visible_dossiers
from motcua.dossiers.services import ApplicantInput
from motcua.org.models import RoleAssignment
from motcua.org.selectors import units_where
from tests.dossiers.kit import (
    NOTARY,
    act,
    at,
    consult,
    consulted_processing,
    doc,
    forward_to,
    notary_processing,
    notary_received,
    submit,
    user,
)

NOW = at("2026-03-20 10:00")  # the queues are read at this time in the selector tests
OTHER = ApplicantInput(kind="citizen", identifier="075092000002", name="Trần Minh Mẫu")


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


@pytest.fixture
def province():
    """One dossier in each situation a queue is about (times before NOW; NOTARY is 20 working
    days at Sở Tư pháp, decided at step 5 by the provincial People's Committee)."""
    d = {}
    d["online_submitted"] = submit(NOTARY, now=at("2026-03-19 08:00"))  # at Sở Tư pháp's online point
    d["counter_submitted"] = submit(
        NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-19 09:00")
    )
    d["received"] = notary_received(at("2026-03-19 10:00"))  # at the Centre, to hand over
    d["appraisal"] = notary_processing(at("2026-03-16 08:00"))  # step 2, processing officer
    d["division_step"] = forward_to(notary_processing(at("2026-03-16 08:00")), 3, now=at("2026-03-17 08:00"))
    d["province_step"] = forward_to(notary_processing(at("2026-03-16 08:00")), 5, now=at("2026-03-18 08:00"))
    d["late"] = notary_processing(at("2026-02-02 08:00"))  # due 02/03: late at NOW
    d["due_soon"] = notary_processing(at("2026-02-23 14:00"))  # due 23/03 14:00: within 16 working hours
    d["withdrawal"] = act(
        notary_processing(at("2026-03-16 08:00")),
        "request_withdrawal",
        "tiepnhan.tinh",
        now=at("2026-03-17 09:00"),
        documents=[doc(DocumentKind.WITHDRAWAL_REQUEST)],
    )
    ready = forward_to(notary_processing(at("2026-03-02 08:00")), 5, now=at("2026-03-03 08:00"))
    d["result_ready"] = act(
        ready,
        "issue_result",
        "lanhdao.ubndtinh",
        now=at("2026-03-04 08:00"),
        documents=[doc(DocumentKind.RESULT, signed=True)],
    )
    d["consulted"] = consult(consulted_processing(at("2026-03-16 08:00")), now=at("2026-03-16 09:00"))
    return d


def _names(d: dict, *keys: str) -> set[str]:
    return {d[k].code for k in keys}


def test_due_soon_fixture_is_due_soon(province):
    # The fixture's arithmetic, checked once so that the queue tests below read simply.
    late, soon = Dossier.objects.get(pk=province["late"].pk), Dossier.objects.get(pk=province["due_soon"].pk)
    assert late.due_at < NOW
    assert NOW <= soon.due_at < queues.due_soon_limit(NOW)


@pytest.mark.parametrize(
    "username, expected",
    [
        (
            "tiepnhan.tinh",  # counter officer of the provincial Centre
            {
                "to_receive": {"counter_submitted"},
                "supplement": set(),
                "mine": {"received"},
                "due_soon": {"due_soon"},
                "overdue": {"late"},
                "to_return": {"result_ready"},
            },
        ),
        (
            "chuyenvien.sotuphap",  # processing officer + online counter of Sở Tư pháp
            {
                "to_receive": {"online_submitted"},
                "supplement": set(),
                "mine": {"appraisal", "late", "due_soon"},
                "division": {"received", "appraisal", "division_step", "late", "due_soon", "withdrawal"},
                "consult_in": set(),
                "consult_out": set(),
                "due_soon": {"due_soon"},
                "overdue": {"late"},
                "to_return": set(),
            },
        ),
        (
            "truongphong.sotuphap",  # division head: the step 3 is theirs, step 2 only the division's
            {
                "mine": {"division_step"},
                "division": {"received", "appraisal", "division_step", "late", "due_soon", "withdrawal"},
                "consult_in": set(),
                "consult_out": set(),
                "due_soon": {"due_soon"},
                "overdue": {"late"},
            },
        ),
        (
            "lanhdao.sotuphap",  # unit leader: withdrawal to confirm, apologies to sign
            {
                "mine": set(),
                "division": {"received", "appraisal", "division_step", "late", "due_soon", "withdrawal"},
                "consult_in": set(),
                "consult_out": set(),
                "due_soon": {"due_soon"},
                "overdue": {"late"},
                "approvals": {"withdrawal", "late", "due_soon"},
            },
        ),
        (
            "lanhdao.ubndtinh",  # the provincial leader decides at step 5
            {
                "mine": {"province_step"},
                "division": {"province_step"},
                "consult_in": set(),
                "consult_out": set(),
                "due_soon": set(),
                "overdue": set(),
                "approvals": set(),
            },
        ),
        (
            "chuyenvien.sotaichinh",  # consulted by Sở Nội vụ
            {
                "to_receive": set(),
                "supplement": set(),
                "mine": set(),
                "division": set(),
                "consult_in": {"consulted"},
                "consult_out": set(),
                "due_soon": set(),
                "overdue": set(),
                "to_return": set(),
            },
        ),
        (
            "chuyenvien.sonoivu",  # waits for Sở Tài chính's answer
            {
                "to_receive": set(),
                "supplement": set(),
                "mine": {"consulted"},
                "division": {"consulted"},
                "consult_in": set(),
                "consult_out": {"consulted"},
                "due_soon": set(),
                "overdue": set(),
                "to_return": set(),
            },
        ),
        (
            "chuyenvien.soxaydung",  # another department: none of these dossiers
            {
                "to_receive": set(),
                "supplement": set(),
                "mine": set(),
                "division": set(),
                "consult_in": set(),
                "consult_out": set(),
                "due_soon": set(),
                "overdue": set(),
                "to_return": set(),
            },
        ),
    ],
)
def test_r26_each_queue_holds_exactly_the_right_dossiers(province, username, expected):
    officer = user(username)
    scope = queues.scope_of(officer)
    assert [s.key for s in scope.queues()] == list(expected)  # the tabs the role needs, in order
    for key, names in expected.items():
        got = codes(queues.queue_dossiers(officer, key, now=NOW))
        assert got == _names(province, *names), (username, key)


def test_due_soon_horizon_is_a_setting(province, settings):
    officer = user("chuyenvien.sotuphap")
    assert codes(queues.due_soon(officer, now=NOW)) == {province["due_soon"].code}  # default 16 h
    settings.MOTCUA_DUE_SOON_WORKING_HOURS = 8  # due 23/03 14:00 is 10.5 working hours away
    assert codes(queues.due_soon(officer, now=NOW)) == set()
    assert province["due_soon"].code not in codes(queues.approvals(user("lanhdao.sotuphap"), now=NOW))


def test_queues_are_most_urgent_first(province):
    officer = user("chuyenvien.sotuphap")
    mine = list(queues.mine(officer, now=NOW))
    assert [d.code for d in mine] == [province[k].code for k in ("late", "due_soon", "appraisal")]
    assert [d.due_at for d in mine] == sorted(d.due_at for d in mine)
    waiting = list(queues.to_receive(user("tiepnhan.tinh2"), now=NOW))
    assert [d.code for d in waiting] == [province["counter_submitted"].code]


def test_counts_match_the_queues_in_one_query(province):
    for username in ("tiepnhan.tinh", "chuyenvien.sotuphap", "lanhdao.sotuphap", "chuyenvien.sonoivu"):
        scope = queues.scope_of(user(username))
        get_calendar()
        with CaptureQueriesContext(connection) as ctx:
            counts = queues.queue_counts(scope, NOW)
        assert len(ctx.captured_queries) == 1
        assert counts == {
            spec.key: queues.queue_dossiers(scope, spec.key, now=NOW).count() for spec in scope.queues()
        }


def test_r26_queues_only_hold_visible_dossiers_for_every_demo_officer(province):
    officers = RoleAssignment.objects.values_list("user__username", flat=True).distinct()
    for username in officers:
        officer = user(username)
        visible = set(visible_dossiers(officer).values_list("pk", flat=True))
        for spec in queues.scope_of(officer).queues():
            held = set(queues.queue_dossiers(officer, spec.key, now=NOW).values_list("pk", flat=True))
            assert held <= visible, (username, spec.key)


def test_r26_scope_reaches_what_units_where_reaches():
    for assignment in RoleAssignment.objects.select_related("user"):
        scope = queues.scope_of(assignment.user)
        expected = set(units_where(assignment.user, assignment.role).values_list("pk", flat=True))
        assert scope.units_by_role[assignment.role] == expected, (assignment.user.username, assignment.role)


def test_ended_role_gives_no_queue(province):
    RoleAssignment.objects.filter(user__username="chuyenvien.sotuphap").update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert queues.queue_counts(user("chuyenvien.sotuphap"), NOW) == {}


# --- the page ----------------------------------------------------------------------------------


def test_page_shows_tabs_with_counts_and_rows(client_for, province):
    response = client_for("chuyenvien.sotuphap").get("/can-bo/?tab=division")
    assert response.status_code == 200
    html = response.content.decode()
    for label in (
        "Chờ tiếp nhận",
        "Đang xử lý của tôi",
        "Phòng/đơn vị tôi",
        "Chờ ý kiến (phải trả lời)",
        "Chờ ý kiến (đang chờ)",
        "Sắp đến hạn",
        "Quá hạn",
        "Chờ trả kết quả",
    ):
        assert label in html
    assert "?tab=approvals" not in html  # not a unit leader: no "Chờ duyệt" tab
    for key in ("appraisal", "division_step", "late", "withdrawal"):
        assert f'href="/can-bo/ho-so/{province[key].code}/"' in html
    assert province["online_submitted"].code not in html  # another tab
    # Long overdue by now: highlighted, with the time shown in Asia/Ho_Chi_Minh as HH:MM dd/mm/yyyy.
    late = Dossier.objects.get(pk=province["late"].pk)
    row = re.search(
        rf'<tr class="(\w[\w-]*)">\s*<td data-label="Mã hồ sơ"><a href="/can-bo/ho-so/{late.code}/"', html
    )
    assert row and row.group(1) == "overdue"
    assert timezone.localtime(late.due_at).strftime("%H:%M %d/%m/%Y") in html
    assert "Quá hạn" in html and "badge-danger" in html


def test_htmx_gets_the_table_only(client_for, province):
    response = client_for("chuyenvien.sotuphap").get("/can-bo/?tab=overdue", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="queue-results"') and "<html" not in html
    assert 'hx-swap-oob="true"' in html and 'value="overdue"' in html  # the form follows the tab
    assert province["late"].code in html


def test_default_tab_is_the_first_with_work(client_for, province):
    html = client_for("tiepnhan.tinh").get("/can-bo/").content.decode()
    assert re.search(r'href="\?tab=to_receive"\s+aria-current="page"', html)
    assert province["counter_submitted"].code in html


def test_search_without_diacritics_by_name_code_and_number(client_for, province):
    other = submit(NOTARY, now=at("2026-03-19 11:00"), applicant=OTHER, actor="congdan2")
    client = client_for("chuyenvien.sotuphap")
    page = lambda q: client.get("/can-bo/", {"tab": "to_receive", "q": q}).content.decode()  # noqa: E731
    html = page("nguyen van thu")
    assert province["online_submitted"].code in html and other.code not in html
    html = page("TRAN minh mau")
    assert other.code in html and province["online_submitted"].code not in html
    assert other.code in page("Trần Minh Mẫu")
    assert other.code in page(other.code.lower()) and province["online_submitted"].code not in page(
        other.code
    )
    assert other.code in page("075092000002")
    assert "Không có hồ sơ nào khớp" in page("khong co ai ten nay")


def test_filters_procedure_field_channel_and_dates(client_for, province):
    client = client_for("tiepnhan.tinh")
    get = lambda **kw: client.get("/can-bo/", {"tab": "overdue", **kw}).content.decode()  # noqa: E731
    late = province["late"].code
    assert late in get(procedure=NOTARY)
    assert late not in get(procedure="1.019914")
    assert late in get(field="CONGCHUNG") and late not in get(field="NOIVU")
    assert late in get(channel="counter") and late not in get(channel="online")
    assert late in get(from_date="2026-02-02", to_date="2026-02-02")  # both days included
    assert late in get(from_date="02/02/2026")
    assert late not in get(from_date="2026-02-03")
    assert late not in get(to_date="2026-02-01")
    # The selector, directly
    qs = queues.queue_dossiers(user("tiepnhan.tinh"), "overdue", now=NOW)
    assert codes(queues.filtered(qs, queues.QueueFilters(channel="counter", procedure=NOTARY))) == {late}


def test_pagination(client_for):
    for n in range(27):
        submit(NOTARY, now=at("2026-03-02 08:00") + datetime.timedelta(minutes=n))
    client = client_for("chuyenvien.sotuphap")
    first = client.get("/can-bo/", {"tab": "to_receive"}).content.decode()
    assert first.count('data-label="Mã hồ sơ"') == 25
    assert "Trang 1 / 2" in first and "Hồ sơ 1–25 / 27" in first and 'rel="next"' in first
    second = client.get("/can-bo/", {"tab": "to_receive", "page": 2}).content.decode()
    assert (
        second.count('data-label="Mã hồ sơ"') == 2 and 'rel="prev"' in second and 'rel="next"' not in second
    )
    # With a filter the total is not counted, the next page is still known.
    filtered = client.get("/can-bo/", {"tab": "to_receive", "q": "nguyen"}).content.decode()
    assert "Trang 1" in filtered and 'rel="next"' in filtered
    assert (
        "Trang này không còn hồ sơ"
        in client.get("/can-bo/", {"tab": "to_receive", "page": 9}).content.decode()
    )


def _page_queries(client, django_assert_max_num_queries, **params) -> int:
    get_calendar()  # built (and its revision read) before the measured request
    with django_assert_max_num_queries(12) as ctx:
        response = client.get("/can-bo/", params)
    queries = len(ctx.captured_queries)  # read now: the next request clears the log
    assert response.status_code == 200
    return queries


def test_query_count_does_not_grow_with_rows(client_for, django_assert_max_num_queries):
    client = client_for("chuyenvien.sotuphap")
    submit(NOTARY, now=at("2026-03-02 08:00"))
    few = _page_queries(client, django_assert_max_num_queries, tab="to_receive")
    few_htmx = _page_queries(client, django_assert_max_num_queries, tab="division")
    for n in range(24):
        notary_processing(at("2026-03-02 08:00") + datetime.timedelta(minutes=n), channel="online")
        submit(NOTARY, now=at("2026-03-03 08:00") + datetime.timedelta(minutes=n))
    assert _page_queries(client, django_assert_max_num_queries, tab="to_receive") == few
    assert _page_queries(client, django_assert_max_num_queries, tab="division") == few_htmx
    assert _page_queries(client, django_assert_max_num_queries, tab="division", q="nguyen van") == few_htmx


@pytest.mark.parametrize(
    "params, message",
    [
        ({"tab": "khong-co"}, "Hàng đợi không tồn tại"),
        ({"from_date": "2026-13-01"}, "“từ ngày” không hợp lệ"),
        ({"to_date": "hôm qua"}, "“đến ngày” không hợp lệ"),
        ({"from_date": "2026-03-05", "to_date": "2026-03-01"}, "phải trước hoặc bằng"),
        ({"page": "0"}, "Số trang không hợp lệ"),
        ({"page": "abc"}, "Số trang không hợp lệ"),
        ({"page": "99999999"}, "Số trang quá lớn"),
        ({"channel": "fax"}, "Cách thức nộp không hợp lệ"),
        ({"procedure": "<script>"}, "Mã không hợp lệ"),
        ({"q": "x" * 201}, "quá dài"),
    ],
)
def test_bad_filter_input_is_a_400_in_vietnamese(client_for, params, message):
    client = client_for("chuyenvien.sotuphap")
    response = client.get("/can-bo/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Điều kiện lọc không hợp lệ" in response.content.decode()
    partial = client.get("/can-bo/", params, HTTP_HX_REQUEST="true")
    assert partial.status_code == 400 and message in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_signed_out_goes_to_sign_in_and_citizens_are_refused(client, demo, client_for):
    response = client.get("/can-bo/")
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]
    assert client_for("congdan1").get("/can-bo/").status_code == 403
