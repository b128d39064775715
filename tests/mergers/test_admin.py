"""The administrators' merger pages (Django admin, /admin/org/unitmerger/): adding records a draft
and opens its preview in Vietnamese; "Thực hiện sáp nhập" commits, "Huỷ" cancels; a committed
merger is a read-only record (issue 9 item 7)."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.org.models import MergerStatus, UnitMerger
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, once per module)
from tests.dossiers.kit import user
from tests.mergers.kit import DECISION, effective_on, home_affairs, justice, make_case, snapshot

ADD = "/admin/org/unitmerger/add/"


@pytest.fixture
def case():
    return make_case()


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(user("quantri"))
    return client


def text(response) -> str:
    """The page as read: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def add(client: Client, **fields):
    data = {
        "successor": home_affairs().pk,
        "predecessors": [justice().pk],
        "effective_on": effective_on().strftime("%d/%m/%Y"),
        "decision": DECISION,
        **fields,
    }
    return client.post(ADD, data)


def test_merger_admin_add_records_a_draft_and_shows_its_preview(case, admin_client):
    before = snapshot()
    response = add(admin_client)
    merger = UnitMerger.objects.get(decision=DECISION)
    assert (
        response.status_code == 302 and response["Location"] == f"/admin/org/unitmerger/{merger.pk}/change/"
    )
    assert merger.status == MergerStatus.DRAFT and merger.effective_on == effective_on()  # dd/mm/yyyy
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    shown = text(page)
    assert "Đã lập dự thảo sáp nhập; chưa có gì thay đổi." in shown
    assert "Xem trước: những gì sẽ chuyển sang Sở Nội vụ khi thực hiện" in shown
    assert "Hồ sơ đang giải quyết chuyển sang Sở Nội vụ 4" in shown  # the counts table
    assert "Mới nộp, chờ tiếp nhận: 1" in shown and "Đang xử lý: 3" in shown
    assert "Hồ Văn Tâm — Chuyên viên xử lý" in shown  # whose queues move
    assert "Lưu ý trước khi thực hiện" in shown
    body = page.content.decode()
    assert (
        f'action="/admin/org/unitmerger/{merger.pk}/thuc-hien/"' in body
        and 'value="Thực hiện sáp nhập"' in body
    )
    assert f'action="/admin/org/unitmerger/{merger.pk}/huy/"' in body and 'value="Huỷ"' in body
    assert "<script>" not in body.split('id="content-main"')[1]  # CSP: no inline script
    assert snapshot() == before


def test_merger_admin_commit_then_the_record_is_read_only(case, admin_client):
    add(admin_client)
    merger = UnitMerger.objects.get(decision=DECISION)
    assert admin_client.get(f"/admin/org/unitmerger/{merger.pk}/thuc-hien/").status_code == 405
    response = admin_client.post(f"/admin/org/unitmerger/{merger.pk}/thuc-hien/")
    assert response.status_code == 302
    merger.refresh_from_db()
    assert merger.status == MergerStatus.COMMITTED and merger.committed_by == user("quantri")
    page = admin_client.get(response["Location"])
    shown = text(page)
    assert "Đã thực hiện sáp nhập" in shown and "4 hồ sơ, 4 phân quyền cán bộ" in shown
    assert "Kết quả thực hiện" in shown and "Hồ sơ đang giải quyết 4" in shown
    assert "thuc-hien" not in page.content.decode() and 'value="Huỷ"' not in page.content.decode()

    refused = admin_client.post(f"/admin/org/unitmerger/{merger.pk}/huy/", follow=True)
    assert "Sáp nhập đã thực hiện, không thể huỷ" in text(refused)
    assert UnitMerger.objects.get(decision=DECISION).status == MergerStatus.COMMITTED


def test_merger_admin_cancel_leaves_everything(case, admin_client):
    before = snapshot()
    add(admin_client)
    merger = UnitMerger.objects.get(decision=DECISION)
    response = admin_client.post(f"/admin/org/unitmerger/{merger.pk}/huy/", follow=True)
    assert "Đã huỷ dự thảo sáp nhập" in text(response) and "Dự thảo đã huỷ: không có gì thay đổi." in text(
        response
    )
    assert UnitMerger.objects.get(decision=DECISION).status == MergerStatus.CANCELLED
    assert snapshot() == before


def test_merger_admin_refuses_a_second_merger_of_the_same_unit(case, admin_client):
    add(admin_client)
    response = add(admin_client, successor=home_affairs().pk, decision="Quyết định khác")
    assert response.status_code == 200  # the form again, with the reason
    assert "đã có trong một dự thảo sáp nhập khác" in text(response)
    assert UnitMerger.objects.filter(predecessors=justice()).count() == 1


def test_merger_admin_commit_needs_the_change_permission(case, admin_client):
    add(admin_client)
    merger = UnitMerger.objects.get(decision=DECISION)
    staff = get_user_model().objects.create_user("xem.sapnhap", password="x", is_staff=True)
    viewer = Client()
    viewer.force_login(staff)
    assert viewer.post(f"/admin/org/unitmerger/{merger.pk}/thuc-hien/").status_code == 403
    assert UnitMerger.objects.get(decision=DECISION).status == MergerStatus.DRAFT
    assert justice().successor is None
