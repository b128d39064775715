"""R-26 in a browser: officers and citizens sign in with VNeID — the app served on its own demo
database, the VNeID-shaped provider (tools/oidc-provider) as a real Node.js process, Chromium
clicking through both sites."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, demo_server
from tests.signin.oidc import CALLBACK_PATH, CLIENT_ID, CLIENT_SECRET, OidcProvider


@pytest.fixture(scope="module")
def vneid_site(tmp_path_factory) -> Iterator[tuple[Server, OidcProvider]]:
    tmp = tmp_path_factory.mktemp("e2e-vneid")
    provider = OidcProvider([])
    server = demo_server(
        tmp,
        "e2e_vneid",
        MOTCUA_OIDC_ISSUER=provider.url,
        MOTCUA_OIDC_CLIENT_ID=CLIENT_ID,
        MOTCUA_OIDC_CLIENT_SECRET=CLIENT_SECRET,
    )
    provider.redirect_uris = [f"{server.url}{CALLBACK_PATH}"]
    provider.start()
    try:
        with server.serving(tmp / "server.log"):
            yield server, provider
    finally:
        provider.stop()


@pytest.fixture
def page(browser, vneid_site) -> Iterator[Page]:
    server, _ = vneid_site
    context = browser.new_context(
        base_url=server.url, viewport={"width": 1366, "height": 768}, locale="vi-VN"
    )
    yield context.new_page()
    context.close()


def _choose_account(page: Page, label: str) -> None:
    expect(page.get_by_role("heading", name="giả lập VNeID")).to_be_visible()
    page.get_by_label(label).check()
    page.get_by_role("button", name="Đăng nhập").click()


def test_r26_officer_signs_in_with_vneid_into_the_back_office(page, shot):
    page.goto("/can-bo/dang-nhap/")
    shot(page, "trang đăng nhập cán bộ")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    _choose_account(page, "Cán bộ — Huỳnh Thu Lan")
    shot(page, "đã chọn tài khoản")

    expect(page).to_have_url("/can-bo/")
    expect(page.locator(".who-name")).to_have_text("Huỳnh Thu Lan")
    shot(page, "vào trang cán bộ")


def test_r26_citizen_signs_in_with_vneid_on_the_portal(page, shot):
    page.goto("/tra-cuu/")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    expect(page.get_by_role("heading", name="Đăng nhập", exact=True)).to_be_visible()
    shot(page, "trang đăng nhập cổng")
    page.locator("#vneid-signin").click()
    _choose_account(page, "Công dân — Nguyễn Văn Thử (congdan1)")

    expect(page).to_have_url("/tra-cuu/")
    expect(page.locator(".who-name")).to_have_text("Nguyễn Văn Thử")
    shot(page, "công dân đã đăng nhập")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("link", name="Đăng nhập bằng VNeID")).to_be_visible()
