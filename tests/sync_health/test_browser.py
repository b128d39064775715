"""R-22 in a real browser: the provincial office opens "Tình hình đồng bộ Cổng DVCQG" on the app
served by its own process (its own database, the demo province loaded), reads the figures of a
known history and re-sends a dead letter. Screenshots under test-artifacts/sync/."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import REDIS_URL, ROOT, Server, browser, free_port, serving, sign_in  # noqa: F401

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


def _database_url(tmp: Path) -> str:
    """Its own database, apart from the e2e suite's (`<name>_e2e`) and the unit tests'."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'sync.sqlite3'}"
    import psycopg

    base, _, name = url.rpartition("/")
    name = f"{name or 'motcua'}_sync_e2e"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory) -> Iterator[tuple[Server, str, str]]:
    tmp = tmp_path_factory.mktemp("sync-server")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(tmp),
        "DJANGO_SETTINGS_MODULE": "motcua.settings_demo",
        "MOTCUA_DEBUG": "1",
        "MOTCUA_MEDIA_ROOT": str(tmp / "media"),
        "MOTCUA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MOTCUA_AUTH_RATE": "1000/min",
        "MOTCUA_LOCKOUT_FAILURES": "50",
        "MOTCUA_CACHE_URL": REDIS_URL,
        # no national portal configured: nothing delivers behind the test's back
        "MOTCUA_DVCQG_BASE_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    server = Server(url=f"http://127.0.0.1:{port}", env=env)
    server.manage("migrate", "--no-input", "-v", "0")
    server.manage("load_demo")
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-v", "0", "-c", HISTORY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    message_id, code = done.stdout.split()
    with serving(env, port, tmp / "server.log"):
        yield server, message_id, code


def _shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_r22_provincial_office_reads_sync_health_and_resends(browser, sync_server):  # noqa: F811
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
