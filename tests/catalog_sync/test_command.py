"""`manage.py sync_catalog` (R-09): prints the differences in Vietnamese and stores a review; applies
with --apply. Against the simulator over real HTTP."""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.models import CatalogSyncRun, Channel, Fee, Procedure
from tests.catalog_sync.conftest import (
    BUILDING,
    NEW_CODE,
    POSTS,
    RECORD,
    by_code,
    catalogue_rows,
    counter_fee,
    new_procedure,
    publish_changes,
)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_catalog", *args, stdout=out, stderr=err, no_color=True)
    return out.getvalue(), err.getvalue()


def test_r09_without_apply_prints_differences_and_stores_a_review(portal, catalogue):
    publish_changes(portal, catalogue)
    before = catalogue_rows()

    out, _ = run()

    assert catalogue_rows() == before
    sync_run = CatalogSyncRun.objects.get()
    assert sync_run.status == CatalogSyncRun.Status.PENDING
    assert f"Lượt đồng bộ #{sync_run.pk} — nguồn: Cổng DVCQG ({portal.url})" in out
    assert f"[Có thay đổi] {BUILDING} — Cấp giấy phép xây dựng mới" in out
    assert "    Phí, lệ phí — Trường hợp chung\n" in out
    assert "        Hiện tại:   Trực tiếp: Lệ phí 150.000 đồng [LPXD]" in out
    assert "        Cổng DVCQG: Trực tiếp: Lệ phí 175.000 đồng [LPXD]" in out
    assert f"[Thủ tục mới] {NEW_CODE} — Cấp Giấy xác nhận thông tin về cư trú (thí điểm)" in out
    assert f"[Không còn trên Cổng DVCQG] {POSTS}" in out
    assert "Tổng: mới 1; thay đổi 2; không thay đổi 0; không còn trên Cổng 1;" in out
    assert f"Đã lưu lượt đồng bộ #{sync_run.pk} (chờ duyệt). Chưa có thay đổi nào được áp dụng" in out


def test_r09_apply_applies_and_a_rerun_finds_nothing(portal, catalogue, admin_user):
    publish_changes(portal, catalogue)

    out, err = run("--apply", "--user", "quantri")

    assert f"Đã áp dụng — {BUILDING}" in out and f"Đã áp dụng — {NEW_CODE}" in out
    assert err == ""
    assert counter_fee(BUILDING) == 175000
    assert Procedure.objects.filter(code__in=[NEW_CODE, POSTS]).count() == 2  # removed: never deleted
    sync_run = CatalogSyncRun.objects.get()
    assert (sync_run.status, sync_run.fetched_by, sync_run.applied_by) == ("applied", admin_user, admin_user)

    out, _ = run()
    assert "Tổng: mới 0; thay đổi 0; không thay đổi 3; không còn trên Cổng 1;" in out


def test_r09_stored_review_applied_later_with_a_subset(portal, catalogue):
    publish_changes(portal, catalogue)
    run()
    sync_run = CatalogSyncRun.objects.get()

    out, _ = run("--run", str(sync_run.pk), "--apply", "--code", RECORD)

    assert out.strip().endswith(f"Lượt đồng bộ #{sync_run.pk}: đã áp dụng 1 thủ tục; lỗi 0.")
    assert counter_fee(BUILDING) == 150000
    assert not Procedure.objects.filter(code=NEW_CODE).exists()


def test_r09_stale_stored_review_is_refused(portal, catalogue):
    publish_changes(portal, catalogue)
    run()
    sync_run = CatalogSyncRun.objects.get()
    Fee.objects.filter(case__procedure__code=BUILDING, channel=Channel.COUNTER).update(amount=1)
    with pytest.raises(CommandError, match="Danh mục đã thay đổi kể từ khi rà soát"):
        run("--run", str(sync_run.pk), "--apply")
    assert counter_fee(BUILDING) == 1


def test_r09_outage_is_a_clear_error_and_nothing_is_stored(portal, catalogue):
    portal.control(outage=True)
    with pytest.raises(CommandError, match=r"^Không lấy được danh mục thủ tục từ Cổng DVCQG"):
        run("--apply")
    assert not CatalogSyncRun.objects.exists()


def test_r09_from_a_file_with_a_code_filter(catalogue, tmp_path):
    payloads = [*copy.deepcopy(catalogue), new_procedure()]
    by_code(payloads, RECORD)["TENTTHC"] = "Cấp Phiếu lý lịch tư pháp (tên mới)"
    by_code(payloads, BUILDING)["TENTTHC"] = "Không được chọn"
    path = tmp_path / "thutuc.json"
    path.write_text(json.dumps({"data": payloads}, ensure_ascii=False), encoding="utf-8")

    out, _ = run("--file", str(path), "--code", RECORD, NEW_CODE, "--code", "1.777777")

    assert "Lượt đồng bộ #" in out and "nguồn: Tệp gói tin (thutuc.json)" in out
    assert "Tệp không có các mã: 1.777777." in out
    assert "Cổng DVCQG: Cấp Phiếu lý lịch tư pháp (tên mới)" in out
    assert BUILDING not in out
    sync_run = CatalogSyncRun.objects.get()
    assert sync_run.source == CatalogSyncRun.Source.FILE
    assert {e["code"] for e in sync_run.differences} == {RECORD, NEW_CODE}  # no removal inferred from a file


def test_unreadable_file(db, tmp_path):
    path = tmp_path / "hong.json"
    path.write_text("{không phải json", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON hợp lệ"):
        run("--file", str(path))
    assert not CatalogSyncRun.objects.exists()
