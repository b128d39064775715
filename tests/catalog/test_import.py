"""Import of the national catalogue (`LayThuTuc`, reference §3.1) — R-07, R-09, R-24."""

import datetime
import unicodedata
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.calendar.units import DurationUnit
from motcua.catalog import national_import
from motcua.catalog.models import (
    AgencyRole,
    CaseDuration,
    Channel,
    Fee,
    FeeKind,
    Field,
    LegalBasis,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ProcedureLevel,
    ProcedureLevelLink,
    ProcedureUnit,
    RequiredDocument,
    ResultDocument,
)
from motcua.core.errors import InvalidInput
from tests.catalog.conftest import payload_of

MODELS = (
    Field,
    Procedure,
    ProcedureLevelLink,
    ProcedureUnit,
    ProcedureCase,
    CaseDuration,
    Fee,
    RequiredDocument,
    ResultDocument,
    LegalBasis,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def minimal(code: str = "1.000001", **extra) -> dict:
    return {"MaTTHC": code, "TENTTHC": "Đăng ký khai sinh", **extra}


# --- idempotency ------------------------------------------------------------------------------


def test_import_twice_creates_nothing_new(units, payloads):
    first = national_import.import_catalog(payloads)
    assert (first.created, first.updated, first.unchanged, first.errors) == (3, 0, 0, [])
    after_first = counts()
    second = national_import.import_catalog(payloads)
    assert (second.created, second.updated, second.unchanged, second.errors) == (0, 0, 3, [])
    assert counts() == after_first
    assert after_first["Procedure"] == 3


def test_unchanged_import_writes_nothing(imported, payloads):
    procedure = Procedure.objects.get(code="2.000488")
    stamp = procedure.updated_at
    with CaptureQueriesContext(connection) as queries:
        outcome = national_import.import_procedure(payload_of(payloads, "2.000488"))
    assert (outcome.created, outcome.changed) == (False, False)
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    procedure.refresh_from_db()
    assert procedure.updated_at == stamp


def test_changed_payload_updates_and_replaces_children(imported, payloads):
    payload = payload_of(payloads, "1.009972")
    payload["TENTTHC"] = "Cấp giấy phép xây dựng mới đối với công trình cấp I, cấp II"
    payload["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["THOIGIANGIAIQUYET"] = "15"
    payload["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] = "75.000"
    payload["THANHPHANHOSO"][0]["GIAYTO"].pop()
    payload["CANCUPHAPLY"] = payload["CANCUPHAPLY"][:1]
    payload["KETQUATHUCHIEN"].append(
        {"MAKETQUA": "KQ.G12.00816", "TENKETQUA": "Giấy phép xây dựng có thời hạn"}
    )
    case_id = ProcedureCase.objects.get(procedure__code="1.009972").pk

    report = national_import.import_catalog([payload])

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    procedure = Procedure.objects.get(code="1.009972")
    assert procedure.name == "Cấp giấy phép xây dựng mới đối với công trình cấp I, cấp II"
    case = procedure.cases.get()
    assert case.pk == case_id  # cases keep their identity (processes hang on them)
    counter = case.durations.get(channel=Channel.COUNTER)
    assert counter.value == Decimal("15")
    assert case.durations.get(channel=Channel.ONLINE).value == Decimal("20")
    assert sorted(case.fees.values_list("channel", "amount")) == [("counter", 75000), ("online", 150000)]
    assert list(case.documents.values_list("code", flat=True)) == ["GT.XD.01"]
    assert list(procedure.legal_bases.values_list("number", flat=True)) == ["50/2014/QH13"]
    assert procedure.results.count() == 2
    assert procedure.national_payload["TENTTHC"] == payload["TENTTHC"]
    assert Procedure.objects.count() == 3


def test_case_renamed_nationally_replaces_old_case_and_never_reuses_its_code(imported, payloads):
    payload = payload_of(payloads, "2.000488")
    for key in ("TRINHTUTHUCHIEN", "THANHPHANHOSO"):
        payload[key][1]["TRUONGHOP"] = "Người nước ngoài"
    payload["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][1]["TRUONGHOP"] = "Người nước ngoài"
    national_import.import_procedure(payload)
    names = list(ProcedureCase.objects.filter(procedure__code="2.000488").values_list("code", "name"))
    assert names == [("TH1", "Công dân Việt Nam"), ("TH3", "Người nước ngoài")]


# --- field mapping ----------------------------------------------------------------------------


def test_procedure_fields_are_mapped(imported):
    assert imported.errors == []
    p = Procedure.objects.get(code="2.000488")
    assert (
        p.name == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
    )
    assert (p.field.code, p.field.name) == ("G09-TP07", "Lý lịch tư pháp")
    assert p.applicants_text == "Công dân Việt Nam; Người nước ngoài"
    assert p.agency_text == "Sở Tư pháp tỉnh Đồng Nai"
    assert p.conditions_text == "Không có"
    assert p.publication_decision == "2487/QĐ-BTP"
    assert p.published is True
    assert p.result_text == "Phiếu lý lịch tư pháp số 1; Phiếu lý lịch tư pháp số 2"
    assert p.steps_text.splitlines()[0] == "Công dân Việt Nam:"
    assert "Bước 2: Sở Tư pháp tra cứu, xác minh thông tin lý lịch tư pháp." in p.steps_text
    assert "Trực tiếp: 10 Ngày làm việc" in p.methods_text
    assert p.national_payload["MaTTHC"] == "2.000488"
    assert p.national_payload["TUKHOA"] == "lý lịch tư pháp"
    assert list(p.levels.values_list("level", flat=True)) == [ProcedureLevel.PROVINCE]
    # No MOTCUA block: the model's defaults.
    assert (p.internal, p.on_the_spot, p.online_level, p.has_result_document) == (
        False,
        False,
        OnlineLevel.NONE,
        True,
    )


def test_agency_text_falls_back_to_implementing_units_and_applicant_description_is_kept(imported):
    assert Procedure.objects.get(code="1.009972").agency_text == "Sở Xây dựng"
    assert Procedure.objects.get(code="1.012876").applicants_text == (
        "Cơ quan nhà nước\nCơ quan, tổ chức hành chính thuộc Ủy ban nhân dân tỉnh"
    )


def test_key_spelling_matthc_and_levels_without_diacritics(imported):
    p = Procedure.objects.get(code="1.009972")  # the payload spells MATTHC and "CAP TINH"
    assert list(p.levels.values_list("level", flat=True)) == [ProcedureLevel.PROVINCE]
    assert set(Procedure.objects.get(code="1.012876").levels.values_list("level", flat=True)) == {
        ProcedureLevel.PROVINCE,
        ProcedureLevel.COMMUNE,
    }


def test_cases_from_truonghop_with_case_specific_time(imported):
    p = Procedure.objects.get(code="2.000488")
    citizen, foreigner = p.cases.order_by("order")
    assert (citizen.code, citizen.name) == ("TH1", "Công dân Việt Nam")
    assert (foreigner.code, foreigner.name) == ("TH2", "Người nước ngoài đang cư trú tại Việt Nam")

    def times(case):
        return {d.channel: (d.value, d.unit) for d in case.durations.all()}

    ten = (Decimal("10"), DurationUnit.WORKING_DAYS)
    assert times(citizen) == {"counter": ten, "online": ten, "postal": ten}
    # The THOIGIAN entry naming the case overrides the general one on its channel only.
    assert times(foreigner) == {
        "counter": (Decimal("15"), DurationUnit.WORKING_DAYS),
        "online": ten,
        "postal": ten,
    }
    assert (
        foreigner.durations.get(channel="counter").description
        == "Trường hợp phải xác minh tại nhiều nơi cư trú"
    )


def test_fees_per_channel_amount_and_kind(imported):
    citizen = ProcedureCase.objects.get(procedure__code="2.000488", code="TH1")
    fees = {(f.channel, f.code): (f.amount, f.kind) for f in citizen.fees.all()}
    assert fees == {
        ("counter", "PLLTP01"): (200000, FeeKind.FEE),
        ("online", "PLLTP02"): (100000, FeeKind.FEE),
    }
    building = ProcedureCase.objects.get(procedure__code="1.009972")
    assert {(f.channel, f.amount, f.kind) for f in building.fees.all()} == {
        ("counter", 150000, FeeKind.CHARGE),  # "150000"
        ("online", 150000, FeeKind.CHARGE),  # "150.000"
    }
    assert building.fees.first().description == "Lệ phí cấp giấy phép xây dựng"
    # "0 đồng" means free of charge: nothing to collect.
    assert not Fee.objects.filter(case__procedure__code="1.012876").exists()


def test_single_default_case_when_no_truonghop(imported):
    case = ProcedureCase.objects.get(procedure__code="1.009972")
    assert (case.code, case.name) == ("TH1", "Trường hợp chung")


def test_months_become_thirty_calendar_days_with_a_warning(imported):
    duration = CaseDuration.objects.get(case__procedure__code="1.012876")
    assert (duration.channel, duration.value, duration.unit) == (
        "online",
        Decimal("30"),
        DurationUnit.CALENDAR_DAYS,
    )
    assert any(w.startswith("1.012876:") and "30 ngày/tháng" in w for w in imported.warnings)


def test_required_documents(imported):
    foreigner = ProcedureCase.objects.get(procedure__code="2.000488", code="TH2")
    docs = list(foreigner.documents.order_by("order"))
    assert [(d.order, d.code, d.originals, d.copies) for d in docs] == [
        (1, "GT.LLTP.01", 1, 0),
        (2, "GT.LLTP.03", 0, 1),
    ]
    assert docs[0].form_name == "Mẫu số 03/2013/TT-LLTP"
    assert docs[0].form_url.startswith("https://csdl.dichvucong.gov.vn/")
    assert docs[1].form_url == ""  # "không có" is not a link
    assert any("không có" in w and "đường dẫn" in w for w in imported.warnings)
    # A THANHPHANHOSO block without TRUONGHOP belongs to the (single) case.
    building = ProcedureCase.objects.get(procedure__code="1.009972")
    assert list(building.documents.values_list("originals", flat=True)) == [1, 2]


def test_results_and_legal_bases_with_both_date_forms(imported):
    p = Procedure.objects.get(code="2.000488")
    assert sorted(p.results.values_list("code", "name")) == [
        ("KQ.G09.000488", "Phiếu lý lịch tư pháp số 1"),
        ("KQ.G09.000489", "Phiếu lý lịch tư pháp số 2"),
    ]
    law = p.legal_bases.get(number="28/2009/QH12")
    assert (law.title, law.issuer, law.issued_on, law.effective_on) == (
        "Luật Lý lịch tư pháp",
        "Quốc hội",
        datetime.date(2009, 6, 17),
        datetime.date(2010, 7, 1),
    )
    circular = p.legal_bases.get(number="244/2016/TT-BTC")
    assert (circular.issued_on, circular.effective_on) == (
        datetime.date(2016, 11, 11),
        datetime.date(2017, 1, 1),
    )
    assert circular.url == "https://vbpl.vn/botaichinh/Pages/vbpq-toanvan.aspx?ItemID=118880"


def test_units_linked_by_code_and_unknown_code_is_a_warning(imported, justice_dept, province):
    links = {(link.unit.code, link.role) for link in ProcedureUnit.objects.filter(procedure__code="2.000488")}
    assert links == {("000.00.05.H19", AgencyRole.IMPLEMENTING), ("000.00.05.H19", AgencyRole.COMPETENT)}
    assert any(w.startswith("2.000488:") and "000.00.77.H19" in w for w in imported.warnings)
    assert ProcedureUnit.objects.get(procedure__code="1.012876", role=AgencyRole.COMPETENT).unit == province


def test_local_block_sets_flags(imported):
    internal = Procedure.objects.get(code="1.012876")
    assert (internal.internal, internal.online_level, internal.on_the_spot, internal.has_result_document) == (
        True,
        OnlineLevel.FULL,
        False,
        True,
    )
    assert "MOTCUA" not in internal.national_payload  # ours, not the nation's
    assert Procedure.objects.get(code="1.009972").online_level == OnlineLevel.PARTIAL


def test_national_reimport_without_local_block_keeps_local_flags(imported, payloads):
    payload = payload_of(payloads, "1.012876")
    del payload["MOTCUA"]
    outcome = national_import.import_procedure(payload)
    assert outcome.changed is False
    p = Procedure.objects.get(code="1.012876")
    assert (p.internal, p.online_level) == (True, OnlineLevel.FULL)
    # Flags set in the admin survive too.
    Procedure.objects.filter(code="2.000488").update(on_the_spot=True)
    national_import.import_procedure(payload_of(payloads, "2.000488"))
    assert Procedure.objects.get(code="2.000488").on_the_spot is True


@pytest.mark.parametrize("status", [0, "2", "0"])
def test_trangthai_other_than_1_is_not_published(db, status):
    national_import.import_procedure(minimal(TRANGTHAI=status))
    assert Procedure.objects.get(code="1.000001").published is False


def test_text_is_stored_nfc(db):
    decomposed = unicodedata.normalize("NFD", "Đăng ký kết hôn")
    national_import.import_procedure(
        minimal(TENTTHC=decomposed, YEUCAU=unicodedata.normalize("NFD", "Không có"))
    )
    p = Procedure.objects.get(code="1.000001")
    assert p.name == "Đăng ký kết hôn"
    assert p.conditions_text == "Không có"
    assert p.search_text == "1.000001 dang ky ket hon"


@pytest.mark.parametrize(
    ("sotien", "amount"),
    [
        ("50.000", 50000),
        ("50000", 50000),
        (50000, 50000),
        ("1.500.000", 1500000),
        ("50,000", 50000),
        ("50.000 đồng", 50000),
    ],
)
def test_fee_amount_forms(db, sotien, amount):
    payload = minimal(
        CACHTHUCTHUCHIEN=[
            {
                "KENH": "1",
                "THOIGIAN": [
                    {
                        "THOIGIANGIAIQUYET": "5",
                        "DONVITINH": "Ngày làm việc",
                        "PHILEPHI": [{"SOTIEN": sotien, "DONVI": "Đồng", "MOTA": "Lệ phí đăng ký"}],
                    }
                ],
            }
        ]
    )
    national_import.import_procedure(payload)
    assert Fee.objects.get().amount == amount


@pytest.mark.parametrize(
    ("donvitinh", "value", "unit"),
    [
        ("Ngày làm việc", Decimal("3"), DurationUnit.WORKING_DAYS),
        ("ngay lam viec", Decimal("3"), DurationUnit.WORKING_DAYS),
        ("Ngày", Decimal("3"), DurationUnit.CALENDAR_DAYS),
        ("Giờ", Decimal("3"), DurationUnit.WORKING_HOURS),
        ("Giờ làm việc", Decimal("3"), DurationUnit.WORKING_HOURS),
        ("Tháng", Decimal("90"), DurationUnit.CALENDAR_DAYS),
    ],
)
def test_duration_units(db, donvitinh, value, unit):
    payload = minimal(
        CACHTHUCTHUCHIEN=[{"KENH": "2", "THOIGIAN": [{"THOIGIANGIAIQUYET": "3", "DONVITINH": donvitinh}]}]
    )
    national_import.import_procedure(payload)
    duration = CaseDuration.objects.get()
    assert (duration.channel, duration.value, duration.unit) == (Channel.ONLINE, value, unit)


def test_unreadable_time_and_unknown_unit_are_warnings(db):
    outcome = national_import.import_procedure(
        minimal(
            CACHTHUCTHUCHIEN=[
                {"KENH": "1", "THOIGIAN": [{"THOIGIANGIAIQUYET": "", "DONVITINH": "Ngày làm việc"}]},
                {"KENH": "2", "THOIGIAN": [{"THOIGIANGIAIQUYET": "2", "DONVITINH": "Năm"}]},
                {"KENH": "9", "THOIGIAN": []},
            ]
        )
    )
    assert not CaseDuration.objects.exists()
    assert len(outcome.warnings) >= 3
    assert any("Năm" in w for w in outcome.warnings)


def test_thoigian_naming_an_unknown_case_creates_it(db):
    outcome = national_import.import_procedure(
        minimal(
            CACHTHUCTHUCHIEN=[
                {
                    "KENH": "1",
                    "THOIGIAN": [
                        {"THOIGIANGIAIQUYET": "5", "DONVITINH": "Ngày làm việc"},
                        {"TRUONGHOP": "Đăng ký lại", "THOIGIANGIAIQUYET": "8", "DONVITINH": "Ngày làm việc"},
                    ],
                }
            ]
        )
    )
    case = ProcedureCase.objects.get(name="Đăng ký lại")
    assert case.durations.get().value == Decimal("8")
    assert any("Đăng ký lại" in w for w in outcome.warnings)


def test_missing_field_goes_to_the_unclassified_field(db):
    outcome = national_import.import_procedure(minimal())
    assert Procedure.objects.get().field.code == "KHAC"
    assert any("lĩnh vực" in w for w in outcome.warnings)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"TENTTHC": "Đăng ký khai sinh"}, "thiếu mã thủ tục"),
        ({"MaTTHC": "1.000001", "TENTTHC": "  "}, "thiếu tên thủ tục"),
        ({"MaTTHC": "1.000 001", "TENTTHC": "Đăng ký khai sinh"}, "không hợp lệ"),
        ({"MaTTHC": "1.000001", "TENTTHC": "X", "MOTCUA": {"online_level": "4"}}, "online_level"),
        ({"MaTTHC": "1.000001", "TENTTHC": "X", "MOTCUA": {"internal": "có"}}, "true hoặc false"),
        ("không phải JSON", "đối tượng JSON"),
    ],
)
def test_invalid_payload_is_refused_in_vietnamese(db, payload, message):
    with pytest.raises(InvalidInput) as exc:
        national_import.import_procedure(payload)
    assert message in exc.value.message
    assert not Procedure.objects.exists()


def test_batch_reports_errors_and_goes_on(units, payloads):
    report = national_import.import_catalog([{"TENTTHC": "Không có mã"}, *payloads, {"MaTTHC": "1.000002"}])
    assert report.created == 3
    assert report.errors == [
        "Gói tin thứ 1: Gói tin thủ tục thiếu mã thủ tục (MaTTHC).",
        "1.000002: Thủ tục 1.000002 thiếu tên thủ tục (TENTTHC).",
    ]
    assert Procedure.objects.count() == 3


def test_a_failing_procedure_is_rolled_back_alone(units, payloads, monkeypatch):
    real_sync = national_import._sync_cases

    def boom(procedure, plans, warnings):
        if procedure.code == "1.009972":
            raise InvalidInput("Lỗi thử nghiệm.")
        return real_sync(procedure, plans, warnings)

    monkeypatch.setattr(national_import, "_sync_cases", boom)
    report = national_import.import_catalog(payloads)
    assert report.created == 2
    assert report.errors == ["1.009972: Lỗi thử nghiệm."]
    assert not Procedure.objects.filter(code="1.009972").exists()
    assert not ProcedureLevelLink.objects.filter(procedure__code="1.009972").exists()
