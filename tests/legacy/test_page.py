"""R-25 back-office page /can-bo/ho-so-cu/: who may open it, what it lists, its Excel file, the close-out."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.dossiers.models import Dossier
from motcua.dossiers.states import State
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import at, user
from tests.legacy.kit import import_csv, row

PAGE = "/can-bo/ho-so-cu/"
JUSTICE_CODES = ["000.00.05.H19-241115-0001", "000.00.05.H19-241115-0002"]
CONSTRUCTION_CODE = "000.00.08.H19-241105-0003"


@pytest.fixture
def legacy_dossiers():
    report = import_csv(
        [
            row(JUSTICE_CODES[0]),
            row(JUSTICE_CODES[1], SoGiayTo="075099000302", NgayHenTra="01/12/2024 08:30"),
            row(CONSTRUCTION_CODE, MaTTHC="1.019905", MaDonVi="000.00.08.H19", SoGiayTo="075099000303"),
        ]
    )
    assert report.created == 3, report.lines()


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


@pytest.mark.parametrize(
    "username, status, listed",
    [
        ("vanphong.ubnd", 200, [*JUSTICE_CODES, CONSTRUCTION_CODE]),  # the provincial office: all units
        ("quantri", 200, [*JUSTICE_CODES, CONSTRUCTION_CODE]),  # an administrator
        ("lanhdao.sotuphap", 200, JUSTICE_CODES),  # a unit leader: their unit only
        ("lanhdao.soxaydung", 200, [CONSTRUCTION_CODE]),
        ("chuyenvien.sotuphap", 403, []),  # an officer
        ("tiepnhan.tinh", 403, []),
        ("truongphong.sotuphap", 403, []),
    ],
)
def test_r25_page_access_by_role(legacy_dossiers, username, status, listed):
    response = client_for(username).get(PAGE, {"cutoff": "2025-01-01"})
    assert response.status_code == status
    html = response.content.decode()
    for code in [*JUSTICE_CODES, CONSTRUCTION_CODE]:
        assert (f'href="/can-bo/ho-so/{code}/"' in html) == (code in listed), code
    # The menu offers the page to those who may open it only.
    assert (f'href="{PAGE}"' in html) == (status == 200)
    if status == 403:
        assert "Văn phòng UBND tỉnh, quản trị hệ thống và lãnh đạo đơn vị" in html


def test_r25_page_needs_a_signed_in_officer(legacy_dossiers):
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]


def test_r25_page_shows_counts_ages_and_links_each_dossier(legacy_dossiers):
    client = client_for("vanphong.ubnd")
    html = client.get(PAGE, {"cutoff": "2025-01-01"}).content.decode()
    assert "Tổng hợp: 3 hồ sơ tồn đọng tại 2 cơ quan, đơn vị" in html
    assert "Sở Tư pháp: 2 hồ sơ" in html and "Sở Xây dựng: 1 hồ sơ" in html
    assert "Văn bản số 522/UBND-HCC" in html
    # Before the first appointment nothing is listed.
    assert "Tổng hợp: 0 hồ sơ tồn đọng" in client.get(PAGE, {"cutoff": "2024-12-01"}).content.decode()
    # Each listed dossier opens for the reader.
    assert client.get(f"/can-bo/ho-so/{JUSTICE_CODES[0]}/").status_code == 200


def test_r25_page_refuses_a_bad_date(legacy_dossiers):
    response = client_for("vanphong.ubnd").get(PAGE, {"cutoff": "23/12/2024"})
    assert response.status_code == 400
    assert "Mốc rà soát phải là một ngày" in response.content.decode()


def test_r25_page_excel_download_is_readable(legacy_dossiers):
    response = client_for("lanhdao.sotuphap").get(PAGE, {"cutoff": "2025-01-01", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="ho-so-ton-dong-phan-mem-cu-moc-20250101-' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    listing = [r for r in book["Danh sách hồ sơ"].iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert [r[1] for r in listing] == [JUSTICE_CODES[1], JUSTICE_CODES[0]]  # oldest appointment first
    assert "Phạm vi: Sở Tư pháp" in book["Tổng hợp"]["A2"].value


def test_r25_page_costs_a_fixed_number_of_queries(legacy_dossiers, django_assert_max_num_queries):
    client = client_for("vanphong.ubnd")
    client.get(PAGE, {"cutoff": "2025-01-01"})
    with django_assert_max_num_queries(15) as few:
        client.get(PAGE, {"cutoff": "2025-01-01"})
    import_csv(
        [
            row(f"000.00.05.H19-241116-{n:04d}", SoGiayTo=f"0750990004{n:02d}", MaDonVi=unit)
            for n, unit in enumerate(["000.00.05.H19", "000.00.08.H19", "000.00.05.H10"] * 3, start=1)
        ]
    )
    with django_assert_max_num_queries(15) as many:
        response = client.get(PAGE, {"cutoff": "2025-01-01"})
    assert "Tổng hợp: 12 hồ sơ tồn đọng" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_r25_page_closes_a_dossier_out_and_comes_back_to_the_report(legacy_dossiers):
    client = client_for("lanhdao.sotuphap")
    d = Dossier.objects.get(code=JUSTICE_CODES[0])
    response = client.post(
        PAGE,
        {
            "code": d.code,
            "version": d.version,
            "outcome": "stopped",
            "reason": "Đã có Thông báo dừng số 15/TB-STP",
            "finished_at": "2025-01-10T09:30",  # the notice's date, Vietnam time
            "cutoff": "2025-01-01",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"{PAGE}?cutoff=2025-01-01", 302)]
    html = response.content.decode()
    assert f"Đã kết thúc hồ sơ {d.code}." in html
    assert f'href="/can-bo/ho-so/{d.code}/"' not in html
    d = Dossier.objects.get(pk=d.pk)
    assert (d.state, d.finished_at) == (State.STOPPED, at("2025-01-10 09:30"))


@pytest.mark.parametrize(
    "username, code, reason, finished_at, message",
    [
        ("lanhdao.sotuphap", JUSTICE_CODES[0], "ngắn", "", "Phải ghi rõ lý do"),
        (
            "lanhdao.sotuphap",
            JUSTICE_CODES[0],
            "Đã trả kết quả theo sổ",
            "20/06/2025",
            "Thời điểm kết thúc không hợp lệ",
        ),
        ("lanhdao.sotuphap", CONSTRUCTION_CODE, "Đã trả kết quả theo sổ", "", "Không tìm thấy hồ sơ"),
    ],
)
def test_r25_page_close_out_refusal_is_shown_and_changes_nothing(
    legacy_dossiers, username, code, reason, finished_at, message
):
    d = Dossier.objects.get(code=code)
    data = {
        "code": code,
        "version": d.version,
        "outcome": "returned",
        "reason": reason,
        "finished_at": finished_at,
    }
    response = client_for(username).post(PAGE, data, follow=True)
    assert message in response.content.decode()
    assert Dossier.objects.get(pk=d.pk).state == d.state


def test_r25_page_close_out_of_a_stale_page_is_refused(legacy_dossiers):
    d = Dossier.objects.get(code=JUSTICE_CODES[0])
    data = {
        "code": d.code,
        "version": d.version - 1,
        "outcome": "returned",
        "reason": "Đã trả kết quả theo sổ",
    }
    response = client_for("vanphong.ubnd").post(PAGE, data, follow=True)
    assert "đã được người khác cập nhật" in response.content.decode()
    assert Dossier.objects.get(pk=d.pk).state == State.PROCESSING


@pytest.mark.parametrize("path", ["/admin/legacy/legacyimport/", "/admin/legacy/legacydossier/"])
def test_r09_import_runs_and_provenance_are_readable_in_the_admin(legacy_dossiers, path):
    client = client_for("quantri")
    response = client.get(path)
    assert response.status_code == 200
    assert JUSTICE_CODES[0] in response.content.decode() or "ho-so-cu.csv" in response.content.decode()
    assert client.get(path + "add/").status_code == 403  # written by the import only
