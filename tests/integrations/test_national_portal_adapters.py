"""Both protocol generations' adapters against the simulator, over real HTTP between processes
(R-22: every status change reaches the national portal; REGULATIONS §6.1–6.4)."""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from motcua.integrations import registry
from motcua.integrations.dvcqg.base import PortalUnavailable, Verdict
from motcua.integrations.dvcqg.rest import RestPortal
from motcua.integrations.dvcqg.service import ServicePortal
from motcua.integrations.dvcqg.simulator import DEFAULT_CATALOG
from tests.integrations.kit import progress, record

both = pytest.mark.parametrize("national_portal", ["rest", "service"], indirect=True)


def catalogue_payload(code: str) -> dict:
    return json.loads((Path(DEFAULT_CATALOG) / f"{code}.json").read_text(encoding="utf-8"))


@both
def test_r22_configured_adapter_is_the_protocol_asked_for(national_portal):
    adapter = registry.get("dvcqg")
    expected = RestPortal if national_portal.protocol == "rest" else ServicePortal
    assert isinstance(adapter, expected)
    assert adapter.protocol == national_portal.protocol


@both
def test_r22_add_update_and_progress_are_accepted_and_applied(national_portal):
    portal = national_portal.adapter()
    code = "000.00.61.H19-250901-0001"

    added = portal.add_dossiers([record(code, "2", "m-1")])
    row = portal.push_progress([progress(code, 1, "2", "m-1", NoiDungXuLy="Tiếp nhận hồ sơ")])
    updated = portal.update_dossiers([record(code, "4", "m-2")])
    row2 = portal.push_progress([progress(code, 2, "4", "m-2")])

    assert [o.verdict for o in (added, row, updated, row2)] == [Verdict.ACCEPTED] * 4
    assert added.ok and added.code == "0" and added.message == "Thành công"
    state = national_portal.state()
    dossier = state["dossiers"][code]
    assert dossier["record"]["TrangThaiHoSo"] == "4"
    assert dossier["record"]["ChuHoSo"] == "Nguyễn Thị Hoa"  # diacritics intact end to end
    assert [r["TrangThai"] for r in dossier["progress"]] == ["2", "4"]
    assert dossier["progress"][0]["NoiDungXuLy"] == "Tiếp nhận hồ sơ"
    assert dossier["message_ids"] == ["m-1", "m-2"]
    assert (state["applied"], state["duplicates"], state["out_of_order"]) == (4, 0, 0)


@both
def test_r22_add_of_a_dossier_already_there_is_already_exists_and_applies_nothing(national_portal):
    portal = national_portal.adapter()
    assert portal.add_dossiers([record("HS-1", "2", "m-1")]).ok

    again = portal.add_dossiers([record("HS-2", "2", "m-2"), record("HS-1", "4", "m-3")])

    assert again.verdict is Verdict.ALREADY_EXISTS
    assert again.code == "-3" and "đã tồn tại" in again.message
    state = national_portal.state()
    assert set(state["dossiers"]) == {"HS-1"}  # HS-2 of the refused call was not applied
    assert state["dossiers"]["HS-1"]["record"]["TrangThaiHoSo"] == "2"
    # what the sync engine does next: the same records as an update
    assert portal.update_dossiers([record("HS-1", "4", "m-3")]).ok
    assert national_portal.state()["dossiers"]["HS-1"]["record"]["TrangThaiHoSo"] == "4"


@both
def test_r22_update_or_progress_of_an_unknown_dossier_is_not_found(national_portal):
    portal = national_portal.adapter()

    update = portal.update_dossiers([record("HS-404", "4")])
    row = portal.push_progress([progress("HS-404", 1)])

    assert update.verdict is Verdict.NOT_FOUND and update.code == "4"
    assert "không tồn tại" in update.message
    assert row.verdict is Verdict.NOT_FOUND
    assert national_portal.state()["dossiers"] == {}


INVALID_RECORDS = {
    "no MaHoSo": {"MaHoSo": ""},
    "no MaTTHC": {"MaTTHC": ""},
    "status 11": {"TrangThaiHoSo": "11"},
    "status 0": {"TrangThaiHoSo": "0"},
    "ISO date": {"NgayTiepNhan": "2025-09-01T08:30:00"},
    "impossible date": {"NgayHenTra": "20250230083000"},
    "summary of 1001 characters": {"TrichYeuHoSo": "đ" * 1001},
}


