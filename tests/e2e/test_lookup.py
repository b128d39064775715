"""The public look-up that the receipt's QR code opens: no sign-in, code + secret."""

from urllib.parse import urlencode

from playwright.sync_api import expect

CITIZEN = {"kind": "citizen", "identifier": "075088000001", "name": "Nguyễn Văn Thử"}


def test_lookup_page_shows_the_status_with_the_receipt_secret(server, new_page, shot):
    status, dossier = server.api(
        "POST",
        "/api/v1/dossiers",
        {"procedure": "1.019904", "case": "TH1", "channel": "online", "applicant": CITIZEN},
        username="congdan1",
    )
    assert status == 201, dossier
    page = new_page(phone=True)
    page.goto("/tra-cuu/?" + urlencode({"ma": dossier["code"], "ma_tra_cuu": dossier["lookup_secret"]}))
    expect(page.get_by_role("heading", name=f"Hồ sơ {dossier['code']}")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Mới nộp, chờ tiếp nhận")
    expect(page.locator("dl.facts")).to_contain_text("N*** V*** T***")  # the name is masked
    expect(page.locator("dl.facts")).not_to_contain_text("Nguyễn Văn Thử")
    shot(page, "tra cứu thành công")

    page.goto("/tra-cuu/?" + urlencode({"ma": dossier["code"], "ma_tra_cuu": "SAIMA234"}))
    expect(page.get_by_role("alert")).to_have_text("Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập.")
    shot(page, "sai mã tra cứu")
