"""Issue 8 items 9 and 10 in Debian's Chromium: the counter cannot receive an incomplete paper dossier
without a recorded reason (R-17, NĐ 118/2025 Điều 17 k1), and one search box finds any dossier the
officer may see — by name typed without diacritics, or by the receipt's QR link pasted into it."""

import re

from playwright.sync_api import expect

from tests.e2e.steps import state_is

REASON = "Giấy tờ về trụ sở cơ quan tự khai thác trên cơ sở dữ liệu đất đai"


def test_r17_incomplete_reception_refused_in_place_then_received_with_a_recorded_reason(
    server, officer, shot
):
    page = officer("tiepnhan.tinh")
    page.goto("/can-bo/tiep-nhan/1.019901/")
    page.locator("#id_identifier").fill("075088000041")
    page.locator("#id_name").fill("Tạ Thị Thiếu Giấy")
    page.locator("#thanh-phan input.tick").first.check()  # only the first of three mandatory papers
    page.locator("#nut-tiep-nhan").click()

    refusal = page.locator("#refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("chưa đủ thành phần bắt buộc")
    expect(refusal).to_contain_text("R-17")
    expect(page.locator("#tiep-nhan-thieu")).to_have_attribute("open", "")
    expect(page.locator("#id_name")).to_have_value("Tạ Thị Thiếu Giấy")  # nothing typed is lost
    expect(page.locator("#thanh-phan input.tick").first).to_be_checked()
    shot(page, "thiếu thành phần bị từ chối")
    assert (
        server.python(
            "from motcua.dossiers.models import Dossier\n"
            "print(Dossier.objects.filter(applicant_identifier='075088000041').count())"
        ).strip()
        == "0"
    )

    page.locator("#id_incomplete_reason").fill(REASON)
    page.locator("#nut-tiep-nhan-thieu").click()
    state_is(page, "Đã tiếp nhận, chờ chuyển xử lý")
    shot(page, "tiếp nhận có xác nhận lý do")
    code = re.search(r"\d{3}\.\d{2}\.\d{2}\.H19-\d{6}-\d{4}", page.locator("h1").inner_text()).group()
    recorded = server.python(
        "from motcua.dossiers.models import DossierEvent\n"
        f"print(DossierEvent.objects.get(dossier__code='{code}', action='receive').data['incomplete_reason'])"
    )
    assert recorded.strip() == REASON


def test_one_search_box_finds_a_refused_dossier_and_opens_a_pasted_qr_link(server, officer, shot):
    applicant = {"kind": "citizen", "identifier": "075088000042", "name": "Khổng Thị Tìm Thấy"}
    status, dossier = server.api(
        "POST",
        "/api/v1/dossiers",
        {"procedure": "1.019902", "channel": "counter", "applicant": applicant},
        username="tiepnhan.tinh",
    )
    assert status == 201, dossier
    code = dossier["code"]
    status, refused = server.api(
        "POST",
        f"/api/v1/dossiers/{code}/actions/reject",
        {"version": dossier["version"], "reason": "Hồ sơ không thuộc phạm vi giải quyết."},
        username="tiepnhan.tinh",
    )
    assert status == 200 and refused["state"] == "rejected", refused

    page = officer("tiepnhan.tinh2")  # another counter of the same Centre
    box = page.locator("#tim-kiem-q")
    box.fill("khong thi tim thay")  # typed without diacritics
    box.press("Enter")
    results = page.locator("#ket-qua-tim-kiem")
    expect(results).to_contain_text(code)
    expect(results).to_contain_text("Khổng Thị Tìm Thấy")
    shot(page, "kết quả tìm kiếm")
    results.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name=f"Hồ sơ {code}")).to_be_visible()

    # The receipt's QR code read by a scanner into the box: straight to the dossier.
    link = f"{server.url}/tra-cuu/?ma={code}&ma_tra_cuu={dossier['lookup_secret']}"
    page.goto("/can-bo/")
    page.locator("#tim-kiem-q").fill(link)
    page.locator("#tim-kiem-q").press("Enter")
    expect(page.get_by_role("heading", name=f"Hồ sơ {code}")).to_be_visible()
    shot(page, "mở thẳng từ mã QR")

    # A department that never had the dossier finds nothing, not even by its code.
    other = officer("chuyenvien.soxaydung")
    other.locator("#tim-kiem-q").fill(link)
    other.locator("#tim-kiem-q").press("Enter")
    expect(other.locator("#khong-tim-thay")).to_be_visible()
    expect(other.locator("main")).not_to_contain_text("Khổng Thị Tìm Thấy")
