"""An administrator merges Sở Tư pháp into Sở Nội vụ in a real browser (Playwright + Debian's
Chromium) against the app served by its own process, on the demo province with its dossiers:
draft → preview → "Thực hiện sáp nhập"; then an officer of the successor finds the moved dossiers
by the old unit code. Screenshots in test-artifacts/mergers/ (issue 9 item 7)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, ROOT, Server, demo_server, sign_in

ARTIFACTS = ROOT / "test-artifacts" / "mergers"
JUSTICE = "000.00.05.H19"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("mergers-server")
    server = demo_server(tmp, "mergers_e2e", MOTCUA_CACHE_URL="locmem://")
    with server.serving(tmp / "server.log"):
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


def test_merger_admin_flow_in_a_browser(server, browser):
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
