"""The review page in a real browser (Chromium through Playwright): an administrator fetches the
national catalogue, reads the differences side by side, chooses and applies. Screenshots go to
test-artifacts/catalog-sync/ for a person to look at."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

from motcua.catalog.models import CatalogSyncRun, Procedure
from tests.catalog_sync.conftest import (
    BUILDING,
    NEW_CODE,
    RECORD,
    counter_fee,
    foreigner_counter_days,
    publish_changes,
)
from tests.conftest import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "catalog-sync"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_seeded_data")
def test_r09_administrator_reviews_and_applies_in_the_browser(
    live_server,
    portal,
    catalogue,
    admin_user,
    client,
):
    publish_changes(portal, catalogue)
    client.force_login(admin_user)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Playwright's sync API runs an event loop in this thread, where Django refuses database
    # calls: everything the test reads from the database is read after the browser is closed.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1366, "height": 900},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
        )
        context.add_cookies([cookie])
        try:
            page = context.new_page()
            page.goto("/admin/catalog/catalogsyncrun/")
            page.get_by_role("button", name="Lấy danh mục từ Cổng DVCQG").click()

            expect(page.get_by_text("Đã lấy danh mục từ Cổng DVCQG (lượt #")).to_be_visible()
            building = page.get_by_role("table", name=f"Thay đổi của thủ tục {BUILDING}")
            fee_row = building.get_by_role("row", name="Phí, lệ phí — Trường hợp chung")
            expect(fee_row.get_by_role("cell").nth(0)).to_contain_text("Trực tiếp: Lệ phí 150.000 đồng")
            expect(fee_row.get_by_role("cell").nth(1)).to_contain_text("Trực tiếp: Lệ phí 175.000 đồng")
            page.screenshot(path=str(ARTIFACTS / "01-ra-soat-khac-biet.png"), full_page=True)

            page.get_by_label(f"Chọn áp dụng thủ tục {BUILDING}").check()
            page.get_by_label(f"Chọn áp dụng thủ tục {NEW_CODE}").check()
            page.get_by_role("button", name="Áp dụng các thay đổi đã chọn").click()

            expect(
                page.get_by_text(f"Đã áp dụng thay đổi của 2 thủ tục: {NEW_CODE}, {BUILDING}.")
            ).to_be_visible()
            expect(page.get_by_role("button", name="Áp dụng các thay đổi đã chọn")).to_have_count(0)
            page.screenshot(path=str(ARTIFACTS / "02-da-ap-dung.png"), full_page=True)
            page.goto("/admin/catalog/catalogsyncrun/")
            expect(page.get_by_role("row", name="Đã áp dụng")).to_have_count(1)
            page.screenshot(path=str(ARTIFACTS / "03-danh-sach-luot.png"), full_page=True)
        finally:
            browser.close()

    assert counter_fee(BUILDING) == 175000
    assert Procedure.objects.filter(code=NEW_CODE).exists()
    assert foreigner_counter_days() == 15  # shown, not chosen: unchanged
    run = CatalogSyncRun.objects.get()
    assert (run.status, sorted(run.applied_codes)) == ("applied", sorted([BUILDING, NEW_CODE]))
    assert RECORD not in run.applied_codes
