"""R-20: each unit's list of internal procedures not received in person, published from the
catalogue as a page and as an Excel file (never kept by hand)."""

import io
import re

from openpyxl import load_workbook

from motcua.catalog.models import OnlineLevel, Procedure

# Demo internal procedures (motcua/demo/data/procedures.json)
JUSTICE_ONLINE = "1.019903"  # Sở Tư pháp, partial online
FOREIGN_FULL = "1.019912"  # Sở Ngoại vụ, full online
HOME_PARTIAL = "1.019913"  # Sở Nội vụ, partial online
SCIENCE_FULL = "1.019922"  # Sở Khoa học và Công nghệ, full online
HOME_OFFLINE = "1.019914"  # Sở Nội vụ, no online service: received in person, not listed
FINANCE_OFFLINE = "1.019919"
ALL_LISTED = {JUSTICE_ONLINE, FOREIGN_FULL, HOME_PARTIAL, SCIENCE_FULL}


def listed(html: str) -> set[str]:
    return set(re.findall(r'<td data-label="Mã thủ tục" class="code">([\d.]+)</td>', html))


def test_r20_page_defaults_to_the_officers_unit(client_for):
    response = client_for("chuyenvien.sotuphap").get("/can-bo/thu-tuc-noi-bo/")
    assert response.status_code == 200
    html = response.content.decode()
    assert listed(html) == {JUSTICE_ONLINE}
    assert '<option value="000.00.05.H19" selected>Sở Tư pháp</option>' in html
    assert "Dịch vụ công trực tuyến một phần" in html
    assert "Thẩm định dự thảo quyết định quy phạm pháp luật" in html


def test_r20_page_per_unit_and_whole_province(client_for):
    client = client_for("tiepnhan.tinh")  # the Centre publishes no list of its own: the whole province
    assert listed(client.get("/can-bo/thu-tuc-noi-bo/").content.decode()) == ALL_LISTED
    assert listed(client.get("/can-bo/thu-tuc-noi-bo/", {"unit": "all"}).content.decode()) == ALL_LISTED
    home = client.get("/can-bo/thu-tuc-noi-bo/", {"unit": "000.00.02.H19"}).content.decode()
    assert listed(home) == {HOME_PARTIAL}  # 1.019914 has no online service: received in person
    assert HOME_OFFLINE not in home and FINANCE_OFFLINE not in home


def test_r20_list_follows_the_catalogue(client_for):
    # Never kept by hand: giving 1.019914 an online service puts it on Sở Nội vụ's list at once.
    Procedure.objects.filter(code=HOME_OFFLINE).update(online_level=OnlineLevel.FULL)
    html = client_for("chuyenvien.sonoivu").get("/can-bo/thu-tuc-noi-bo/").content.decode()
    assert listed(html) == {HOME_PARTIAL, HOME_OFFLINE}


def test_r20_excel_download(client_for):
    response = client_for("chuyenvien.sonoivu").get("/can-bo/thu-tuc-noi-bo.xlsx", {"unit": "all"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.isascii()
    assert re.fullmatch(
        r'attachment; filename="thu-tuc-noi-bo-khong-tiep-nhan-truc-tiep-toan-tinh-\d{8}\.xlsx"', disposition
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "DANH MỤC THỦ TỤC HÀNH CHÍNH NỘI BỘ KHÔNG TIẾP NHẬN HỒ SƠ TRỰC TIẾP"
    header = rows.index(next(r for r in rows if r[0] == "STT"))
    assert rows[header] == (
        "STT",
        "Mã thủ tục",
        "Tên thủ tục hành chính",
        "Lĩnh vực",
        "Mức độ dịch vụ công trực tuyến",
        "Cơ quan thực hiện",
        "Cơ quan có thẩm quyền quyết định",
    )
    body = [r for r in rows[header + 1 :] if r[0] is not None]
    assert [r[0] for r in body] == list(range(1, len(ALL_LISTED) + 1))
    assert {r[1] for r in body} == ALL_LISTED
    by_code = {r[1]: r for r in body}
    assert by_code[FOREIGN_FULL][4] == "Dịch vụ công trực tuyến toàn trình"
    assert by_code[FOREIGN_FULL][5] == "Sở Ngoại vụ"
    assert ws.column_dimensions["C"].width >= 50
    assert ws.freeze_panes == f"A{header + 2}"


def test_r20_excel_of_one_unit(client_for):
    response = client_for("chuyenvien.sotuphap").get("/can-bo/thu-tuc-noi-bo.xlsx")
    assert "000.00.05.H19" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    codes = {row[1] for row in ws.iter_rows(values_only=True) if isinstance(row[0], int)}
    assert codes == {JUSTICE_ONLINE}
    assert "Sở Tư pháp" in ws["A2"].value


def test_r20_unknown_unit_is_a_400_in_vietnamese(client_for):
    client = client_for("chuyenvien.sotuphap")
    for path in ("/can-bo/thu-tuc-noi-bo/", "/can-bo/thu-tuc-noi-bo.xlsx"):
        response = client.get(path, {"unit": "000.00.99.H19"})
        assert response.status_code == 400
        assert "Không có đơn vị này" in response.content.decode()