@both
@pytest.mark.parametrize("change", INVALID_RECORDS.values(), ids=INVALID_RECORDS.keys())
def test_r22_invalid_record_is_refused_and_nothing_of_the_call_applied(national_portal, change):
    portal = national_portal.adapter()
    batch = [record("HS-1"), {**record("HS-2"), **change}, record("HS-3")]

    outcome = portal.add_dossiers(batch)

    assert outcome.verdict is Verdict.REFUSED
    assert outcome.code == "2" and "không hợp lệ" in outcome.message
    assert national_portal.state()["dossiers"] == {}
    assert national_portal.state()["applied"] == 0
    # the client can bisect: the valid records alone go through
    assert portal.add_dossiers([batch[0], batch[2]]).ok


@both
def test_r22_invalid_progress_row_is_refused_and_nothing_applied(national_portal):
    portal = national_portal.adapter()
    assert portal.add_dossiers([record("HS-1")]).ok

    too_long = progress("HS-1", 2, NguoiXuLy="N" * 51)
    bad_time = progress("HS-1", 3, ThoiDiemXuLy="01/09/2025 09:30")
    outcomes = [portal.push_progress([progress("HS-1", 1), row]) for row in (too_long, bad_time)]

    assert [o.verdict for o in outcomes] == [Verdict.REFUSED, Verdict.REFUSED]
    assert "NguoiXuLy không hợp lệ" in outcomes[0].message
    assert "ThoiDiemXuLy không hợp lệ" in outcomes[1].message
    assert national_portal.state()["dossiers"]["HS-1"]["progress"] == []
    assert portal.push_progress([progress("HS-1", 1, NguoiXuLy="N" * 50)]).ok  # the limit itself is fine


@both
def test_r22_dossier_the_portal_refuses_is_refused_and_others_pass(national_portal):
    portal = national_portal.adapter()
    national_portal.control(refuse_codes=["HS-BAD"])

    refused = portal.add_dossiers([record("HS-OK"), record("HS-BAD")])
    alone = portal.add_dossiers([record("HS-OK")])

    assert refused.verdict is Verdict.REFUSED and "MaHoSo không hợp lệ" in refused.message
    assert alone.ok
    assert set(national_portal.state()["dossiers"]) == {"HS-OK"}


@both
def test_r22_outage_is_retry_with_the_portals_retry_after(national_portal):
    portal = national_portal.adapter()
    national_portal.control(outage=True)

    outcomes = [
        portal.add_dossiers([record("HS-1")]),
        portal.update_dossiers([record("HS-1")]),
        portal.push_progress([progress("HS-1", 1)]),
    ]

    for outcome in outcomes:
        assert outcome.verdict is Verdict.RETRY
        assert outcome.code == "503"
        assert outcome.retry_after == 1.0
    national_portal.control(outage=False)
    assert portal.add_dossiers([record("HS-1")]).ok
    assert national_portal.state()["applied"] == 1


@both
def test_r22_random_errors_are_retry_and_apply_nothing(national_portal):
    portal = national_portal.adapter()
    assert portal.add_dossiers([record("HS-1", message_id="m-1")]).ok
    national_portal.control(error_rate=1.0)

    outcomes = [portal.update_dossiers([record("HS-1", "4")]), portal.push_progress([progress("HS-1", 1)])]

    assert [(o.verdict, o.code) for o in outcomes] == [(Verdict.RETRY, "500")] * 2
    dossier = national_portal.state()["dossiers"]["HS-1"]
    assert dossier["record"]["TrangThaiHoSo"] == "2" and dossier["progress"] == []


@both
def test_r22_lost_ack_is_retry_and_the_resend_is_counted_as_a_duplicate(national_portal):
    portal = national_portal.adapter()
    national_portal.control(lost_ack_rate=1.0)
    batch = [record("HS-1", "2", "m-1"), record("HS-2", "2", "m-2")]

    lost = portal.add_dossiers(batch)

    assert lost.verdict is Verdict.RETRY and lost.code == "504"
    state = national_portal.state()
    assert set(state["dossiers"]) == {"HS-1", "HS-2"}  # the portal did apply it
    assert state["applied"] == 2
    national_portal.control(lost_ack_rate=0.0)

    resent = portal.add_dossiers(batch)  # the client could not know: it sends again

    assert resent.ok  # acknowledged again, not "already exists"
    state = national_portal.state()
    assert (state["applied"], state["duplicates"]) == (2, 2)
    assert state["dossiers"]["HS-1"]["message_ids"] == ["m-1"]


