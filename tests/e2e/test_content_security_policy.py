"""Item 8: in a real browser the back-office pages work under their Content-Security-Policy
(script-src 'self', no inline script or style) — no violation is reported, and htmx still swaps."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_back_office_pages_raise_no_csp_violation(new_page, shot):
    page = new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, "tiepnhan.tinh")
    for path in ("/can-bo/", "/can-bo/tiep-nhan/", "/can-bo/so-theo-doi/", "/can-bo/thu-tuc-noi-bo/"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    # htmx (loaded from a file) still drives the work queue's filters.
    page.goto("/can-bo/")
    with page.expect_response(lambda r: "q=khong-co-ho-so-nao" in r.url) as answer:
        page.locator("#queue-q").fill("khong-co-ho-so-nao")
    assert answer.value.ok and answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#queue-results")).to_be_visible()
    shot(page, "hang doi duoi CSP")
    assert violations == []
