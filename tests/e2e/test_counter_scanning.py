"""Scanning at the counter in Chromium (issue 12 item 2; TT 03/2025 Điều 5, TT 01/2023/TT-VPCP
Điều 8): the officer records the pages of each paper and scans them page by page, marks the
identity paper as only shown, is stopped when a page is missing, and finds the dossier with one
PDF of as many pages and the shown paper recorded."""

import io

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.steps import state_is


def page_picture(n: int) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (620, 877), (255, 255 - 30 * n, 255)).save(out, format="JPEG")
    return {"name": f"trang-{n}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_r30_counter_scans_every_page_and_records_a_paper_only_shown(officer, shot):
    page = officer("tiepnhan.tinh")
    page.goto("/can-bo/tiep-nhan/1.019901/")
    page.locator("#id_identifier").fill("075088000061")
    page.locator("#id_name").fill("Trịnh Văn Quét")
    page.locator("#id_phone").fill("0912000061")
    page.locator("#id_address").fill("Số 12 đường Võ Thị Sáu, phường Trấn Biên, tỉnh Đồng Nai")
    components = page.locator("#thanh-phan li.component")
    first = components.nth(0)
    first.locator("input.pages").fill("3")
    first.locator("input[type=file]").set_input_files([page_picture(1), page_picture(2)])  # one missing
    components.nth(1).locator("input.shown").check()  # shown for comparison, never scanned
    for i in range(2, components.count()):
        components.nth(i).locator("input.tick").check()
    shot(page, "thiếu một trang")
    page.locator("#nut-tiep-nhan").click()

    refusal = page.locator(".alert, .refusal, [role=alert]").first
    expect(refusal).to_contain_text("có 3 trang giấy nhưng bản quét có 2 trang")
    expect(refusal).to_contain_text("R-30")
    shot(page, "bị từ chối vì thiếu trang")

    # The browser does not keep chosen files after a refused post: choose the three pages again.
    components = page.locator("#thanh-phan li.component")
    components.nth(0).locator("input.pages").fill("3")
    components.nth(0).locator("input[type=file]").set_input_files(
        [page_picture(1), page_picture(2), page_picture(3)]
    )
    expect(components.nth(1).locator("input.shown")).to_be_checked()
    page.locator("#nut-tiep-nhan").click()

    state_is(page, "Đã tiếp nhận, chờ chuyển xử lý")
    documents = page.locator("#tai-lieu")
    expect(documents).to_contain_text("Bản quét - Đơn đề nghị thành lập Văn phòng công chứng.pdf")
    expect(documents).to_contain_text("Số hóa tại Bộ phận Một cửa · 3 trang")
    # Signed by the receiving Centre: a digitisation result (TT 01/2023/TT-VPCP, DuocSoHoa).
    expect(documents).to_contain_text("Đã ký số: ")
    expect(documents).to_contain_text("Chỉ xuất trình")
    expect(documents).to_contain_text("3 trang giấy")
    shot(page, "đã tiếp nhận với bản quét")
