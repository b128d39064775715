"""R-31 end to end: a citizen sends a PAKN from the portal (without signing in), the responsible
unit classifies and answers it, its leader publishes it, and anyone finds it by a search typed
without diacritics."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Server, demo_server

NOTARY = "1.019901"  # a procedure of Sở Tư pháp: the PAKN goes to that department


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e-feedback")
    app = demo_server(tmp, "e2e_feedback")
    with app.serving(tmp / "server.log"):
        yield app


def test_r31_citizen_petition_answered_published_and_found_without_diacritics(new_page, officer, shot):
    citizen = new_page(phone=True)
    citizen.goto("/phan-anh-kien-nghi/")
    citizen.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    citizen.get_by_label("Họ và tên").fill("Nguyễn Văn Thử")
    citizen.get_by_label("Số điện thoại").fill("0900000001")
    citizen.get_by_label("Tiêu đề").fill("Chậm thẩm định hồ sơ công chứng")
    citizen.get_by_label("Nội dung phản ánh, kiến nghị").fill("Hồ sơ thành lập văn phòng công chứng bị chậm.")
    citizen.get_by_label("Mã thủ tục hành chính liên quan (nếu có)").fill(NOTARY)
    shot(citizen, "công dân gửi phản ánh")
    citizen.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    flash = citizen.get_by_role("status")
    expect(flash).to_contain_text("Sở Tư pháp")
    code = re.search(r"PAKN-\d{8}-[0-9A-F]{6}", flash.inner_text()).group(0)
    shot(citizen, "đã gửi")

    clerk = officer("chuyenvien.sotuphap")
    clerk.get_by_role("link", name="Phản ánh, kiến nghị").click()
    clerk.get_by_role("link", name=code).click()
    clerk.get_by_label("Loại phản ánh, kiến nghị").select_option("behaviour")
    clerk.get_by_role("button", name="Phân loại").click()
    expect(clerk.get_by_role("status")).to_contain_text("Đã phân loại")
    clerk.get_by_label("Nội dung trả lời").fill(
        "Sở Tư pháp đã đôn đốc thẩm định; hồ sơ được giải quyết ngay."
    )
    clerk.get_by_role("button", name="Trả lời", exact=True).click()
    expect(clerk.get_by_role("status")).to_contain_text("chờ lãnh đạo công khai")
    shot(clerk, "chuyên viên đã trả lời")

    leader = officer("lanhdao.sotuphap")
    leader.goto(f"/can-bo/phan-anh-kien-nghi/{code}/")
    leader.get_by_role("button", name="Công khai", exact=True).click()
    expect(leader.get_by_role("status")).to_contain_text("Đã công khai")
    shot(leader, "lãnh đạo công khai")

    reader = new_page(phone=True)
    reader.goto("/phan-anh-kien-nghi/")
    reader.get_by_label("Tìm trong các kết quả trả lời đã công khai").fill("cham tham dinh ho so cong chung")
    reader.get_by_role("button", name="Tìm kiếm").click()
    reader.get_by_role("link", name="Chậm thẩm định hồ sơ công chứng").click()
    expect(reader.get_by_role("heading", name="Kết quả trả lời")).to_be_visible()
    expect(reader.locator("main")).to_contain_text("hồ sơ được giải quyết ngay")
    shot(reader, "tìm thấy không dấu")


def test_r32_citizen_rates_his_finished_dossier_once(server, new_page, shot):
    citizen = new_page(phone=True)
    citizen.goto("/dang-nhap/?next=/ho-so-cua-toi/")
    citizen.get_by_label("Tên đăng nhập").fill("congdan1")
    citizen.get_by_label("Mật khẩu").fill("demo")
    citizen.get_by_role("button", name="Đăng nhập bằng mật khẩu").click()
    expect(citizen.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
    # The demo's returned dossier was handed in at the counter by the same person (motcua/demo).
    returned = server.manage(
        "shell",
        "-c",
        "from motcua.dossiers.models import Dossier; print(Dossier.objects.get("
        "applicant__identifier='075088000001', state='returned').code)",
    ).splitlines()[-1]
    citizen.get_by_role("link", name=returned).click()
    citizen.get_by_role("link", name="Đánh giá việc giải quyết hồ sơ").click()
    citizen.get_by_label("Không hài lòng").check()
    citizen.get_by_label("Ý kiến (không bắt buộc)").fill("Phải đi lại hai lần mới nhận được kết quả.")
    shot(citizen, "đánh giá hồ sơ")
    citizen.get_by_role("button", name="Gửi đánh giá").click()
    expect(citizen.get_by_role("status")).to_contain_text(
        f"Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ {returned}"
    )
    citizen.goto(f"/ho-so-cua-toi/{returned}/danh-gia/")
    expect(citizen.locator("main")).to_contain_text("Bạn đã đánh giá hồ sơ này")
    expect(citizen.locator("main")).to_contain_text("Không hài lòng")
    expect(citizen.get_by_role("button", name="Gửi đánh giá")).to_have_count(0)
    shot(citizen, "đã đánh giá")
