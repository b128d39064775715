"""The report pages (issue 10 item 5) over HTTP: who may open them (R-26), what they show, the
links from every figure to its dossiers, the Excel files read back with openpyxl, the R-10 PDF
read back with pdftotext, and clear Vietnamese 4xx answers for bad input."""

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.backoffice.views import reports as views
from motcua.index.reports import REPORTS, readable_reports
from tests.demo_province import on_demo  # noqa: F401 (fixture)
from tests.dossiers.kit import user
from tests.printing import pdf
from tests.reports.dataset import FINANCE, HOME_AFFAIRS, JUSTICE, WARD

Q1 = {"period": "quarter", "year": "2026", "quarter": "1"}
MARCH = {"period": "month", "year": "2026", "month": "3"}
PATHS = {r.url_name: f"/bao-cao/{r.slug}/" for r in REPORTS}
R10 = PATHS["report-quarterly"]
R16 = PATHS["report-consultations"]


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def figure_link(html: str, figure: str, row: str | None) -> str:
    """The link of `figure` on `row`'s line (a unit code), or on the total line (row None)."""
    for href in links(html):
        query = parse_qs(urlsplit(href).query)
        if query.get("figure") == [figure] and query.get("row", [None]) == [row]:
            return href
    raise AssertionError(f"no link for {figure} on {row}")


# --- who may read ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username, general, consultations",
    [
        ("vanphong.ubnd", 200, 200),  # the provincial office: the whole province
        ("quantri", 200, 200),  # an administrator
        ("lanhdao.sotuphap", 200, 200),  # a unit leader: their own unit
        ("noivu.danhgia", 403, 200),  # R-16: the Department of Home Affairs' evaluators
        ("chuyenvien.sotuphap", 403, 403),
        ("tiepnhan.tinh", 403, 403),
        ("truongphong.sotuphap", 403, 403),
    ],
)
def test_r26_report_pages_by_role(quarter, username, general, consultations):
    client = client_for(username)
    for report in REPORTS:
        expected = consultations if report.rule == "R-16" else general
        response = client.get(PATHS[report.url_name], Q1)
        assert response.status_code == expected, report.slug
        if expected == 403:
            assert "Không có quyền" in response.content.decode()
        listed = client.get(f"{PATHS[report.url_name]}ho-so/", {**Q1, "figure": "x"})
        assert listed.status_code == (403 if expected == 403 else 400)
    assert len(readable_reports(user(username))) == (
        len(REPORTS) if general == 200 else (1 if consultations == 200 else 0)
    )


def test_r26_report_pages_need_a_signed_in_officer(quarter):
    response = Client().get(R10)
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]
    assert client_for("congdan1").get(R10).status_code == 403  # a citizen has no officer role


def test_r26_unit_leader_reads_only_their_unit(quarter):
    client = client_for("lanhdao.sotuphap")
    html = client.get(R10, Q1).content.decode()
    assert "Sở Tư pháp" in html and "Sở Nội vụ" not in html and "phường Trấn Biên</th>" not in html
    refused = client.get(R10, {**Q1, "unit": HOME_AFFAIRS})
    assert refused.status_code == 400
    assert "Bạn không được xem báo cáo của đơn vị này." in refused.content.decode()
    # Even a hand-made link to another unit's row lists nothing of that unit.
    listed = client.get(f"{R10}ho-so/", {**Q1, "figure": "total", "row": HOME_AFFAIRS})
    assert listed.status_code == 200 and 'id="list-count">0<' in listed.content.decode()


# --- page, list, Excel, PDF ---------------------------------------------------------------------


