"""R-22 in a real browser: the provincial office opens "Tình hình đồng bộ Cổng DVCQG" on the app
served by its own process (its own database, the demo province loaded), reads the figures of a
known history and re-sends a dead letter. Screenshots under test-artifacts/sync/."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, Server, demo_server, sign_in

ARTIFACTS = ROOT / "test-artifacts" / "sync"

# Sở Tư pháp in March 2026: 4 dossiers received, 3 acknowledged after 2 s, 4 s and 30 s, the 4th's
# message refused for good (p50 = 4 s: rank 2 of 3; p99 = 30 s: rank 3).
HISTORY = """
import datetime
from tests.dossiers.kit import at
from tests.sync_health.kit import Kit
k = Kit.start()
s = datetime.timedelta(seconds=1)
t = at("2026-03-10 09:00")
ds = [k.dossier(t + i * s) for i in range(4)]
for d, lag in zip(ds, (2, 4, 30)):
    k.message(d, t, lag=lag * s)
m = k.message(ds[3], t, dead=t + 60 * s, attempts=1,
              error="Cổng DVCQG từ chối: MaTTHC 1.019901 không có trong danh mục thủ tục")
print(m.pk, ds[3].code)
"""


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory) -> Iterator[tuple[Server, str, str]]:
    tmp = tmp_path_factory.mktemp("sync-server")
    server = demo_server(tmp, "sync_e2e")
    message_id, code = server.python(HISTORY).split()
    with server.serving(tmp / "server.log"):
        yield server, message_id, code


def _shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_r22_provincial_office_reads_sync_health_and_resends(browser, sync_server):
    server, message_id, code = sync_server
    context = browser.new_context(
        base_url=server.url,
        viewport={"width": 1366, "height": 768},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    try:
        page = sign_in(context.new_page(), "vanphong.ubnd")
        page.get_by_role("link", name="Đồng bộ DVCQG").click()
        expect(page.get_by_role("heading", name="Tình hình đồng bộ Cổng DVCQG", exact=True)).to_be_visible()
        page.get_by_label("Đơn vị", exact=True).select_option(label="— Sở Tư pháp")
        page.get_by_label("Kỳ báo cáo", exact=True).select_option("month")
        page.get_by_label("Tháng", exact=True).select_option("3")
        page.get_by_label("Năm", exact=True).fill("2026")
        page.get_by_role("button", name="Xem").click()

        expect(page.locator("#sync-title")).to_have_text("Sở Tư pháp — Tháng 3/2026")
        figures = page.locator("#sync-cards")
        expect(figures.locator('[data-figure="share"]')).to_have_text("75,00 %")
        expect(figures.locator('[data-figure="synced"]')).to_have_text("3")
        expect(figures.locator('[data-figure="received"]')).to_have_text("4")
        expect(figures.locator('[data-figure="lag-p50"]')).to_have_text("4 giây")
        expect(figures.locator('[data-figure="lag-p99"]')).to_have_text("30 giây")
        expect(figures.locator('[data-figure="waiting"]')).to_have_text("0")
        expect(figures.locator('[data-figure="dead"]')).to_have_text("1")
        expect(figures.locator('[data-figure="points"]')).to_have_text("4,50")
        letter = page.locator(f'#sync-dead-letters tr[data-message="{message_id}"]')
        expect(letter).to_contain_text(code)
        expect(letter).to_contain_text("không có trong danh mục thủ tục")
        _shot(page, "01-tinh-hinh-dong-bo-so-tu-phap")

        page.locator('[data-figure="unsynced"]').click()
        expect(page.get_by_role("heading", name="Hồ sơ chưa đồng bộ — Sở Tư pháp")).to_be_visible()
        expect(page.locator("#sync-dossier-list a.code")).to_have_text([code])
        _shot(page, "02-ho-so-chua-dong-bo")
        page.get_by_role("link", name="← Tình hình đồng bộ Cổng DVCQG").click()

        letter.get_by_role("button", name="Gửi lại").click()
        expect(page.get_by_text("Đã đưa lại 1 bản tin vào hàng đợi gửi Cổng DVCQG.")).to_be_visible()
        expect(page.locator("#sync-title")).to_have_text("Sở Tư pháp — Tháng 3/2026")
        expect(figures.locator('[data-figure="dead"]')).to_have_text("0")
        expect(figures.locator('[data-figure="waiting"]')).to_have_text("1")
        expect(page.locator("#khong-co-loi")).to_be_visible()
        _shot(page, "03-sau-khi-gui-lai")

        province = context.new_page()
        province.goto("/can-bo/dong-bo/?unit=000.00.00.H19&period=quarter&year=2026&quarter=1")
        expect(province.locator("#sync-units tr[data-unit='000.00.05.H19'] td").first).to_have_text("4")
        _shot(province, "04-toan-tinh-quy-1")
    finally:
        context.close()
