"""R-10 in a real browser: the provincial office opens the quarterly one-stop report, follows a figure
to the dossiers behind it and downloads the Excel file — over real HTTP against the app in its own
process and database (the demo province with its demo dossiers), under the Content-Security-Policy.
Screenshots under test-artifacts/reports/."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import Server, demo_server, sign_in

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "reports"


@pytest.fixture(scope="module")
def reports_server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("reports-e2e")
    server = demo_server(tmp, "reports_e2e")
    with server.serving(tmp / "server.log"):
        yield server


def test_r10_quarterly_report_in_the_browser(reports_server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        base_url=reports_server.url,
        viewport={"width": 1366, "height": 768},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
    )
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, "vanphong.ubnd")

    page.goto("/bao-cao/ket-qua-giai-quyet/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kết quả giải quyết TTHC theo quý")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Toàn tỉnh — Quý")
    table = page.locator("table#ket-qua")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="Số hồ sơ nhận giải quyết")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "01-bao-cao-quy.png"), full_page=True)

    # The province's "to handle" total, and the list behind it: the same number of dossiers.
    total_cell = table.locator("tfoot td").first
    total = int(total_cell.inner_text())
    assert total > 0  # the demo dossiers of this quarter
    total_cell.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng số hồ sơ nhận giải quyết")
    expect(page.locator("#list-count")).to_have_text(str(total))
    expect(page.locator("table.report-list a.code")).to_have_count(min(total, 50))
    page.screenshot(path=str(ARTIFACTS / "02-danh-sach-ho-so.png"), full_page=True)

    page.get_by_role("link", name="← Kết quả giải quyết TTHC theo quý").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải Excel (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("bao-cao-ket-qua-giai-quyet-quy-")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    sheet = book["Kết quả giải quyết"]
    rows = list(sheet.iter_rows(values_only=True))
    totals = next(r for r in rows if r[0] == "Tổng cộng")
    assert totals[1] == total  # the file says what the page says

    # On a phone the table becomes one card per unit, labelled.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(table.locator("thead")).to_be_hidden()
    table.locator("tbody tr").first.screenshot(path=str(ARTIFACTS / "03-bao-cao-quy-dien-thoai.png"))
    assert violations == []
    context.close()
