"""R-22 "Tình hình đồng bộ Cổng DVCQG" (/can-bo/dong-bo/): who may open it, what it shows, the
lists behind its figures, and "Gửi lại" for a dead letter."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import OutboxMessage
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import at
from tests.sync_health.kit import CENTRE, FINANCE, JUSTICE, PROVINCE, WARD, WARD_CENTRE

PAGE = "/can-bo/dong-bo/"
MARCH = {"period": "month", "year": "2026", "month": "3"}
S = datetime.timedelta(seconds=1)


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', html)
    assert found, name
    return unescape(found.group(1)).strip()


def unit_row(html: str, code: str) -> str:
    found = re.search(rf'<tr data-unit="{re.escape(code)}"[^>]*>(.*?)</tr>', html, re.S)
    return found.group(1) if found else ""


def cells(row_html: str) -> list[str]:
    texts = re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", t))).strip() for t in texts]


@pytest.fixture
def march(kit):
    """Sở Tư pháp (via the Centre) 3 dossiers, 2 synced; the ward 2, 1 synced; one dead letter of
    Sở Tư pháp and one message waiting for the ward."""
    t = at("2026-03-10 09:00")
    justice = [kit.dossier(t + i * S) for i in range(3)]
    kit.message(justice[0], t, lag=4 * S)
    kit.message(justice[1], t, lag=10 * S)
    dead = kit.message(
        justice[2], t, dead=t + 60 * S, error="Thủ tục 1.019901 không có trên Cổng DVCQG", attempts=1
    )
    ward = [kit.dossier(t, receiving=WARD_CENTRE, deciding=WARD) for _ in range(2)]
    kit.message(ward[0], t, lag=2 * S)
    kit.message(ward[1], at("2026-03-11 09:00"))
    return {"justice": justice, "ward": ward, "dead": dead}


# --- who may open it -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["tiepnhan.tinh", "chuyenvien.sotuphap", "truongphong.sotuphap"])
def test_r22_counter_and_processing_officers_refused(client_for, username):
    client = client_for(username)
    response = client.get(PAGE)
    assert response.status_code == 403
    assert "Không có quyền" in response.content.decode()
    assert "Đồng bộ DVCQG" not in client.get("/can-bo/").content.decode()  # no menu item either
    assert client.get(PAGE + "chua-dong-bo/").status_code == 403
    assert client.post(PAGE + "gui-lai/", {"message": "1"}).status_code == 403


def test_r22_signed_out_goes_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]


@pytest.mark.parametrize("username", ["vanphong.ubnd", "quantri", "lanhdao.sotuphap", "canbo.trungtam"])
def test_r22_menu_item_for_the_roles_allowed(client_for, username):
    html = client_for(username).get("/can-bo/").content.decode()
    assert f'href="{PAGE}"' in html and "Đồng bộ DVCQG" in html


def test_r22_unit_leader_sees_only_their_units(client_for, march):
    client = client_for("lanhdao.sotuphap")
    response = client.get(PAGE, MARCH)
    html = response.content.decode()
    assert response.status_code == 200
    options = re.findall(
        r'<option value="([0-9A-Z.]+)"', html.split('id="sync-unit"')[1].split("</select>")[0]
    )
    assert options == [JUSTICE, JUSTICE.replace(".H19", ".H10")]  # and the unit merged into it
    assert "Sở Tư pháp — Tháng 3/2026" in html
    assert (figure(html, "received"), figure(html, "synced")) == ("3", "2")
    assert figure(html, "dead") == "1"
    assert "không có trên Cổng DVCQG" in html  # the reason, in Vietnamese
    assert "Gửi lại" not in html  # a unit leader reads, does not re-send
    for other in (PROVINCE, WARD, CENTRE):
        refused = client.get(PAGE, {**MARCH, "unit": other})
        assert refused.status_code == 400
        assert "Bạn không được xem đơn vị này." in refused.content.decode()
        assert 'data-figure="received"' not in refused.content.decode()


def test_r22_centre_staff_see_what_the_centre_received(client_for, march):
    html = client_for("canbo.trungtam").get(PAGE, MARCH).content.decode()
    assert "Trung tâm Phục vụ hành chính công tỉnh Đồng Nai — Tháng 3/2026" in html
    assert (figure(html, "received"), figure(html, "synced"), figure(html, "share")) == ("3", "2", "66,67 %")


# --- what it shows -----------------------------------------------------------------------------------


def test_r22_province_page_shows_the_figures(client_for, march):
    response = client_for("vanphong.ubnd").get(PAGE, {**MARCH, "unit": PROVINCE})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tình hình đồng bộ Cổng DVCQG" in html and "Ủy ban nhân dân tỉnh Đồng Nai — Tháng 3/2026" in html
    assert (figure(html, "received"), figure(html, "synced"), figure(html, "unsynced")) == ("5", "3", "2")
    assert figure(html, "share") == "60,00 %"
    assert figure(html, "points") == "3,60"  # 6 × 60 % of 6 points
    assert (figure(html, "lag-p50"), figure(html, "lag-p99"), figure(html, "delivered")) == (
        "4 giây",
        "10 giây",
        "3",
    )
    assert figure(html, "waiting") == "1"
    assert figure(html, "dead") == "1"
    # one row per child unit; the Centre received for Sở Tư pháp: both rows
    assert cells(unit_row(html, JUSTICE))[:6] == ["3", "2", "1", "66,67 %", "4,00", "0"]
    assert cells(unit_row(html, CENTRE))[:6] == ["3", "2", "1", "66,67 %", "4,00", "0"]
    ward = cells(unit_row(html, WARD))
    assert ward[:5] == ["2", "1", "1", "50,00 %", "3,00"]
    assert ward[5].startswith("1 cũ nhất ") and ward[6] == "0"  # waiting since 11/3, no dead letter
    assert cells(unit_row(html, FINANCE))[:5] == ["0", "0", "0", "N/A", "0,00"]
    assert "Gửi lại" in html  # the provincial office may re-send
    # each figure links to the dossiers behind it
    assert f'href="{PAGE}chua-dong-bo/?unit={PROVINCE}&amp;period=month&amp;year=2026&amp;month=3"' in html


def test_r22_default_period_is_this_month_and_periods_switch(client_for, march):
    client = client_for("vanphong.ubnd")
    html = client.get(PAGE).content.decode()
    today = timezone.localdate()
    assert f"Tháng {today.month}/{today.year}" in html
    quarter = client.get(PAGE, {"period": "quarter", "year": "2026", "quarter": "1"}).content.decode()
    assert "Quý I/2026" in quarter and figure(quarter, "received") == "5"
    year = client.get(PAGE, {"period": "year", "year": "2025"}).content.decode()
    assert "Năm 2025" in year and figure(year, "received") == "1"  # the engine-made template dossier
    span = client.get(PAGE, {"period": "range", "from_date": "2026-03-11", "to_date": "2026-03-31"})
    assert "Từ 11/03/2026 đến 31/03/2026" in span.content.decode()
    assert figure(span.content.decode(), "received") == "0"
    bad = client.get(PAGE, {"period": "range", "from_date": "2026-03-31", "to_date": "2026-03-01"})
    assert bad.status_code == 400 and "“Từ ngày” phải trước hoặc bằng “đến ngày”." in bad.content.decode()
    assert client.get(PAGE, {"period": "month", "month": "13"}).status_code == 400


def test_r22_unsynced_list_with_pagination(client_for, kit):
    t = at("2026-03-02 08:00")
    unsynced = [kit.dossier(t + i * S) for i in range(27)]
    synced = kit.synced(kit.dossier(t), t)
    client = client_for("vanphong.ubnd")
    first = client.get(PAGE + "chua-dong-bo/", {**MARCH, "unit": JUSTICE}).content.decode()
    second = client.get(PAGE + "chua-dong-bo/", {**MARCH, "unit": JUSTICE, "page": "2"}).content.decode()
    codes = re.findall(r'class="code">([^<]+)<', first) + re.findall(r'class="code">([^<]+)<', second)
    assert codes == [d.code for d in unsynced]  # the earliest reception first, each once
    assert synced.code not in first + second
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second
    received = client.get(PAGE + "tiep-nhan/", {**MARCH, "unit": JUSTICE, "page": "2"}).content.decode()
    assert len(re.findall(r'class="code">', received)) == 3  # 28 received: 25 + 3
    done = client.get(PAGE + "da-dong-bo/", {**MARCH, "unit": JUSTICE}).content.decode()
    assert re.findall(r'class="code">([^<]+)<', done) == [synced.code]


def test_r22_waiting_list_and_unit_leader_list_limited(client_for, march):
    html = client_for("vanphong.ubnd").get(PAGE + "ton-dong/", {**MARCH, "unit": PROVINCE}).content.decode()
    assert re.findall(r'class="code">([^<]+)<', html) == [march["ward"][1].code]
    refused = client_for("lanhdao.sotuphap").get(PAGE + "chua-dong-bo/", {**MARCH, "unit": WARD})
    assert refused.status_code == 400
    assert march["ward"][1].code not in refused.content.decode()


# --- "Gửi lại" -------------------------------------------------------------------------------------------


def test_r22_resend_requeues_a_dead_letter(client_for, march):
    dead = march["dead"]
    client = client_for("vanphong.ubnd")
    back = f"{PAGE}?unit={PROVINCE}&period=month&year=2026&month=3"
    response = client.post(PAGE + "gui-lai/", {"message": str(dead.pk), "next": back})
    assert response.status_code == 302 and response["Location"] == back
    dead.refresh_from_db()
    assert dead.dead_at is None and dead.delivered_at is None and dead.attempts == 0
    assert "không có trên Cổng DVCQG" in dead.last_error  # the earlier reason kept
    page = client.get(back).content.decode()
    assert "Đã đưa lại 1 bản tin vào hàng đợi gửi Cổng DVCQG." in page
    assert (figure(page, "dead"), figure(page, "waiting")) == ("0", "2")  # back in the queue


def test_r22_resend_ticked_rows_and_refusals(client_for, kit):
    t = at("2026-03-10 09:00")
    d = kit.dossier(t)
    letters = [kit.message(d, t + i * S, dead=t + 60 * S, error="Lỗi dữ liệu") for i in range(3)]
    leader = client_for("lanhdao.sotuphap").post(PAGE + "gui-lai/", {"message": str(letters[0].pk)})
    assert leader.status_code == 403  # a unit leader reads the list, the provincial office re-sends
    admin = client_for("quantri")
    admin.post(PAGE + "gui-lai/", {"selected": [str(letters[0].pk), str(letters[2].pk)]})
    assert [
        m.dead_at is None for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in letters]).order_by("pk")
    ] == [
        True,
        False,
        True,
    ]
    again = admin.post(PAGE + "gui-lai/", {"message": str(letters[0].pk)}, follow=True)
    assert "Không có bản tin lỗi nào bạn được gửi lại" in again.content.decode()
    nothing = admin.post(PAGE + "gui-lai/", {}, follow=True)
    assert "Hãy chọn bản tin lỗi cần gửi lại." in nothing.content.decode()
    assert admin.get(PAGE + "gui-lai/").status_code == 405
    outside = admin.post(PAGE + "gui-lai/", {"message": "1", "next": "https://example.org/"})
    assert outside["Location"] == reverse("backoffice:sync-health")  # never sent off-site


def test_r22_resend_needs_the_csrf_token(client_for, march):
    from django.test import Client

    from tests.dossiers.kit import user

    client = Client(enforce_csrf_checks=True)
    client.force_login(user("vanphong.ubnd"))
    assert client.post(PAGE + "gui-lai/", {"message": str(march["dead"].pk)}).status_code == 403
    march["dead"].refresh_from_db()
    assert march["dead"].dead_at is not None
    html = client.get(PAGE, {**MARCH, "unit": PROVINCE}).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html.split('id="sync-resend-form"')[1]
