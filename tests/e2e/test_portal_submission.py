"""A citizen's way through the portal on a phone: signs in with VNeID (R-26, the provider on
loopback), finds the procedure typing without diacritics, submits online with a PDF per mandatory
paper (R-28), then submits again taking one paper back from his store instead of uploading it
(R-30)."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import Server
from tests.e2e.test_vneid_sign_in import vneid_site  # noqa: F401 — the app with VNeID on loopback

CITIZEN_ACCOUNT = "Công dân — Nguyễn Văn Thử (congdan1)"
PROCEDURE = "Thành lập Văn phòng công chứng"
DOSSIER_URL = re.compile(r"/ho-so-cua-toi/([^/]+)/$")


@pytest.fixture(scope="module")
def server(vneid_site) -> Server:  # noqa: F811 — `new_page` serves this module's app
    return vneid_site[0]


def small_pdf(folder: Path, name: str, text: str) -> Path:
    """A one-page PDF (a real one: the app checks the magic bytes and reads it for signatures)."""
    stream = f"BT /F1 12 Tf 40 800 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = folder / name
    path.write_bytes(bytes(out))
    return path


def mandatory_papers(page: Page):
    """The submission form's fieldsets of the papers the procedure requires."""
    papers = page.locator("fieldset.component").filter(has=page.locator(".badge", has_text="bắt buộc"))
    expect(papers.first).to_be_visible()
    return [papers.nth(i) for i in range(papers.count())]


def submitted_code(page: Page) -> str:
    expect(page).to_have_url(DOSSIER_URL)
    code = DOSSIER_URL.search(page.url).group(1)
    expect(page.locator(".flash")).to_contain_text(f"Đã nộp hồ sơ {code}")
    expect(page.get_by_role("heading", name=f"Hồ sơ {code}")).to_be_visible()
    return code


def test_r26_r28_r30_citizen_submits_online_then_reuses_a_paper(
    server: Server, new_page: Callable[..., Page], shot, tmp_path: Path
):
    page = new_page(phone=True)
    page.goto("/")
    shot(page, "trang chủ trên điện thoại")

    # signs in with VNeID, and comes back where he was.
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.locator("#vneid-signin").click()
    expect(page.get_by_role("heading", name="giả lập VNeID")).to_be_visible()
    shot(page, "trang của VNeID")
    page.get_by_label(CITIZEN_ACCOUNT).check()
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url("/")
    expect(page.locator(".who-name")).to_have_text("Nguyễn Văn Thử")
    shot(page, "đã đăng nhập bằng VNeID")

    # Typed without diacritics, as people do on a phone.
    page.get_by_label("Tìm thủ tục hành chính").fill("thanh lap van phong cong chung")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page).to_have_url(re.compile(r"/thu-tuc/\?q=thanh\+lap\+van\+phong\+cong\+chung"))
    found = page.get_by_role("link", name=PROCEDURE)
    expect(found).to_be_visible()
    shot(page, "kết quả tìm không dấu")
    found.click()

    expect(page).to_have_url("/thu-tuc/1.019901/")
    expect(page.get_by_role("heading", name=PROCEDURE, level=1)).to_be_visible()
    shot(page, "trang thủ tục")

    # online submission, a PDF for each mandatory paper.
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_role("heading", name="Nộp hồ sơ trực tuyến")).to_be_visible()
    expect(page.locator("#chu-ho-so")).to_have_text("Nguyễn Văn Thử")
    papers = mandatory_papers(page)
    assert len(papers) == 3
    for number, paper in enumerate(papers, start=1):
        paper.get_by_label("Tải tệp lên").set_input_files(
            small_pdf(tmp_path, f"giay-to-{number}.pdf", f"Giay to {number}")
        )
    page.get_by_label("Số điện thoại").fill("0912345678")
    shot(page, "biểu mẫu nộp hồ sơ đã điền")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()

    first = submitted_code(page)
    for number in range(1, 4):
        expect(page.get_by_role("link", name=f"giay-to-{number}.pdf")).to_be_visible()
    shot(page, "đã nộp hồ sơ thứ nhất")
    assert_accessible(page, context_label="Hồ sơ vừa nộp")

    page.get_by_role("link", name="Hồ sơ của tôi", exact=True).first.click()
    expect(page).to_have_url("/ho-so-cua-toi/")
    expect(page.get_by_role("link", name=first)).to_be_visible()
    shot(page, "hồ sơ của tôi")

    # the second dossier takes the application form back from the store, not a new upload.
    page.goto("/thu-tuc/1.019901/nop-ho-so/")
    papers = mandatory_papers(page)
    reuse = papers[0].get_by_label("Hoặc dùng lại giấy tờ đã có")
    option = reuse.locator("option", has_text="giay-to-1.pdf")
    expect(option).to_have_count(1)
    reuse.select_option(value=option.get_attribute("value"))
    for number, paper in enumerate(papers[1:], start=2):
        paper.get_by_label("Tải tệp lên").set_input_files(
            small_pdf(tmp_path, f"giay-to-moi-{number}.pdf", f"Giay to moi {number}")
        )
    shot(page, "nộp lần hai, dùng lại đơn đề nghị")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()

    second = submitted_code(page)
    assert second != first
    expect(page.locator("li", has_text="giay-to-1.pdf")).to_contain_text("dùng lại")
    shot(page, "đã nộp hồ sơ thứ hai")
    page.get_by_role("link", name="Hồ sơ của tôi", exact=True).first.click()
    expect(page.get_by_role("link", name=second)).to_be_visible()
    expect(page.get_by_role("link", name=first)).to_be_visible()
    shot(page, "hai hồ sơ của tôi")

    stored = server.python(
        "from motcua.dossiers.models import Dossier\n"
        f"d = Dossier.objects.get(code={second!r})\n"
        "print('vneid', d.vneid_verified)\n"
        "for link in d.attachments.select_related('document__reused_from').order_by('document__name'):\n"
        "    doc = link.document\n"
        "    print('doc', doc.name, doc.reused_from.name if doc.reused_from else '-')\n"
    )
    assert "vneid True" in stored, stored
    assert "doc giay-to-1.pdf giay-to-1.pdf" in stored, stored
    assert "doc giay-to-moi-2.pdf -" in stored, stored