@both
def test_r22_duplicate_progress_rows_are_applied_once_and_late_rows_counted(national_portal):
    portal = national_portal.adapter()
    assert portal.add_dossiers([record("HS-1", "2", "m-1")]).ok
    assert portal.push_progress([progress("HS-1", 1, "2", "m-1"), progress("HS-1", 3, "4", "m-3")]).ok

    assert portal.push_progress([progress("HS-1", 3, "4", "m-3")]).ok  # a re-send
    assert portal.push_progress([progress("HS-1", 2, "4", "m-2")]).ok  # arrives after seq 3

    state = national_portal.state()
    dossier = state["dossiers"]["HS-1"]
    assert [row["SoThuTu"] for row in dossier["progress"]] == [1, 3, 2]
    assert dossier["message_ids"] == ["m-1", "m-3", "m-2"]
    assert (state["duplicates"], state["out_of_order"]) == (1, 1)


@both
def test_r22_expired_token_or_session_is_renewed_transparently(national_portal):
    portal = national_portal.adapter()
    assert portal.add_dossiers([record("HS-1")]).ok
    requests_before = national_portal.state()["requests"]  # one log-in + one add
    assert requests_before == 2

    national_portal.control(expire_sessions=True)
    outcome = portal.update_dossiers([record("HS-1", "4")])

    assert outcome.ok
    # refused (expired), logged in again, sent again — and nothing more
    assert national_portal.state()["requests"] - requests_before == 3
    assert national_portal.state()["dossiers"]["HS-1"]["record"]["TrangThaiHoSo"] == "4"
    assert portal.push_progress([progress("HS-1", 1)]).ok
    assert national_portal.state()["requests"] - requests_before == 4  # the new credential is kept


