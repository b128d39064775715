"""The review page in the admin (R-09): side by side, choose, apply; administrators only."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from motcua.catalog import national_sync
from motcua.catalog.models import CatalogSyncRun, Procedure
from tests.catalog_sync.conftest import BUILDING, NEW_CODE, POSTS, RECORD, counter_fee, publish_changes

CHANGELIST = reverse("admin:catalog_catalogsyncrun_changelist")
FETCH = reverse("admin:catalog_catalogsyncrun_fetch")


def page_of(run: CatalogSyncRun) -> str:
    return reverse("admin:catalog_catalogsyncrun_change", args=[run.pk])


def text(response) -> str:
    """The page's text, tags dropped and spaces collapsed: what a person reads."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_r09_fetch_button_creates_a_run_and_opens_its_review(admin_client, portal, catalogue):
    publish_changes(portal, catalogue)
    listing = admin_client.get(CHANGELIST)
    assert "Lấy danh mục từ Cổng DVCQG" in listing.content.decode()

    response = admin_client.post(FETCH)

    run = CatalogSyncRun.objects.get()
    assert response.status_code == 302 and response.url == page_of(run)
    page = admin_client.get(response.url)
    assert page.status_code == 200
    body = text(page)
    assert "Đã lấy danh mục từ Cổng DVCQG (lượt #" in body
    assert "Mục Hiện tại Cổng DVCQG" in body  # the table's header
    assert (
        "Phí, lệ phí — Trường hợp chung "
        "Trực tiếp: Lệ phí 150.000 đồng [LPXD] — Lệ phí cấp giấy phép xây dựng "
        "Trực tuyến: Lệ phí 150.000 đồng [LPXD] — Lệ phí cấp giấy phép xây dựng "
        "Trực tiếp: Lệ phí 175.000 đồng [LPXD] — Lệ phí cấp giấy phép xây dựng"
    ) in body
    assert f"Thủ tục mới {NEW_CODE}" in body
    assert f"Không còn trên Cổng DVCQG {POSTS}" in body
    html = page.content.decode()
    for code in (BUILDING, RECORD, NEW_CODE):
        assert f'name="codes" value="{code}"' in html
    assert f'name="codes" value="{POSTS}"' not in html  # reported only, nothing to apply
    assert "Áp dụng các thay đổi đã chọn" in html
    assert listing.status_code == 200 and admin_client.get(CHANGELIST).status_code == 200


def test_r09_applying_the_chosen_procedures_from_the_page(admin_client, portal, catalogue, admin_user):
    publish_changes(portal, catalogue)
    admin_client.post(FETCH)
    run = CatalogSyncRun.objects.get()

    response = admin_client.post(page_of(run), {"action": "apply", "codes": [BUILDING]}, follow=True)

    assert f"Đã áp dụng thay đổi của 1 thủ tục: {BUILDING}." in text(response)
    assert counter_fee(BUILDING) == 175000
    assert not Procedure.objects.filter(code=NEW_CODE).exists()
    run.refresh_from_db()
    assert (run.status, run.applied_codes, run.applied_by) == ("applied", [BUILDING], admin_user)
    html = response.content.decode()
    assert 'name="codes"' not in html and "Áp dụng các thay đổi đã chọn" not in html  # closed
    assert "Trạng thái Đã áp dụng" in text(response)


def test_r09_stale_review_is_refused_on_the_page(admin_client, portal, catalogue):
    publish_changes(portal, catalogue)
    admin_client.post(FETCH)
    run = CatalogSyncRun.objects.get()
    Procedure.objects.filter(code=BUILDING).update(name="Đổi tên trong lúc chờ duyệt")

    response = admin_client.post(page_of(run), {"action": "apply", "codes": [BUILDING, RECORD]}, follow=True)

    assert "Danh mục đã thay đổi kể từ khi rà soát (thủ tục 1.009972)" in text(response)
    assert counter_fee(BUILDING) == 150000
    run.refresh_from_db()
    assert run.status == "pending"


def test_nothing_chosen_and_cancel(admin_client, portal, catalogue):
    publish_changes(portal, catalogue)
    admin_client.post(FETCH)
    run = CatalogSyncRun.objects.get()

    response = admin_client.post(page_of(run), {"action": "apply"}, follow=True)
    assert "Chưa chọn thủ tục nào để áp dụng." in text(response)

    response = admin_client.post(page_of(run), {"action": "cancel"}, follow=True)
    assert f"Đã huỷ lượt đồng bộ #{run.pk}; danh mục không thay đổi." in text(response)
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert counter_fee(BUILDING) == 150000


def test_r09_outage_on_the_button_shows_the_error_and_stores_nothing(admin_client, portal, catalogue):
    portal.control(outage=True)
    response = admin_client.post(FETCH, follow=True)
    assert "Không lấy được danh mục thủ tục từ Cổng DVCQG" in text(response)
    assert not CatalogSyncRun.objects.exists()


def test_only_administrators(client, django_user_model, portal, catalogue):
    publish_changes(portal, catalogue)
    anonymous = client.get(CHANGELIST)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.url

    staff = django_user_model.objects.create_user("canbo", password=None, is_staff=True)
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403
    assert client.post(FETCH).status_code == 403
    assert not CatalogSyncRun.objects.exists()

    # Allowed to look, not to apply.
    staff.user_permissions.add(Permission.objects.get(codename="view_catalogsyncrun"))
    run = national_sync.fetch_from_portal(actor=None)
    page = client.get(page_of(run))
    assert page.status_code == 200
    assert 'name="codes"' not in page.content.decode()
    assert client.post(page_of(run), {"action": "apply", "codes": [BUILDING]}).status_code == 403
    assert counter_fee(BUILDING) == 150000
