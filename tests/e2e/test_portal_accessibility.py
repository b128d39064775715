"""The citizens' portal meets WCAG 2.1 AA as axe-core checks it, on a phone and on a desktop screen:
every page a person goes through to find a procedure, sign in with VNeID (R-26), submit online
(R-28), follow his dossiers, look one up and send a feedback (PAKN)."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import Server
from tests.e2e.test_vneid_sign_in import vneid_site  # noqa: F401 — the app with VNeID on loopback

CITIZEN_ACCOUNT = "Công dân — Nguyễn Văn Thử (congdan1)"

PUBLIC_PAGES = [
    ("/", "Trang chủ"),
    ("/thu-tuc/?q=cong chung", "Danh mục thủ tục, tìm “cong chung”"),
    ("/thu-tuc/1.019901/", "Trang thủ tục 1.019901"),
    ("/dang-nhap/", "Đăng nhập"),
    ("/tra-cuu/", "Tra cứu hồ sơ"),
    ("/phan-anh-kien-nghi/", "Phản ánh, kiến nghị"),
    ("/phan-anh-kien-nghi/gui/", "Gửi phản ánh, kiến nghị (chưa đăng nhập)"),
]
SIGNED_IN_PAGES = [
    ("/thu-tuc/1.019901/nop-ho-so/", "Nộp hồ sơ trực tuyến"),
    ("/ho-so-cua-toi/", "Hồ sơ của tôi"),
    ("/phan-anh-kien-nghi/", "Phản ánh, kiến nghị (đã đăng nhập)"),
    ("/phan-anh-kien-nghi/gui/", "Gửi phản ánh, kiến nghị (đã đăng nhập)"),
]


@pytest.fixture(scope="module")
def server(vneid_site) -> Server:  # noqa: F811 — `new_page` serves this module's app
    return vneid_site[0]


def sign_in_with_vneid(page: Page, account: str) -> None:
    """R-26: through the provider's own page, as a person does."""
    page.goto("/dang-nhap/")
    page.locator("#vneid-signin").click()
    expect(page.get_by_role("heading", name="giả lập VNeID")).to_be_visible()
    page.get_by_label(account).check()
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".who-name")).to_be_visible()


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_portal_pages_meet_wcag21_aa_public_and_signed_in(new_page: Callable[..., Page], shot, phone: bool):
    page = new_page(phone=phone)
    for path, label in PUBLIC_PAGES:
        page.goto(path)
        shot(page, label)
        assert_accessible(page, context_label=label)

    sign_in_with_vneid(page, CITIZEN_ACCOUNT)
    for path, label in SIGNED_IN_PAGES:
        page.goto(path)
        expect(page).to_have_url(path)  # not sent back to the sign-in page
        shot(page, label)
        assert_accessible(page, context_label=label)


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_portal_pages_meet_wcag21_aa_with_errors_shown(new_page: Callable[..., Page], shot, phone: bool):
    """The pages as they answer a mistake: the message must reach a screen reader too."""
    page = new_page(phone=phone)
    page.goto("/tra-cuu/?ma=KHONG-CO&ma_tra_cuu=000000")
    expect(page.get_by_role("alert")).to_be_visible()
    shot(page, "tra cứu sai mã")
    assert_accessible(page, context_label="Tra cứu sai mã")

    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("congdan1")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập bằng mật khẩu").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shot(page, "sai mật khẩu")
    assert_accessible(page, context_label="Đăng nhập sai mật khẩu")

    sign_in_with_vneid(page, CITIZEN_ACCOUNT)
    page.goto("/thu-tuc/1.019901/nop-ho-so/")
    page.get_by_role("button", name="Nộp hồ sơ").click()  # no paper given
    expect(page.get_by_role("alert")).to_be_visible()
    shot(page, "nộp thiếu giấy tờ")
    assert_accessible(page, context_label="Nộp hồ sơ thiếu giấy tờ")
