"""R-23 in a real browser: the provincial office opens Bộ chỉ số 766 on the demo province, reads the
six cards and the plan, follows an indicator's figure to the dossiers behind it and one dossier to
its page — under the Content-Security-Policy (charts from the self-hosted Chart.js, no inline code).
Screenshots under test-artifacts/e2e/<test>/."""

import re

from django.utils import timezone
from playwright.sync_api import expect


def test_r23_index_drill_down_from_the_cards_to_a_dossier(officer, shot):
    page = officer("vanphong.ubnd")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    year = timezone.localdate().year

    page.get_by_role("link", name="Chỉ số 766").click()
    page.get_by_label("Kỳ báo cáo", exact=True).select_option("year")
    page.get_by_label("Năm", exact=True).fill(str(year))
    page.get_by_role("button", name="Xem").click()

    expect(
        page.get_by_role("heading", level=2, name=f"Ủy ban nhân dân tỉnh Đồng Nai — Năm {year}")
    ).to_be_visible()
    expect(page.locator("#index-cards li")).to_have_count(6)
    expect(page.locator("#trend-chart")).to_be_visible()
    # The chart library drew on the canvas (it sizes it): the script ran under the CSP.
    expect(page.locator("#trend-chart")).to_have_attribute("height", re.compile(r"\d+"))
    shot(page, "bo chi so tinh")

    # a card leads to its group's indicators; a month of the trend to that month's index
    page.locator('#index-cards [data-card="4"] a').click()
    expect(page).to_have_url(re.compile(r"#nhom-4$"))
    expect(page.locator("#nhom-4 tr")).to_have_count(7)
    page.get_by_role("navigation", name="Xem chỉ số từng tháng").get_by_role(
        "link", name="T1", exact=True
    ).click()
    expect(
        page.get_by_role("heading", level=2, name=f"Ủy ban nhân dân tỉnh Đồng Nai — Tháng 1/{year}")
    ).to_be_visible()
    page.go_back()
    page.go_back()

    row = page.locator('tr[data-indicator="2.1"]')
    numerator = int(row.locator("td").nth(2).inner_text())
    denominator = int(row.locator("td").nth(3).inner_text())
    assert denominator > 0
    row.get_by_role("link", name="Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("2.1. Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn")
    expect(page.locator("#indicator-figures")).to_contain_text(f"Tử số {numerator} / mẫu số {denominator}")
    expect(
        page.get_by_role("heading", level=2, name=f"Hồ sơ làm giảm điểm: {denominator - numerator}")
    ).to_be_visible()
    shot(page, "chi so 2.1 ho so lam giam diem")

    # the denominator is a link too: every dossier the indicator counts
    page.get_by_role("link", name="Tất cả (mẫu số)").click()
    expect(
        page.get_by_role("heading", level=2, name=f"Hồ sơ được tính vào mẫu số: {denominator}")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Tất cả (mẫu số)")).to_have_attribute("aria-current", "page")

    if denominator - numerator:
        page.get_by_role("link", name="Hồ sơ chưa đạt").click()
        first = page.locator("#behind tbody tr").first.get_by_role("link")
        code = first.inner_text()
        first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(code)
        shot(page, "trang ho so")

    assert violations == []


def test_r23_a_counter_officer_is_refused_the_index(officer):
    page = officer("tiepnhan.tinh")
    expect(page.get_by_role("link", name="Chỉ số 766")).to_have_count(0)
    answer = page.goto("/bao-cao/")
    assert answer.status == 403
    expect(page.get_by_text("Bộ chỉ số 766 dành cho lãnh đạo đơn vị")).to_be_visible()
