"""R-22: what the portal is told — the full `HoSoDongBoDVC` record of REGULATIONS §6.4 built from
current data (in a constant number of queries), and the progress row each state change writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.documents.models import DocumentKind
from motcua.dossiers.models import Dossier
from motcua.dossiers.states import State
from motcua.sync.payload import dossier_records
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import act, at, doc, local, notary_processing, submit
from tests.sync_outbound.kit import national_messages, notary_history

# Every field of REGULATIONS §6.4 (core, lists, the newer 766-driven ones).
RECORD_FIELDS = {
    *[
        "MaHoSo",
        "MaTTHC",
        "TenTTHC",
        "MaLinhVuc",
        "TenLinhVuc",
        "KenhThucHien",
        "SoGiayToChuHoSo",
        "ChuHoSo",
        "LoaiDoiTuong",
    ],
    *[
        "MaDoiTuong",
        "ThongTinKhac",
        "Email",
        "Fax",
        "SoDienThoai",
        "TrichYeuHoSo",
        "NgayTiepNhan",
        "NgayHenTra",
    ],
    *["TrangThaiHoSo", "NgayTra", "ThongTinTra", "HinhThuc", "NgayKetThucXuLy", "DonViXuLy", "GhiChu"],
    *["TaiLieuNop", "DanhSachLePhi", "DanhSachTepDinhKemKhac", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua"],
    *["NoiNopHoSo", "HoSoCoThanhPhanSoHoa", "TaiKhoanDuocXacThucVoiVNeID", "DuocThanhToanTrucTuyen"],
    *["NgayTuChoi", "DinhDanhCHS", "NgayNopHoSo", "DSKetNoiCSDL"],
}
ROW_FIELDS = {
    *[
        "MaHoSo",
        "NguoiXuLy",
        "ChucDanh",
        "ThoiDiemXuLy",
        "PhongBanXuLy",
        "NoiDungXuLy",
        "TrangThai",
        "NgayBatDau",
    ],
    "NgayKetThucTheoQuyDinh",
    "MaBanTin",
    "SoThuTu",
}


def test_r22_the_record_has_every_field_of_the_national_record_from_current_data():
    d = notary_history(2, returned=True)
    Dossier.objects.filter(pk=d.pk).update(vneid_verified=True, applicant_tech_id="TECH-0001")
    d = Dossier.objects.get(pk=d.pk)

    record = dossier_records([d])[d.pk]

    assert set(record) == RECORD_FIELDS
    assert record["MaHoSo"] == d.code and record["MaTTHC"] == "1.019901"
    assert record["KenhThucHien"] == "2" and record["TrangThaiHoSo"] == "10"
    assert record["LoaiDoiTuong"] == "1" and record["MaDoiTuong"] == "TECH-0001"
    assert record["TaiKhoanDuocXacThucVoiVNeID"] == "1"
    assert record["DinhDanhCHS"] == [{"LoaiDinhDanh": "1", "SoDinhDanh": "075088000001"}]
    assert record["NgayNopHoSo"] == "20260302080000" and record["NgayTiepNhan"] == "20260302080000"
    assert record["NgayTra"] == "20260304090000" and record["NgayTuChoi"] == ""
    assert record["NoiNopHoSo"] == "2" and record["DSKetNoiCSDL"] == []
    # Not recorded yet (issue 12, the payment issue): said as "no", never guessed.
    assert record["DuocThanhToanTrucTuyen"] == "0" and record["HoSoCoThanhPhanSoHoa"] == "0"
    # The supplement asked for and handed in, with both appointments (REGULATIONS §2.4).
    (supplement,) = record["DanhSachHoSoBoSung"]
    assert supplement["TrangThaiBoSung"] == "1"
    assert "Đề án thành lập" in supplement["NoiDungBoSung"]
    assert supplement["NgayBoSung"] == "20260302090000"
    assert supplement["NgayTiepNhanBoSung"] == "20260302100000"
    assert supplement["NgayHenTraMoi"] and supplement["NgayHenTraTruoc"]
    assert supplement["NgayHenTraMoi"] != supplement["NgayHenTraTruoc"]
    # The result file with its link (indicators 4.1, 4.2).
    (result,) = record["DanhSachGiayToKetQua"]
    assert "/api/v1/national/files/" in result["DuongDanTepTinKetQua"]  # opened: test_r22_file_links
    assert record["DanhSachLePhi"] == [] or all(fee["Gia"] >= 0 for fee in record["DanhSachLePhi"])


def test_r22_records_of_many_dossiers_take_the_same_number_of_queries_as_one():
    first = notary_history(2, returned=True)
    with CaptureQueriesContext(connection) as one:
        dossier_records([first])
    others = [notary_history(5), notary_processing(at("2026-03-09 08:00"), channel="online")]
    with CaptureQueriesContext(connection) as many:
        records = dossier_records([first, *others])
    assert len(records) == 3
    assert len(many.captured_queries) == len(one.captured_queries) <= 5


def test_r22_a_refusal_dates_the_record_and_an_apology_keeps_the_synced_appointment():
    refused = submit("1.019901", now=at("2026-03-02 08:00"))
    refused = act(
        refused,
        "reject",
        "chuyenvien.sotuphap",
        now=at("2026-03-02 09:00"),
        reason="Không thuộc thẩm quyền",
        documents=[doc(DocumentKind.REFUSAL)],
    )
    late = notary_processing(at("2026-03-02 08:00"))
    due = late.due_at
    late = act(
        late,
        "apologise",
        "lanhdao.sotuphap",
        now=at("2026-03-26 08:00"),
        new_due_at=at("2026-04-06 08:00"),
        explanation="Hồ sơ phức tạp, phải xác minh tại hai địa phương",
        documents=[doc(DocumentKind.APOLOGY, signed=True)],
    )
    records = dossier_records([refused.pk, late.pk])

    assert refused.state == State.REJECTED
    assert records[refused.pk]["TrangThaiHoSo"] == "3"
    assert records[refused.pk]["NgayTuChoi"] == "20260302090000"
    assert records[late.pk]["NgayHenTra"] == local(due).strftime("%Y%m%d%H%M%S") != "20260406080000"
    assert "20260406080000" in records[late.pk]["GhiChu"]
    # The apology's row says the new date (what the portal shows of the event).
    row = national_messages(late).last().payload["TienDo"]
    assert "hẹn trả mới: 2026-04-06 08:00" in row["NoiDungXuLy"]


def test_r22_each_change_writes_one_progress_row_with_its_message_id_and_sequence():
    d = notary_history(2)
    messages = list(national_messages(d).select_related("event"))
    assert [m.event.seq for m in messages] == list(range(1, d.version + 1))
    for m in messages:
        row = m.payload["TienDo"]
        assert set(row) == ROW_FIELDS
        assert row["MaBanTin"] == str(m.message_id) and row["SoThuTu"] == m.event.seq
        assert len(row["NguoiXuLy"]) <= 50 and row["PhongBanXuLy"]
        assert row["TrangThai"] in {str(n) for n in range(1, 11)}
    # Who: the applicant submits and hands the supplement in; the officer's title otherwise.
    titles = [m.payload["TienDo"]["ChucDanh"] for m in messages]
    assert titles[0] == "Tổ chức, cá nhân nộp hồ sơ"
    assert titles[1] == "Cán bộ tiếp nhận (một cửa)"


@pytest.mark.parametrize("identifier, expected", [("075088000001", "1"), ("123456789", "2")])
def test_r22_the_applicants_identity_number_kind(identifier, expected):
    d = submit("1.019901", now=at("2026-03-02 08:00"))
    Dossier.objects.filter(pk=d.pk).update(applicant_identifier=identifier)
    assert dossier_records([d.pk])[d.pk]["DinhDanhCHS"] == [
        {"LoaiDinhDanh": expected, "SoDinhDanh": identifier}
    ]
