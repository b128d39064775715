"""Catalogue sync from the national portal (R-09): review first, nothing written; apply what was
chosen; refuse a stale review. Against the simulator, a separate process, over real HTTP."""

import copy
from decimal import Decimal

import pytest

from motcua.catalog import national_sync
from motcua.catalog.models import CatalogSyncRun, Channel, Fee, Procedure
from motcua.core.errors import InvalidInput, RuleViolation
from motcua.integrations import registry
from tests.catalog_sync.conftest import (
    BUILDING,
    FOREIGNER,
    NEW_CODE,
    POSTS,
    RECORD,
    by_code,
    catalogue_rows,
    change_of,
    counter_fee,
    entry_of,
    foreigner_counter_days,
    new_procedure,
    publish_changes,
)

# --- review: differences listed, nothing written -----------------------------------------------


def test_r09_review_lists_differences_without_changing_the_catalogue(portal, catalogue, admin_user):
    publish_changes(portal, catalogue)
    before = catalogue_rows()
    stamps = dict(Procedure.objects.values_list("code", "updated_at"))

    run = national_sync.fetch_from_portal(actor=admin_user)

    assert catalogue_rows() == before
    assert dict(Procedure.objects.values_list("code", "updated_at")) == stamps
    assert not Procedure.objects.filter(code=NEW_CODE).exists()
    assert {e["code"]: e["kind"] for e in run.differences} == {
        BUILDING: "changed",
        RECORD: "changed",
        NEW_CODE: "new",
        POSTS: "removed",
    }
    run.refresh_from_db()
    assert (run.status, run.source, run.fetched_by) == ("pending", "portal", admin_user)
    assert run.source_name == portal.url
    assert set(run.payloads) == {BUILDING, RECORD, NEW_CODE}
    assert run.payloads[BUILDING]["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] == "175.000"
    assert (run.applied_at, run.applied_codes) == (None, [])


def test_r09_unchanged_catalogue_shows_no_difference(portal):
    run = national_sync.fetch_from_portal(actor=None)
    assert {e["kind"] for e in run.differences} == {"unchanged"}
    assert all(e["changes"] == [] for e in run.differences)


def test_r09_changed_fee_is_shown_beside_the_current_one(portal, catalogue):
    publish_changes(portal, catalogue)
    entry = entry_of(national_sync.fetch_from_portal(actor=None), BUILDING)

    fee = change_of(entry, "Phí, lệ phí — Trường hợp chung")
    assert fee["current"] == [
        "Trực tiếp: Lệ phí 150.000 đồng [LPXD] — Lệ phí cấp giấy phép xây dựng",
        "Trực tuyến: Lệ phí 150.000 đồng [LPXD] — Lệ phí cấp giấy phép xây dựng",
    ]
    assert fee["national"] == [
        "Trực tiếp: Lệ phí 175.000 đồng [LPXD] — Lệ phí cấp giấy phép xây dựng",
        "Trực tuyến: Lệ phí 150.000 đồng [LPXD] — Lệ phí cấp giấy phép xây dựng",
    ]
    # Only what the fee touches: its rows, the published text of the methods and the raw payload.
    assert [c["label"] for c in entry["changes"]] == [
        "Cách thức thực hiện",
        "Gói tin gốc — các mục khác nhau: CACHTHUCTHUCHIEN",
        "Phí, lệ phí — Trường hợp chung",
    ]
    assert entry["name"] == Procedure.objects.get(code=BUILDING).name


def test_r09_changed_deadline_of_one_case_is_shown(portal, catalogue):
    publish_changes(portal, catalogue)
    entry = entry_of(national_sync.fetch_from_portal(actor=None), RECORD)

    deadline = change_of(entry, f"Thời hạn giải quyết — {FOREIGNER}")
    reason = "(Trường hợp phải xác minh tại nhiều nơi cư trú)"
    assert deadline["current"][0] == f"Trực tiếp: 15 ngày làm việc {reason}"
    assert deadline["national"][0] == f"Trực tiếp: 20 ngày làm việc {reason}"
    assert deadline["current"][1:] == deadline["national"][1:]  # the other channels stay
    # The other case is untouched.
    assert not any(c["label"].endswith("— Công dân Việt Nam") for c in entry["changes"])


def test_r09_new_procedure_is_shown_whole(portal, catalogue):
    publish_changes(portal, catalogue)
    entry = entry_of(national_sync.fetch_from_portal(actor=None), NEW_CODE)

    assert (entry["kind"], entry["name"]) == ("new", "Cấp Giấy xác nhận thông tin về cư trú (thí điểm)")
    assert change_of(entry, "Tên thủ tục") == {
        "key": "name",
        "label": "Tên thủ tục",
        "current": [],
        "national": ["Cấp Giấy xác nhận thông tin về cư trú (thí điểm)"],
    }
    assert change_of(entry, "Phí, lệ phí — Trường hợp chung")["national"] == [
        "Trực tuyến: Lệ phí 20.000 đồng [LPCT] — Lệ phí xác nhận"
    ]
    assert change_of(entry, "Thời hạn giải quyết — Trường hợp chung")["national"] == [
        "Trực tuyến: 3 ngày làm việc"
    ]
    assert change_of(entry, "Đơn vị thực hiện")["national"] == [
        "Cơ quan thực hiện: Sở Tư pháp (000.00.05.H19)"
    ]


def test_r09_procedure_no_longer_listed_is_reported_and_never_deleted(portal, catalogue, admin_user):
    publish_changes(portal, catalogue)
    run = national_sync.fetch_from_portal(actor=admin_user)
    entry = entry_of(run, POSTS)
    assert entry["kind"] == "removed"
    assert "không tự động xoá" in entry["error"]

    with pytest.raises(InvalidInput, match=POSTS):
        national_sync.apply_run(run, [POSTS], actor=admin_user)  # nothing to apply for it
    national_sync.apply_run(run, actor=admin_user)  # everything applicable
    posts = Procedure.objects.get(code=POSTS)
    assert posts.published is True
    assert posts.cases.exists()


def test_r09_ministry_procedure_not_ours_is_left_out_unless_asked_by_code(portal, catalogue):
    ministry = {**new_procedure(), "MaTTHC": "1.088001", "TENTTHC": "Thủ tục cấp Bộ", "MACOQUANCONGBO": "G01"}
    ministry.pop("COQUANTHUCHIEN")
    portal.add_procedures([ministry])

    run = national_sync.fetch_from_portal(actor=None)
    assert "1.088001" not in {e["code"] for e in run.differences}
    assert any("1.088001" in note for note in run.notes)

    asked = national_sync.fetch_from_portal(codes=["1.088001"], actor=None)
    assert [(e["code"], e["kind"]) for e in asked.differences] == [("1.088001", "new")]


def test_r09_code_list_reads_only_those_and_infers_no_removal(portal, catalogue):
    publish_changes(portal, catalogue)
    run = national_sync.fetch_from_portal(codes=[BUILDING, "9.999999"], actor=None)
    assert [(e["code"], e["kind"]) for e in run.differences] == [
        (BUILDING, "changed"),
        ("9.999999", "not_found"),
    ]
    assert entry_of(run, "9.999999")["error"] == "Cổng DVCQG không có thủ tục mã 9.999999."


@pytest.mark.parametrize("national_portal", ["rest", "service"], indirect=True)
def test_r09_review_over_both_protocol_generations(portal, catalogue):
    publish_changes(portal, catalogue)
    run = national_sync.fetch_from_portal(actor=None)
    assert entry_of(run, BUILDING)["kind"] == "changed"
    assert entry_of(run, NEW_CODE)["kind"] == "new"


# --- apply ---------------------------------------------------------------------------------------


def test_r09_applying_a_subset_changes_only_those(portal, catalogue, admin_user):
    publish_changes(portal, catalogue)
    run = national_sync.fetch_from_portal(actor=admin_user)

    report = national_sync.apply_run(run, [BUILDING], actor=admin_user)

    assert (report.applied, report.errors) == ([BUILDING], {})
    assert counter_fee(BUILDING) == 175000
    assert foreigner_counter_days() == Decimal("15")  # reviewed, not chosen
    assert not Procedure.objects.filter(code=NEW_CODE).exists()
    assert (run.status, run.applied_codes, run.applied_by) == ("applied", [BUILDING], admin_user)
    assert run.applied_at is not None
    # A closed run is not applied again.
    with pytest.raises(RuleViolation) as refused:
        national_sync.apply_run(run, [RECORD], actor=admin_user)
    assert (refused.value.rule, refused.value.code) == ("R-09", "run_closed")
    assert foreigner_counter_days() == Decimal("15")


def test_r09_rerun_after_applying_shows_no_difference(portal, catalogue, admin_user):
    publish_changes(portal, catalogue)
    first = national_sync.fetch_from_portal(actor=admin_user)
    report = national_sync.apply_run(first, actor=admin_user)
    assert sorted(report.applied) == sorted([BUILDING, RECORD, NEW_CODE])
    assert (counter_fee(BUILDING), foreigner_counter_days()) == (175000, Decimal("20"))
    assert Procedure.objects.get(code=NEW_CODE).cases.get().fees.get().amount == 20000

    again = national_sync.fetch_from_portal(actor=admin_user)
    assert {e["code"]: e["kind"] for e in again.differences} == {
        BUILDING: "unchanged",
        RECORD: "unchanged",
        NEW_CODE: "unchanged",
        POSTS: "removed",  # still reported, still ours
    }


def test_r09_stale_review_is_refused_and_nothing_applied(portal, catalogue, admin_user):
    publish_changes(portal, catalogue)
    run = national_sync.fetch_from_portal(actor=admin_user)
    # After the review, someone edits the catalogue in the admin.
    Fee.objects.filter(case__procedure__code=BUILDING, channel=Channel.ONLINE).update(amount=160000)

    with pytest.raises(RuleViolation) as refused:
        national_sync.apply_run(run, [RECORD, BUILDING], actor=admin_user)

    assert (refused.value.rule, refused.value.code) == ("R-09", "stale_review")
    assert "1.009972" in refused.value.message and "rà soát lại" in refused.value.message
    assert foreigner_counter_days() == Decimal("15")  # the fresh one was not applied either
    assert counter_fee(BUILDING) == 150000
    run.refresh_from_db()
    assert (run.status, run.applied_codes, run.applied_at) == ("pending", [], None)


def test_r09_older_review_is_stale_once_a_newer_one_was_applied(portal, catalogue, admin_user):
    publish_changes(portal, catalogue)
    older = national_sync.fetch_from_portal(actor=admin_user)
    newer = national_sync.fetch_from_portal(actor=admin_user)
    national_sync.apply_run(newer, [BUILDING], actor=admin_user)

    with pytest.raises(RuleViolation, match="rà soát lại"):
        national_sync.apply_run(older, [BUILDING], actor=admin_user)
    # The procedures the older review still describes truly can be applied from it.
    assert national_sync.apply_run(older, [RECORD], actor=admin_user).applied == [RECORD]


def test_cancelled_run_cannot_be_applied(portal, catalogue, admin_user):
    publish_changes(portal, catalogue)
    run = national_sync.fetch_from_portal(actor=admin_user)
    national_sync.cancel_run(run, actor=admin_user)
    assert (run.status, run.cancelled_by) == ("cancelled", admin_user)
    with pytest.raises(RuleViolation, match="đã huỷ"):
        national_sync.apply_run(run, actor=admin_user)
    assert counter_fee(BUILDING) == 150000


# --- the portal down or absent ----------------------------------------------------------------------


def test_r09_outage_gives_a_clear_error_and_stores_nothing(portal, catalogue, admin_user):
    publish_changes(portal, catalogue)
    before = catalogue_rows()
    portal.control(outage=True)

    with pytest.raises(national_sync.CatalogPortalUnavailable) as failed:
        national_sync.fetch_from_portal(actor=admin_user)

    assert failed.value.message.startswith("Không lấy được danh mục thủ tục từ Cổng DVCQG:")
    assert "Chưa có gì được lưu" in failed.value.message
    assert (failed.value.rule, failed.value.status_code) == ("R-09", 503)
    assert not CatalogSyncRun.objects.exists()
    assert catalogue_rows() == before

    portal.control(outage=False)
    assert entry_of(national_sync.fetch_from_portal(actor=admin_user), BUILDING)["kind"] == "changed"


def test_portal_not_configured_is_a_clear_error(db, settings):
    settings.MOTCUA_INTEGRATIONS = {"dvcqg": {"base_url": ""}}
    registry.reset()
    with pytest.raises(national_sync.PortalNotConfigured, match="Chưa cấu hình kết nối Cổng DVCQG"):
        national_sync.fetch_from_portal(actor=None)
    assert not CatalogSyncRun.objects.exists()


# --- from a file of payloads --------------------------------------------------------------------------


def test_r09_review_from_payloads_reports_unreadable_ones(catalogue):
    changed = copy.deepcopy(by_code(catalogue, BUILDING))
    changed["TENTTHC"] = "Cấp giấy phép xây dựng (tên mới)"
    run = national_sync.review_payloads(
        [changed, {"MaTTHC": "1.000777"}, "không phải gói tin"], source="file", source_name="ds.json"
    )
    assert {e["code"]: e["kind"] for e in run.differences} == {
        BUILDING: "changed",
        "1.000777": "invalid",
        "Gói tin thứ 3": "invalid",
    }
    assert entry_of(run, "1.000777")["error"] == "Thủ tục 1.000777 thiếu tên thủ tục (TENTTHC)."
    assert change_of(entry_of(run, BUILDING), "Tên thủ tục")["national"] == [
        "Cấp giấy phép xây dựng (tên mới)"
    ]
    assert set(run.payloads) == {BUILDING}


def test_r09_a_procedure_failing_to_write_is_reported_and_the_others_applied(portal, catalogue, admin_user):
    payloads = copy.deepcopy(catalogue)
    broken = by_code(payloads, BUILDING)
    broken["TENTTHC"] = "Tên mới không được ghi"
    # An amount no database integer holds: read fine, refused when written.
    broken["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] = "99999999999999999999"
    by_code(payloads, RECORD)["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][1]["THOIGIANGIAIQUYET"] = "20"
    portal.add_procedures(payloads, replace=True)
    run = national_sync.fetch_from_portal(actor=admin_user)

    report = national_sync.apply_run(run, actor=admin_user)

    assert report.applied == [RECORD]
    assert list(report.errors) == [BUILDING]
    assert report.errors[BUILDING].startswith("Lỗi khi ghi dữ liệu")
    assert foreigner_counter_days() == Decimal("20")
    building = Procedure.objects.get(code=BUILDING)
    assert building.name.startswith("Cấp giấy phép xây dựng mới")  # rolled back whole, name included
    assert counter_fee(BUILDING) == 150000
    run.refresh_from_db()
    assert (run.status, run.applied_codes, run.apply_errors) == ("applied", [RECORD], report.errors)