def test_r10_page_links_each_count_to_its_dossiers(quarter):
    client = client_for("vanphong.ubnd")
    html = client.get(R10, Q1).content.decode()
    assert "Toàn tỉnh — Quý I/2026 (từ ngày 01/01/2026 đến ngày 31/03/2026)" in html
    # Sở Tư pháp: being handled late, C and T (the T paused after its deadline).
    listed = client.get(figure_link(html, "in_progress_late", JUSTICE)).content.decode()
    assert 'id="list-count">2<' in listed
    assert {quarter["C"], quarter["T"]} == set(
        re.findall(r'class="code" href="/can-bo/ho-so/([^/]+)/"', listed)
    )
    # The total line's link lists the province's: C T M N Q.
    total = client.get(figure_link(html, "in_progress_late", None)).content.decode()
    assert 'id="list-count">5<' in total
    # Every dossier listed opens for the reader.
    assert client.get(f"/can-bo/ho-so/{quarter['C']}/").status_code == 200


def test_r10_page_grouped_by_field_links_to_the_fields_dossiers(quarter):
    client = client_for("vanphong.ubnd")
    html = client.get(R10, {**Q1, "group": "field"}).content.decode()
    assert '<th scope="row" data-label="Lĩnh vực">Công chứng</th>' in html
    href = next(
        h
        for h in links(html)
        if parse_qs(urlsplit(h).query).get("field") == ["CONGCHUNG"] and "figure=total" in h
    )
    listed = client.get(href).content.decode()
    assert 'id="list-count">9<' in listed and "Lĩnh vực: Công chứng" in listed  # A–G, S, T, D
    back = re.search(r'<a href="([^"]+)">← ', listed)[1]
    assert "group=field" in unescape(back)  # back to the same grouping


