"""R-25 in a real browser: the provincial office opens the report of legacy dossiers left open, reads
it, downloads it and closes one out — over real HTTP against the app in its own process, on its own
database, under the Content-Security-Policy. Screenshots under test-artifacts/legacy/."""

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect, sync_playwright

from tests.e2e.conftest import CHROMIUM, REDIS_URL, Server, free_port, serving, sign_in
from tests.legacy.kit import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "legacy"


def _database_url(tmp: Path) -> str:
    """Its own database, never the suite's nor the e2e server's (`<name>_legacy_e2e` on PostgreSQL)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'legacy-e2e.sqlite3'}"
    import psycopg

    base, _, name = url.rpartition("/")
    name = f"{name or 'motcua'}_legacy_e2e"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="module")
def legacy_server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("legacy-e2e")
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
        "PYTHONUNBUFFERED": "1",
    }
    server = Server(url=f"http://127.0.0.1:{port}", env=env)
    server.manage("migrate", "--no-input", "-v", "0")
    server.manage("load_demo")
    # The old software's export, imported as an operator does it.
    out = server.manage(
        "import_legacy", str(SAMPLES / "ho-so-cu-mau.csv"), "--source", "Egov", "--user", "quantri"
    )
    assert "Hồ sơ tạo mới: 8" in out and "Dòng bị từ chối: 0" in out
    with serving(env, port, tmp / "server.log"):
        yield server


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def test_r25_provincial_office_reads_the_report_and_closes_a_dossier_out(legacy_server, chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(
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
