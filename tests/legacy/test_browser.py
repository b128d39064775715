"""R-25 in a real browser: the provincial office opens the report of legacy dossiers left open, reads
it, downloads it and closes one out — over real HTTP against the app in its own process, on its own
database, under the Content-Security-Policy. Screenshots under test-artifacts/legacy/."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import Server, demo_server, sign_in
from tests.legacy.kit import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "legacy"


@pytest.fixture(scope="module")
def legacy_server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("legacy-e2e")
    server = demo_server(tmp, "legacy_e2e")
    # The old software's export, imported as an operator does it.
    out = server.manage(
        "import_legacy", str(SAMPLES / "ho-so-cu-mau.csv"), "--source", "Egov", "--user", "quantri"
    )
    assert "Hồ sơ tạo mới: 8" in out and "Dòng bị từ chối: 0" in out
    with server.serving(tmp / "server.log"):
        yield server


def test_r25_provincial_office_reads_the_report_and_closes_a_dossier_out(legacy_server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        base_url=legacy_server.url,
        viewport={"width": 1366, "height": 768},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
    )
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, "vanphong.ubnd")

    page.get_by_role("link", name="Hồ sơ tồn đọng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ tồn đọng chuyển từ phần mềm một cửa cũ")
    # The sample's six open dossiers, all past their appointment today, in four units.
    expect(
        page.get_by_role("heading", name="Tổng hợp: 6 hồ sơ tồn đọng tại 4 cơ quan, đơn vị")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Sở Tư pháp: 3 hồ sơ")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "01-bao-cao-ho-so-ton-dong.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải Excel (.xlsx)").click()
    book = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert book.sheetnames == ["Tổng hợp", "Danh sách hồ sơ"]

    # Thành phố Biên Hòa's dossier: the district is gone, the provincial office closes it out.
    code = "000.00.21.H19-250610-0031"
    line = page.locator("tr", has=page.get_by_role("link", name=code))
    line.get_by_text("Kết thúc hồ sơ").click()
    line.get_by_label("Kết quả thực tế").select_option(label="Đã giải quyết, đã trả kết quả")
    line.get_by_label("Lý do, căn cứ").fill(
        "Đã trả kết quả ngày 20/06/2025 theo sổ theo dõi của UBND thành phố"
    )
    line.get_by_label("Thời điểm kết thúc thực tế").fill("2025-06-20T10:00")
    page.screenshot(path=str(ARTIFACTS / "02-ghi-nhan-ket-thuc.png"), full_page=False)
    line.get_by_role("button", name="Ghi nhận kết thúc").click()

    expect(page.get_by_text(f"Đã kết thúc hồ sơ {code}.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Tổng hợp: 5 hồ sơ tồn đọng tại 3 cơ quan, đơn vị")
    ).to_be_visible()
    expect(page.get_by_role("link", name=code)).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "03-sau-khi-ket-thuc.png"), full_page=True)

    # The dossier's own page tells its story: the old history, the take-over and the close-out.
    page.goto(f"/can-bo/ho-so/{code}/")
    expect(page.get_by_text("Đã trả kết quả", exact=False).first).to_be_visible()
    expect(page.get_by_text("đã trả kết quả lúc 10:00 20/06/2025", exact=False)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "04-trang-ho-so.png"), full_page=True)
    assert violations == []
    context.close()