def test_r10_lists_are_paginated(quarter, monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    client = client_for("vanphong.ubnd")
    first = client.get(f"{R10}ho-so/", {**Q1, "figure": "in_progress_late"}).content.decode()
    codes = re.findall(r'class="code" href="/can-bo/ho-so/([^/]+)/"', first)
    assert len(codes) == 2 and "Trang sau" in first and 'id="list-count">5<' in first
    third = client.get(f"{R10}ho-so/", {**Q1, "figure": "in_progress_late", "page": 3}).content.decode()
    assert len(re.findall(r'class="code" href="/can-bo/ho-so/', third)) == 1 and "Trang sau" not in third
    assert "Trang trước" in third and '<td data-label="STT">5</td>' in third


def test_r10_excel_reads_back(quarter):
    response = client_for("vanphong.ubnd").get(R10, {**Q1, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="bao-cao-ket-qua-giai-quyet-quy-1-2026-lap-' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Kết quả giải quyết"]
    sheet = book["Kết quả giải quyết"]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "KẾT QUẢ GIẢI QUYẾT TTHC THEO QUÝ"
    assert "Phạm vi: toàn tỉnh. Kỳ báo cáo: Quý I/2026" in rows[2][0]
    header = next(i for i, r in enumerate(rows) if r[1] == "Số hồ sơ nhận giải quyết")
    assert rows[header + 1][1:7] == (
        "Tổng số",
        "Kỳ trước chuyển qua",
        "Mới tiếp nhận",
        "Trực tuyến",
        "Trực tiếp",
        "Bưu chính công ích",
    )
    body = {r[0]: r for r in rows[header + 2 :]}
    justice = body["Sở Tư pháp"]
    assert justice[1:17] == (10, 1, 9, 1, 7, 1, 3, 2, 0, 1, 1, 5, 3, 2, 1, 1)
    assert round(justice[17], 2) == 66.67 and justice[18:20] == (1, 1)  # 2 of 3 in time; returned, rejected
    assert body["Tổng cộng"][1:3] == (17, 1)


def test_r10_pdf_reads_back_with_its_signature_block(quarter, tmp_path):
    response = client_for("vanphong.ubnd").get(R10, {**Q1, "format": "pdf", "unit": JUSTICE})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="bao-cao-ket-qua-giai-quyet-quy-1-2026-lap-' in response["Content-Disposition"]
    text = pdf.text(response.content, tmp_path)
    pdf.keep("bao-cao-r10-quy-1-2026", response.content)
    # The issuing unit's heading (the unit chosen, under its parent), the title, the period.
    assert "UBND TỈNH ĐỒNG NAI" in text and "SỞ TƯ PHÁP" in text
    assert "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
    assert "Quý I/2026 (từ ngày 01/01/2026 đến ngày 31/03/2026)" in text
    # Sở Tư pháp's line, figures in the form's order, and the total line.
    assert re.search(r"1 Sở Tư pháp 10 1 9 1 7 1 3 2 0 1 1 5 3 2 1 1 66,67 %", text), text
    assert re.search(r"Tổng cộng 10 1 9 1 7 1 3 2 0 1 1 5 3 2 1 1 66,67 %", text)
    assert "đã trả kết quả 1 hồ sơ; từ chối tiếp nhận 1 hồ sơ" in pdf.raw(response.content, tmp_path)
    # Signed by whoever made it and by the head of the unit.
    flat = pdf.flat(response.content, tmp_path)
    for words in ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)", "Trần Thị Hoa"):
        assert pdf.squash(words) in flat
    assert pdf.info(response.content, tmp_path)["Pages"] == "1"


def test_r10_pdf_only_for_the_quarterly_report(quarter):
    response = client_for("vanphong.ubnd").get(PATHS["report-online"], {**Q1, "format": "pdf"})
    assert response.status_code == 400 and "Định dạng tải về không hợp lệ" in response.content.decode()


# --- every report: page and Excel ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name, params, figure, row, count, sheets",
    [
        (
            "report-online",
            {**Q1, "since": "2026-02-01"},
            "online",
            None,
            2,
            ["Tỷ lệ trực tuyến", "Theo mức độ DVC", "DVC trực tuyến", "Không có hồ sơ trực tuyến"],
        ),
        ("report-consultations", Q1, "late", FINANCE, 2, ["Theo đơn vị", "Theo cán bộ"]),
        ("report-late", MARCH, "late", HOME_AFFAIRS, 3, ["Theo đơn vị", "Theo cán bộ", "Theo bước xử lý"]),
        ("report-internal", Q1, "online", None, 1, ["Thủ tục nội bộ", "Lượt từ chối (R-19)"]),
        ("report-on-the-spot", Q1, "on_the_spot", WARD, 1, ["Giải quyết tại chỗ"]),
        ("report-supplements", Q1, "repeated", WARD, 1, ["Theo đơn vị", "Theo thủ tục"]),
    ],
)
def test_report_page_links_and_excel(quarter, url_name, params, figure, row, count, sheets):
    client = client_for("vanphong.ubnd")
    response = client.get(PATHS[url_name], params)
    assert response.status_code == 200
    html = response.content.decode()
    listed = client.get(figure_link(html, figure, row)).content.decode()
    assert f'id="list-count">{count}<' in listed
    book = load_workbook(io.BytesIO(client.get(PATHS[url_name], {**params, "format": "xlsx"}).content))
    assert book.sheetnames == sheets


def test_r05_page_lists_units_without_online_dossiers_and_the_targets(quarter, settings):
    settings.MOTCUA_ONLINE_TARGETS = {"*": 10}
    client = client_for("vanphong.ubnd")
    html = client.get(PATHS["report-online"], {**Q1, "since": "2026-02-01"}).content.decode()
    assert "Đơn vị không phát sinh hồ sơ trực tuyến từ ngày 01/02/2026 (R-05)" in html
    zero = html.split('id="khong-co-truc-tuyen"')[1].split("</table>")[0]
    assert "Sở Tư pháp" in zero and "05/01/2026 10:00" in zero  # B, its last online dossier
    assert "Sở Ngoại vụ" not in zero  # Q, 09/03
    shares = html.split('id="ty-le-truc-tuyen"')[1].split("</table>")[0]
    assert "11,11 %" in shares and "Đạt" in shares and "Chưa đạt" in shares
    book = load_workbook(io.BytesIO(client.get(PATHS["report-online"], {**Q1, "format": "xlsx"}).content))
    rows = list(book["Tỷ lệ trực tuyến"].iter_rows(values_only=True))
    justice = next(r for r in rows if r[0] == "Sở Tư pháp")
    assert justice[1:5] == (9, 1, 7, 1) and round(justice[5], 2) == 11.11 and justice[7] == "Đạt"


