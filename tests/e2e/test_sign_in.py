"""Officers sign in to /can-bo/ with their local demo accounts (VNeID arrives with the portal)."""

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, sign_in


def test_officer_signs_in_and_out(new_page, shot):
    page = new_page()
    page.goto("/can-bo/")
    expect(page).to_have_url("/can-bo/dang-nhap/?next=/can-bo/")
    expect(page.get_by_role("heading", name="Đăng nhập cán bộ")).to_be_visible()
    shot(page, "trang đăng nhập")

    page.get_by_label("Tên đăng nhập").fill("tiepnhan.tinh")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    shot(page, "sai mật khẩu")

    sign_in(page, "tiepnhan.tinh")
    expect(page.locator(".who-name")).to_have_text("Huỳnh Thu Lan")
    shot(page, "đã đăng nhập")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập cán bộ")).to_be_visible()


def test_r26_a_citizen_account_cannot_enter_the_back_office(new_page, shot):
    page = new_page()
    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("congdan1")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("không có vai trò cán bộ")
    expect(page.get_by_role("alert")).to_contain_text("R-26")
    shot(page, "công dân bị từ chối")


def test_sign_in_page_is_keyboard_usable_on_a_phone(new_page, shot):
    page = new_page(phone=True)
    page.goto("/can-bo/dang-nhap/")
    expect(page.get_by_role("link", name="Bỏ qua điều hướng, đến nội dung chính")).to_have_attribute(
        "href", "#noi-dung"
    )
    # The cursor waits in the first field: type, Tab, type, Enter — no mouse needed.
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()
    page.keyboard.type("chuyenvien.sotuphap")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    shot(page, "điện thoại")
