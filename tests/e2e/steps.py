"""What an officer does on a dossier page, as reusable browser steps."""

import re
import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect

from motcua.demo.signing import plain_pdf, signed_pdf

PDF = plain_pdf("Tài liệu thử nghiệm")  # one page: the counter counts a scan's pages


def pdf_file(name: str, *, signed: bool = False) -> dict:
    """A PDF to upload; `signed` makes one truly signed by the demo CA, which the server verifies."""
    return {"name": name, "mimeType": "application/pdf", "buffer": signed_pdf(name) if signed else PDF}


def open_dossier(page: Page, code: str) -> Page:
    page.goto(f"/can-bo/ho-so/{code}/")
    expect(page.get_by_role("heading", name=f"Hồ sơ {code}")).to_be_visible()
    return page


def act(
    page: Page,
    action: str,
    *,
    fields: dict[str, str] | None = None,
    files: list[str] = (),
    signed: bool = False,
    dom_id: str = "",
    refused: bool = False,
) -> None:
    """Open the action's form on the dossier page, fill it the way an officer does, send it; then
    wait for the engine's answer: the success message, or (when `refused`) the refusal in place."""
    dom_id = dom_id or action
    panel = page.locator(f"#action-{dom_id}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for name, value in (fields or {}).items():
        field = page.locator(f"#{dom_id}-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if files:
        page.locator(f"#{dom_id}-files").set_input_files([pdf_file(name, signed=signed) for name in files])
    with page.expect_response(lambda r: "/thao-tac/" in r.url and r.request.method == "POST") as sent:
        page.locator(f"#nut-{dom_id}").click()
    status = sent.value.status
    if refused:
        assert 400 <= status < 500, f"{action} was not refused ({status})"
        expect(page.locator(f"#action-{dom_id} #refusal")).to_be_visible()
    else:
        assert status < 400, f"{action} was refused ({status}): {_refusal_text(sent.value)}"
        expect(page.locator(".flash-success")).to_be_visible()


def _refusal_text(response) -> str:
    match = re.search(r'id="refusal".*?</div>', response.text(), re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group()) if match else ""


def state_is(page: Page, label: str) -> None:
    expect(page.locator("#trang-thai")).to_have_text(label)


def pdf_text(page: Page, link_id: str, folder: Path) -> str:
    """Follow a print link with the page's own session; the PDF's text as pdftotext reads it."""
    href = page.locator(f"#{link_id}").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf", response.status
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{link_id}.pdf"
    path.write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(path.with_suffix(""))], check=True
    )
    assert path.with_suffix(".png").stat().st_size > 5_000
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