def test_r16_home_affairs_reads_late_replies_per_officer(quarter):
    html = client_for("noivu.danhgia").get(R16, Q1).content.decode()
    officers = html.split('id="theo-can-bo"')[1].split("</table>")[0]
    assert "Võ Văn Khoa" in officers and "Sở Tài chính" in officers
    href = next(h for h in links(officers) if parse_qs(urlsplit(h).query).get("figure") == ["answered_late"])
    listed = client_for("noivu.danhgia").get(href).content.decode()
    assert 'id="list-count">1<' in listed and quarter["M"] in listed


def test_r21_page_shows_the_refused_attempts_table(quarter):
    html = client_for("vanphong.ubnd").get(PATHS["report-internal"], Q1).content.decode()
    assert "Lượt từ chối tiếp nhận trực tiếp thủ tục nội bộ (R-19): 0" in html
    assert "Không có lượt từ chối nào được ghi nhận trong kỳ." in html


def test_r27_officer_without_handler_links_to_the_open_steps(quarter):
    client = client_for("vanphong.ubnd")
    html = client.get(PATHS["report-late"], MARCH).content.decode()
    officers = html.split('id="theo-can-bo"')[1].split("</table>")[0]
    href = next(h for h in links(officers) if "officer=-" in h and f"row={HOME_AFFAIRS}" in h)
    listed = client.get(href).content.decode()
    assert 'id="list-count">3<' in listed and "Chưa có người nhận xử lý" in listed


# --- bad input: Vietnamese 4xx, never a 500 ------------------------------------------------------------


@pytest.mark.parametrize(
    "path, params, message",
    [
        (R10, {"period": "week"}, "Kỳ báo cáo không hợp lệ."),
        (R10, {"period": "month", "month": "13"}, "Tháng không hợp lệ."),
        (R10, {"period": "year", "year": "abc"}, "Năm không hợp lệ"),
        (R10, {"period": "year", "year": "99999"}, "Năm không hợp lệ"),
        (
            R10,
            {"period": "range", "from_date": "2026-03-31", "to_date": "2026-03-01"},
            "“Từ ngày” phải trước",
        ),
        (
            R10,
            {"period": "range", "from_date": "31/02/2026", "to_date": "2026-03-01"},
            "“Từ ngày” không hợp lệ",
        ),
        (R10, {"period": "range"}, "Hãy chọn “từ ngày” và “đến ngày”."),
        (R10, {"unit": "khong-co"}, "Bạn không được xem báo cáo của đơn vị này."),
        (R10, {"group": "x"}, "Cách nhóm không hợp lệ."),
        (R10, {"format": "doc"}, "Định dạng tải về không hợp lệ"),
        (PATHS["report-online"], {"since": "hôm qua"}, "Ngày mốc không hợp lệ"),
        (f"{R10}ho-so/", {"figure": "khong-co"}, "Không có số liệu này trong báo cáo."),
        (f"{R10}ho-so/", {"figure": "total", "row": "000.99.99.H19"}, "Không có đơn vị này."),
        (f"{R10}ho-so/", {"figure": "total", "page": "0"}, "Số trang không hợp lệ."),
        (f"{PATHS['report-late']}ho-so/", {"figure": "late", "officer": "abc"}, "Mã cán bộ không hợp lệ."),
        (
            f"{PATHS['report-late']}ho-so/",
            {"figure": "late", "step": "x" * 300},
            "Tham số danh sách không hợp lệ.",
        ),
        # A NUL character is refused before any view (core middleware), in Vietnamese too.
        (f"{PATHS['report-late']}ho-so/", {"figure": "late", "step": "x\x00"}, "không hợp lệ"),
    ],
)
def test_bad_input_gets_a_vietnamese_400(quarter, path, params, message):
    response = client_for("vanphong.ubnd").get(path, params)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())


def test_report_pages_refuse_post(quarter):
    assert client_for("vanphong.ubnd").post(R10, Q1).status_code == 405