@both
def test_r22_threads_share_one_adapter_and_log_in_again_once(national_portal):
    portal = national_portal.adapter()
    assert portal.add_dossiers([record(f"HS-{n}", message_id=f"m-{n}") for n in range(8)]).ok
    national_portal.control(expire_sessions=True)
    logins_before = national_portal.state()["logins"]

    def work(n: int) -> list[Verdict]:
        return [portal.push_progress([progress(f"HS-{n}", seq)]).verdict for seq in range(1, 6)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        verdicts = [v for batch in pool.map(work, range(8)) for v in batch]

    assert verdicts == [Verdict.ACCEPTED] * 40
    state = national_portal.state()
    assert state["logins"] - logins_before == 1
    assert all(len(state["dossiers"][f"HS-{n}"]["progress"]) == 5 for n in range(8))
    assert state["out_of_order"] == 0


def test_r22_rest_token_is_renewed_before_it_expires(national_portal):
    portal = national_portal.adapter()
    national_portal.control(session_ttl=1)
    assert portal.add_dossiers([record("HS-1")]).ok
    before = national_portal.state()

    time.sleep(1.0)  # the token's whole lifetime (expires_in = 1)
    assert portal.update_dossiers([record("HS-1", "4")]).ok

    after = national_portal.state()
    # a new token first, then the call: no refused call in between
    assert (after["logins"] - before["logins"], after["requests"] - before["requests"]) == (1, 2)


@both
def test_r22_wrong_credentials_are_retry_never_refused(national_portal, settings):
    conf = {**national_portal.conf(), "client_secret": "sai-mat-khau"}
    settings.MOTCUA_INTEGRATIONS = {"dvcqg": conf}
    registry.reset()
    portal = registry.get("dvcqg")

    outcome = portal.add_dossiers([record("HS-1")])

    # a configuration error must not park the province's messages as dead letters
    assert outcome.verdict is Verdict.RETRY
    assert national_portal.state()["dossiers"] == {}
    with pytest.raises(PortalUnavailable):
        portal.list_procedures()


@both
def test_r22_portal_down_is_retry_not_an_exception(national_portal):
    portal = national_portal.adapter()
    assert portal.add_dossiers([record("HS-1")]).ok
    national_portal.stop()
    try:
        outcome = portal.update_dossiers([record("HS-1", "4")])
        assert outcome.verdict is Verdict.RETRY
        assert "Cổng DVCQG" in outcome.message
        with pytest.raises(PortalUnavailable):
            portal.find_dossier("HS-1")
    finally:
        national_portal.start()
    # the portal's data survived the crash, the adapter reconnects (and logs in again)
    assert portal.update_dossiers([record("HS-1", "4")]).ok
    assert national_portal.state()["dossiers"]["HS-1"]["record"]["TrangThaiHoSo"] == "4"


@both
def test_r22_restart_keeps_the_portals_data_and_the_adapter_recovers(national_portal):
    portal = national_portal.adapter()
    assert portal.add_dossiers([record("HS-1", "2", "m-1")]).ok

    national_portal.restart()

    assert portal.push_progress([progress("HS-1", 1, "2", "m-1")]).ok
    assert portal.add_dossiers([record("HS-1", "2", "m-1")]).ok  # still known as applied: a duplicate
    state = national_portal.state()
    assert state["dossiers"]["HS-1"]["message_ids"] == ["m-1"]
    assert state["duplicates"] == 1


@both
def test_look_up_a_dossier(national_portal):
    portal = national_portal.adapter()
    assert portal.add_dossiers([record("HS-1", "4")]).ok
    assert portal.push_progress([progress("HS-1", 1, "4")]).ok

    found = portal.find_dossier("HS-1")

    assert found["MaHoSo"] == "HS-1" and found["TrangThaiHoSo"] == "4"
    assert [row["TrangThai"] for row in found["QuaTrinhXuLy"]] == ["4"]
    assert portal.find_dossier("HS-khong-co") is None


@both
def test_national_catalogue_list_and_procedure(national_portal):
    portal = national_portal.adapter()

    listed = portal.list_procedures()
    payload = portal.get_procedure("1.001612")

    codes = {p["MaTTHC"] for p in listed}
    assert codes == {"1.001193", "1.000894", "1.019904", "1.001612", "1.004884", "1.019950"}
    assert all(p["TENTTHC"] for p in listed)
    assert payload == catalogue_payload("1.001612")
    assert portal.get_procedure("9.999999") is None

    changed = {**catalogue_payload("1.001612"), "TENTTHC": "Đăng ký thành lập hộ kinh doanh (sửa đổi)"}
    national_portal.add_procedures([changed], remove=["1.019950"])
    assert portal.get_procedure("1.001612")["TENTTHC"].endswith("(sửa đổi)")
    assert portal.get_procedure("1.019950") is None


@both
def test_forwarded_dossiers_are_read_after_the_cursor(national_portal):
    portal = national_portal.adapter()
    content = "Tờ khai đăng ký khai sinh".encode()
    offered = [
        {
            "MaHoSo": f"G22.99-20250901-00{n}",
            "MaTTHC": "1.001193",
            "MaDonViTiepNhan": "000.00.61.H19",
            "NgayNop": "20250901080000",
            "LoaiDoiTuong": "1",
            "TrichYeuHoSo": "Đăng ký khai sinh",
            "TaiKhoanDuocXacThucVoiVNeID": "1",
            "MaDoiTuong": f"TECH-{n}",
            "ThongTinNguoiNop": {"TenNguoiNop": "Lê Thị Lan", "SoDinhDanh": "075190000001"},
            "ThanhPhanHoSo": [
                {
                    "MaThanhPhanHoSo": "1.001193.GT01",
                    "TenThanhPhanHoSo": "Tờ khai đăng ký khai sinh",
                    "GiayToDinhKem": [{"TenGiayTo": "to-khai.pdf", "NoiDungBase64": _b64(content)}],
                }
            ],
        }
        for n in (1, 2, 3)
    ]
    national_portal.offer_forwarded(offered)

    first = portal.fetch_forwarded("", limit=2)
    second = portal.fetch_forwarded(first.cursor, limit=2)
    third = portal.fetch_forwarded(second.cursor, limit=2)

    assert [d["MaHoSo"] for d in first.dossiers] == ["G22.99-20250901-001", "G22.99-20250901-002"]
    assert [d["MaHoSo"] for d in second.dossiers] == ["G22.99-20250901-003"]
    assert third.dossiers == [] and third.cursor == second.cursor
    attachment = first.dossiers[0]["ThanhPhanHoSo"][0]["GiayToDinhKem"][0]
    assert attachment["DuongDan"].startswith(national_portal.url + "/files/")
    assert attachment["HashTepTin"] == hashlib.sha256(content).hexdigest()
    assert httpx.get(attachment["DuongDan"]).content == content


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


@both
def test_look_ups_raise_portal_unavailable_during_an_outage(national_portal):
    portal = national_portal.adapter()
    national_portal.control(outage=True)

    calls = [
        lambda: portal.find_dossier("HS-1"),
        portal.list_procedures,
        lambda: portal.get_procedure("1.001193"),
        lambda: portal.fetch_forwarded("", 10),
    ]
    for call in calls:
        with pytest.raises(PortalUnavailable, match="Cổng DVCQG hiện không trả lời được"):
            call()
