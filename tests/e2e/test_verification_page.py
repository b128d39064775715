"""`/xac-thuc/` in a browser (issue 12 item 3, R-30): a result sealed by its unit at issue is
uploaded and found valid, the same file with one byte changed invalid, the code printed in it leads
to the verdict without personal data; and its owner is offered the file."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import assert_accessible

# Run in the served app's own process (its database, its keys made by load_demo): a notary dossier
# of congdan1 issued with an unsigned decision PDF, which the deciding unit seals at issue.
ISSUE_SEALED_RESULT = """
import json
from motcua.demo.signing import plain_pdf
from motcua.documents.models import DocumentKind
from motcua.documents.services import store_document
from tests.dossiers.kit import NOTARY, act, at, forward_to, submit, user

now = at("2026-03-02 08:00")
d = submit(NOTARY, now=now, result_delivery="online")
d = act(d, "receive", "chuyenvien.sotuphap", now=now)
d = act(d, "forward", "chuyenvien.sotuphap", now=now)
d = forward_to(d, 5, now=now)
result = store_document(
    name="quyet-dinh-thanh-lap-van-phong-cong-chung.pdf",
    content=plain_pdf("Quyết định thành lập Văn phòng công chứng Thử Nghiệm", "Kết quả thử nghiệm."),
    kind=DocumentKind.RESULT,
    uploaded_by=user("chuyenvien.sotuphap"),
)
d = act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-04 08:00"), documents=[result])
result.refresh_from_db()
print(json.dumps({"dossier": d.code, "unit": d.deciding_unit.name, "code": result.verification_code,
                  "path": result.file.path, "origin": result.origin}))
"""


@pytest.fixture(scope="module")
def sealed(server, tmp_path_factory) -> dict:
    issued = json.loads(server.python(ISSUE_SEALED_RESULT).strip().splitlines()[-1])
    assert issued["origin"] == "issued" and issued["code"], issued
    folder = tmp_path_factory.mktemp("verification")
    content = Path(issued["path"]).read_bytes()
    (folder / "ket-qua-da-ky.pdf").write_bytes(content)
    tampered = bytearray(content)
    tampered[tampered.index(b"stream") + 20] ^= 0x01  # one byte of the signed page content
    (folder / "ket-qua-bi-sua.pdf").write_bytes(bytes(tampered))
    return {**issued, "folder": folder}


def test_verification_page_upload_and_code(new_page, sealed, shot):
    page = new_page(phone=True)
    page.goto("/xac-thuc/")
    expect(
        page.get_by_role("heading", name="Xác thực kết quả giải quyết thủ tục hành chính điện tử")
    ).to_be_visible()
    assert_accessible(page, context_label="xác thực kết quả")
    shot(page, "trang xác thực")

    page.get_by_label("Tệp kết quả").set_input_files(str(sealed["folder"] / "ket-qua-da-ky.pdf"))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    verdict = page.get_by_role("status")
    expect(verdict).to_contain_text("Hợp lệ")
    expect(verdict).not_to_contain_text("Không hợp lệ")
    expect(verdict).to_contain_text("Tệp còn nguyên vẹn")
    expect(page.locator("ol.signatures")).to_contain_text(sealed["unit"])
    expect(page.locator("ol.signatures")).to_contain_text("MotCua Test CA")
    expect(page.locator("ol.signatures")).to_contain_text(sealed["code"])  # the reason carries it
    shot(page, "tệp đã ký hợp lệ")

    page.get_by_label("Tệp kết quả").set_input_files(str(sealed["folder"] / "ket-qua-bi-sua.pdf"))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("status")).to_contain_text("Không hợp lệ")
    expect(page.get_by_role("status")).to_contain_text("đã bị sửa")
    shot(page, "tệp bị sửa một byte không hợp lệ")

    page.get_by_label("Mã tra cứu kết quả").fill(sealed["code"].lower().replace("-", " "))
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("status")).to_contain_text("Hợp lệ")
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text(sealed["code"])
    expect(facts).to_contain_text(sealed["unit"])
    expect(facts).to_contain_text(sealed["dossier"][-2:])
    expect(facts).not_to_contain_text(sealed["dossier"])  # masked
    expect(page.get_by_role("link", name="Tải kết quả của bạn")).to_have_count(0)
    assert "Nguyễn Văn Thử" not in page.content()
    assert_accessible(page, context_label="xác thực bằng mã")
    shot(page, "tra cứu bằng mã")


def test_verification_by_code_offers_the_file_to_its_owner(new_page, sealed, shot):
    page = new_page()
    page.goto(f"/dang-nhap/?next=/ho-so-cua-toi/{sealed['dossier']}/")
    page.get_by_label("Tên đăng nhập").fill("congdan1")
    page.get_by_label("Mật khẩu").fill("demo")
    page.get_by_role("button", name="Đăng nhập bằng mật khẩu").click()
    expect(page.get_by_text(sealed["code"])).to_be_visible()
    page.get_by_role("link", name="xác thực", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Hợp lệ")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải kết quả của bạn").click()
    assert Path(download.value.path()).read_bytes() == (sealed["folder"] / "ket-qua-da-ky.pdf").read_bytes()
    shot(page, "chủ hồ sơ tải kết quả")
