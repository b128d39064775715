"""An administrator merges Sở Tư pháp into Sở Nội vụ in a real browser (Playwright + Debian's
Chromium) against the app served by its own process, on the demo province with its dossiers:
draft → preview → "Thực hiện sáp nhập"; then an officer of the successor finds the moved dossiers
by the old unit code. Screenshots in test-artifacts/mergers/ (issue 9 item 7)."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, ROOT, Server, browser, free_port, serving, sign_in  # noqa: F401

ARTIFACTS = ROOT / "test-artifacts" / "mergers"
JUSTICE = "000.00.05.H19"


def _database_url(tmp: Path) -> str:
    """Its own database: the e2e suite's server may be running on `<name>_e2e` in the same session."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'mergers.sqlite3'}"
    import psycopg

    base, _, name = url.rpartition("/")
    name = f"{name or 'motcua'}_mergers_e2e"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("mergers-server")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(tmp),
        "DJANGO_SETTINGS_MODULE": "motcua.settings_demo",
        "MOTCUA_DEBUG": "1",
        "MOTCUA_MEDIA_ROOT": str(tmp / "media"),
        "MOTCUA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MOTCUA_AUTH_RATE": "1000/min",
        "MOTCUA_CACHE_URL": "locmem://",
        "PYTHONUNBUFFERED": "1",
    }
    server = Server(url=f"http://127.0.0.1:{port}", env=env)
    server.manage("migrate", "--no-input", "-v", "0")
    server.manage("load_demo")
    with serving(env, port, tmp / "server.log"):
        yield server


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pick(page: Page, field: str, typed: str, option: str) -> None:
    """Choose in the admin's autocomplete box (select2) as a person does: open, type, click."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=re.compile(f"^{re.escape(option)}$")).click()


def test_merger_admin_flow_in_a_browser(server, browser):  # noqa: F811
    context = browser.new_context(
        base_url=server.url, viewport={"width": 1366, "height": 900}, locale="vi-VN"
    )
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto("/admin/login/?next=/admin/org/unitmerger/add/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Thêm sáp nhập đơn vị")).to_be_visible()

    pick(page, "successor", "noi vu", "Sở Nội vụ")
    pick(page, "predecessors", "tu phap", "Sở Tư pháp")
    today = timezone.localdate()
    page.locator("#id_effective_on").fill(f"{today:%d/%m/%Y}")
    page.locator("#id_decision").fill("Quyết định số 2468/QĐ-UBND của UBND tỉnh Đồng Nai (minh họa)")
    screenshot(page, "01-lap-du-thao")
    page.get_by_role("button", name="Lưu lại", exact=True).click()

    expect(page.get_by_text("Đã lập dự thảo sáp nhập; chưa có gì thay đổi.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Xem trước: những gì sẽ chuyển sang Sở Nội vụ khi thực hiện")
    ).to_be_visible()
    counts = page.locator("table.merger-counts")
    dossiers_row = counts.locator("tr", has_text="Hồ sơ đang giải quyết chuyển sang Sở Nội vụ")
    moving = int(dossiers_row.locator("td").first.inner_text())
    assert moving > 0  # the demo's dossiers of Sở Tư pháp still being handled
    expect(page.get_by_text("Dương Minh Nam — Lãnh đạo đơn vị")).to_be_visible()
    screenshot(page, "02-xem-truoc")

    page.get_by_role("button", name="Thực hiện sáp nhập").click()
    expect(page.get_by_text(f"{moving} hồ sơ", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="Kết quả thực hiện")).to_be_visible()
    expect(page.get_by_role("button", name="Huỷ")).to_have_count(0)
    expect(page.locator(".merger-status")).to_have_text("Đã thực hiện")
    screenshot(page, "03-da-thuc-hien")
    assert violations == []

    # An officer of the successor finds the moved dossiers by the old unit's code.
    officer = sign_in(
        context.browser.new_context(base_url=server.url, locale="vi-VN").new_page(), "chuyenvien.sonoivu"
    )
    officer.goto(f"/can-bo/tim-kiem/?q={JUSTICE}")
    rows = officer.locator("a[href^='/can-bo/ho-so/']")
    expect(rows.first).to_be_visible()
    assert rows.count() >= min(moving, 25)
    screenshot(officer, "04-tim-theo-ma-don-vi-cu")
    context.close()
