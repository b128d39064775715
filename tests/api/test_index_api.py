"""`GET /api/v1/index` (DESIGN.md, R-23): the 766 index with every indicator's numerator,
denominator and points, for those who may read it; bad input is a Vietnamese 4xx."""

from decimal import Decimal

PATH = "/api/v1/index"


def test_r23_provincial_office_reads_the_province_index_with_its_plan(login):
    answer = login("vanphong.ubnd").get(PATH, {"period": "2026"})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["unit"] == "000.00.00.H19" and body["period"] == "Năm 2026"
    assert len(body["indicators"]) == 22 and body["maximum"] == "100.00"
    assert Decimal(body["total"]) == sum(Decimal(i["points"]) for i in body["indicators"] if i["applicable"])
    assert [c["code"] for c in body["cards"]] == ["1", "2", "3a", "3b", "4", "5"]
    sync = next(i for i in body["indicators"] if i["code"] == "1.4")
    assert set(sync) >= {"numerator", "denominator", "rate", "points", "max_points"}
    assert all(Decimal(step["gain"]) > 0 for step in body["plan"] if step["recoverable"])


def test_r23_a_unit_leader_reads_their_unit_not_another(login):
    leader = login("lanhdao.sotuphap")

    own = leader.get(PATH, {"period": "2026-Q1"})
    other = leader.get(PATH, {"period": "2026-Q1", "unit": "000.00.08.H19"})

    assert own.status_code == 200 and own.json()["unit"] == "000.00.05.H19"
    # Province-only indicators are not scored for a department.
    assert not next(i for i in own.json()["indicators"] if i["code"] == "4.6")["applicable"]
    assert own.json()["maximum"] == "84.00"  # 100 − 1.1 (6) − 1.2 (4) − 4.3, 4.6, 4.7 (2 each)
    assert other.status_code == 403 and other.json()["error"]["rule"] == "R-23"


def test_r23_officers_without_a_leading_role_are_refused(login):
    answer = login("chuyenvien.sotuphap").get(PATH, {"period": "2026"})
    assert answer.status_code == 403
    assert "lãnh đạo" in answer.json()["error"]["message"]


def test_r23_bad_period_and_unknown_unit_are_clear_4xx(login, anon):
    client = login("vanphong.ubnd")
    bad = client.get(PATH, {"period": "quý 1"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_period"
    assert "YYYY-Qn" in bad.json()["error"]["message"]
    unknown = client.get(PATH, {"period": "2026", "unit": "999.99.99.H19"})
    assert unknown.status_code == 404
    assert anon.get(PATH, {"period": "2026"}).status_code == 401
