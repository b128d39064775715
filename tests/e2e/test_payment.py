"""R-29 end to end: a citizen pays a dossier's fees on the payment platform simulator's page; the
platform confirms to our server (real server-to-server callback) and sends the browser back to a
"Đã thanh toán" page that reads our own state."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Server, demo_server
from tests.payments.paygov import PARTNER, SECRET, PayGovSimulator

CITIZEN = {"kind": "citizen", "identifier": "075088000001", "name": "Nguyễn Văn Thử"}


@pytest.fixture(scope="module")
def platform() -> Iterator[PayGovSimulator]:
    simulator = PayGovSimulator()
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, platform) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e-payment")
    app = demo_server(
        tmp,
        "e2e_payment",
        MOTCUA_PAYGOV_URL=platform.url,
        MOTCUA_PAYGOV_PARTNER=PARTNER,
        MOTCUA_PAYGOV_SECRET=SECRET,
    )
    with app.serving(tmp / "server.log"):
        yield app


def test_r29_citizen_pays_on_the_platform_page_and_sees_paid(server, platform, new_page, shot):
    status, dossier = server.api(
        "POST",
        "/api/v1/dossiers",
        {"procedure": "1.019904", "case": "TH1", "channel": "online", "applicant": CITIZEN},
        username="congdan1",
    )
    assert status == 201, dossier
    code = dossier["code"]
    server.python(
        "from motcua.dossiers.models import Dossier, DossierFee\n"
        f"d = Dossier.objects.get(code={code!r})\n"
        "DossierFee.objects.filter(dossier=d).delete()\n"
        "DossierFee.objects.create(dossier=d, kind='charge', amount=150000, description='Lệ phí')\n"
    )
    page = new_page()
    page.goto(f"/dang-nhap/?next=/thanh-toan/{code}/")
    page.get_by_label("Tên đăng nhập").fill("congdan1")
    page.get_by_label("Mật khẩu").fill("demo")
    page.get_by_role("button", name="Đăng nhập bằng mật khẩu").click()
    expect(page.locator("#tong-tien")).to_have_text("150.000 đồng")
    shot(page, "trang thanh toán")
    page.get_by_role("button", name="Thanh toán trực tuyến qua Cổng Dịch vụ công quốc gia").click()
    expect(page.get_by_role("heading", name="Nền tảng thanh toán (giả lập)")).to_be_visible()
    shot(page, "trang của nền tảng")
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    expect(page.get_by_role("heading", name="Đã thanh toán")).to_be_visible()
    shot(page, "đã thanh toán")
    assert platform.state()["callbacks_sent"] == 1
    assert platform.state()["callbacks"][0]["status"] == 200
    paid = server.python(
        "from motcua.dossiers.models import DossierFee\n"
        f"print(list(DossierFee.objects.filter(dossier__code={code!r}).values_list('paid_via', flat=True)))\n"
    )
    assert "dvcqg_platform" in paid
