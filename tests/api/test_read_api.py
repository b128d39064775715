"""The read side of the REST API (issue: foundation, item 6)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from motcua.calendar.units import DurationUnit
from motcua.catalog.models import (
    AgencyRole,
    CaseDuration,
    Channel,
    Fee,
    FeeKind,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ProcedureLevel,
    ProcedureLevelLink,
    ProcedureUnit,
)


@pytest.fixture
def client():
    return APIClient()


def make_procedure(
    code, name, unit, *, level=ProcedureLevel.PROVINCE, internal=False, online=OnlineLevel.NONE
):
    field, _ = Field.objects.get_or_create(code="F1", defaults={"name": "Xây dựng"})
    procedure = Procedure.objects.create(
        code=code, name=name, field=field, internal=internal, online_level=online
    )
    ProcedureLevelLink.objects.create(procedure=procedure, level=level)
    ProcedureUnit.objects.create(procedure=procedure, unit=unit, role=AgencyRole.IMPLEMENTING)
    case = ProcedureCase.objects.create(procedure=procedure, code="TH1", name="Trường hợp chung")
    CaseDuration.objects.create(
        case=case, channel=Channel.COUNTER, value=Decimal("15"), unit=DurationUnit.WORKING_DAYS
    )
    Fee.objects.create(case=case, kind=FeeKind.CHARGE, amount=150000, description="Lệ phí cấp giấy phép")
    return procedure


@pytest.fixture
def catalogue(construction_dept, justice_dept):
    return [
        make_procedure(
            "1.009972",
            "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt",
            construction_dept,
            online=OnlineLevel.PARTIAL,
        ),
        make_procedure(
            "2.000488",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            justice_dept,
            online=OnlineLevel.FULL,
        ),
        make_procedure(
            "1.001234",
            "Thẩm định đề án vị trí việc làm",
            justice_dept,
            internal=True,
            online=OnlineLevel.FULL,
        ),
        make_procedure("1.004227", "Đăng ký khai sinh", justice_dept, level=ProcedureLevel.COMMUNE),
    ]


def codes(response):
    return [p["code"] for p in response.json()["results"]]


def test_search_is_diacritics_and_case_insensitive(client, catalogue):
    response = client.get("/api/v1/procedures", {"q": "giay phep xay dung"})
    assert response.status_code == 200
    assert codes(response) == ["1.009972"]
    assert codes(client.get("/api/v1/procedures", {"q": "CẤP PHIẾU LÝ LỊCH"})) == ["2.000488"]
    assert codes(client.get("/api/v1/procedures", {"q": "2.000488"})) == ["2.000488"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "commune"}, ["1.004227"]),
        ({"internal": "true"}, ["1.001234"]),
        ({"internal": "false", "online_level": "full"}, ["2.000488"]),
        ({"unit": "000.00.08.H19"}, ["1.009972"]),
        ({"online_level": "partial"}, ["1.009972"]),
    ],
)
def test_filters(client, catalogue, params, expected):
    assert codes(client.get("/api/v1/procedures", params)) == expected


@pytest.mark.parametrize("params", [{"level": "planet"}, {"internal": "maybe"}, {"online_level": "4"}])
def test_bad_filter_is_a_vietnamese_400(client, catalogue, params):
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["message"] == "Dữ liệu không hợp lệ."
    assert set(error["details"]) == set(params)


def test_list_does_not_query_per_row(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # count + page + prefetched levels
        response = client.get("/api/v1/procedures")
    assert response.json()["count"] == 4


def test_detail_has_cases_durations_fees_and_units(client, catalogue):
    body = client.get("/api/v1/procedures/1.009972").json()
    assert body["name"] == "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt"
    assert body["units"] == [{"code": "000.00.08.H19", "name": "Sở Xây dựng", "role": "implementing"}]
    case = body["cases"][0]
    assert case["durations"][0] == {
        "channel": "counter",
        "value": 15.0,
        "unit": "working_days",
        "text": "Trực tiếp: 15 ngày làm việc",
        "description": "",
    }
    assert case["fees"][0]["amount"] == 150000


def test_unknown_procedure_is_a_vietnamese_404(client, db):
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "procedure_not_found"
    assert "thủ tục" in response.json()["error"]["message"].lower()


def test_units_list_and_filters(client, provincial_centre, justice_dept, construction_dept):
    body = client.get("/api/v1/units", {"kind": "department"}).json()
    assert [u["code"] for u in body["results"]] == ["000.00.05.H19", "000.00.08.H19"]
    assert body["results"][0]["parent"] == "000.00.00.H19"
    assert [u["code"] for u in client.get("/api/v1/units", {"q": "trung tam phuc vu"}).json()["results"]] == [
        "000.00.40.H19"
    ]


def test_openapi_schema_lists_the_read_endpoints(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/procedures", "/api/v1/procedures/{code}", "/api/v1/units"} <= set(paths)


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
