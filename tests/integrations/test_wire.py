"""Shared wire rules: DVCQG times and how answers become outcomes (REGULATIONS §6.1)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.integrations.dvcqg.base import PortalUnavailable, Verdict
from motcua.integrations.dvcqg.rest import RestPortal
from motcua.integrations.dvcqg.service import ServicePortal
from motcua.integrations.dvcqg.wire import VN_TZ, from_dvcqg_time, outcome_from_answer, to_dvcqg_time
from tests.integrations.kit import Receiver, record


def test_dvcqg_time_is_vietnamese_wall_clock():
    utc = dt.datetime(2025, 9, 1, 1, 30, 5, tzinfo=dt.UTC)

    assert to_dvcqg_time(utc) == "20250901083005"
    assert to_dvcqg_time(dt.datetime(2025, 9, 1, 8, 30, 5)) == "20250901083005"  # naive: already local
    assert to_dvcqg_time(dt.date(2025, 12, 31)) == "20251231000000"
    assert to_dvcqg_time(None) == ""
    parsed = from_dvcqg_time("20250901083005")
    assert parsed == utc and parsed.tzinfo == VN_TZ
    assert from_dvcqg_time("") is None


@pytest.mark.parametrize("text", ["2025-09-01", "2025090108300", "20250230083000", "abcdefghijklmn"])
def test_dvcqg_time_refuses_other_formats(text):
    with pytest.raises(ValueError):
        from_dvcqg_time(text)


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ({"error_code": 0, "message": "Thành công"}, Verdict.ACCEPTED),
        ({"error_code": "00", "message": ""}, Verdict.ACCEPTED),
        ({"error_code": "-3", "message": "Hồ sơ X đã tồn tại"}, Verdict.ALREADY_EXISTS),
        ({"error_code": "3", "message": "Trùng mã hồ sơ"}, Verdict.ALREADY_EXISTS),
        ({"error_code": "99", "message": "Mã hồ sơ đã tồn tại trên hệ thống"}, Verdict.ALREADY_EXISTS),
        ({"error_code": "4", "message": "Hồ sơ X không tồn tại"}, Verdict.NOT_FOUND),
        ({"error_code": "401", "message": "Phiên làm việc hết hạn"}, Verdict.RETRY),
        ({"error_code": "503", "message": "Hệ thống bận"}, Verdict.RETRY),
        ({"error_code": "2", "message": "NgayHenTra không hợp lệ"}, Verdict.REFUSED),
        ({"message": "không có mã"}, Verdict.RETRY),
    ],
)
def test_r22_portal_answers_map_to_verdicts(answer, verdict):
    assert outcome_from_answer(answer).verdict is verdict


def _gateway(status: int, headers: dict[str, str]):
    """A gateway that issues tokens/sessions, then answers every call with `status`."""

    def answer(path, body):
        if path == "/token":
            return 200, {"access_token": "t", "token_type": "Bearer", "expires_in": 3600}
        if path == "/adapter/auth":
            return 200, {"session": "s", "error_code": 0}
        return status, {"error_code": str(status), "message": "Quá nhiều yêu cầu"}, headers

    return answer


@pytest.mark.parametrize("adapter", [RestPortal, ServicePortal])
def test_r22_throttled_answer_is_retry_after_what_the_gateway_says(adapter):
    with Receiver(_gateway(429, {"Retry-After": "7"})) as gateway:
        portal = adapter(
            {
                "base_url": gateway.url,
                "client_id": "a",
                "client_secret": "b",
                "province_code": "000.00.00.H19",
                "timeout": 2,
            }
        )
        try:
            outcome = portal.push_progress([record("HS-1")])
        finally:
            portal.close()

    assert outcome.verdict is Verdict.RETRY
    assert (outcome.code, outcome.retry_after) == ("429", 7.0)


def test_r22_unreachable_portal_is_retry_and_lookups_raise():
    portal = RestPortal(
        {"base_url": "http://127.0.0.1:9", "client_id": "a", "client_secret": "b", "timeout": 1}
    )
    try:
        outcome = portal.add_dossiers([record("HS-1")])
        assert outcome.verdict is Verdict.RETRY
        with pytest.raises(PortalUnavailable, match="Cổng DVCQG"):
            portal.get_procedure("1.001193")
    finally:
        portal.close()


def test_r22_unencodable_record_is_refused_not_raised():
    portal = RestPortal(
        {"base_url": "http://127.0.0.1:9", "client_id": "a", "client_secret": "b", "timeout": 1}
    )
    portal._credential, portal._credential_expiry = "t", float("inf")  # no log-in needed to see it
    try:
        outcome = portal.add_dossiers([{"MaHoSo": "HS-1", "NgayTiepNhan": dt.datetime(2025, 9, 1)}])
    finally:
        portal.close()
    assert outcome.verdict is Verdict.REFUSED
