"""Item 6 of issue 8: bad input never gives a 500.

Deeply nested JSON, NUL bytes in paths, query strings and form bodies, unknown API addresses and
out-of-range values are answered 400/404 — in the API's JSON error shape under `/api/`, as a
Vietnamese page elsewhere. The schema says which fields may be null, and the two R-13 refusals
carry distinct codes so a client can tell them apart.
"""

import json
import unicodedata

import pytest
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from motcua.core.errors import InvalidInput, RuleViolation
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import act, at, consult, consulted_processing, notary_processing, user

OFFICER = "tiepnhan.tinh"  # a counter officer of the provincial centre (demo account)


@pytest.fixture
def officer() -> Client:
    client = Client()
    client.force_login(user(OFFICER))
    return client


@pytest.fixture
def api() -> APIClient:
    client = APIClient()
    client.force_authenticate(user(OFFICER))
    return client


def api_error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    assert {"code", "message", "rule"} <= set(body["error"]), body
    message = body["error"]["message"]
    assert message and unicodedata.is_normalized("NFC", message)
    return body["error"]


def vietnamese_page(response) -> str:
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    page = response.content.decode()
    assert '<html lang="vi">' in page
    return page


# --- deeply nested JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize(
    "path",
    ["/api/v1/auth/token", "/api/v1/dossiers", "/api/v1/dossiers/000.00.40.H19-260302-0001/actions/pause"],
)
def test_deeply_nested_json_is_refused_with_400_too_deep(api, path, depth):
    response = api.post(path, "[" * depth, content_type="application/json")
    assert response.status_code == 400
    assert api_error(response)["code"] == "too_deep"


def test_deeply_nested_json_inside_an_object_is_refused(api):
    body = '{"procedure": "1.019901", "extra": ' + '{"a": ' * 200 + "1" + "}" * 200 + "}"
    response = api.post("/api/v1/dossiers", body, content_type="application/json")
    assert response.status_code == 400
    assert api_error(response)["code"] == "too_deep"


@pytest.mark.parametrize(
    "text, depth",
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[[[", "{{{{"]', 1),  # brackets inside strings do not count
        ('["\\"[[[", "\\\\", [[]]]', 3),  # nor do escaped quotes end the string early
        ("[" * 40 + "]" * 40, 40),
    ],
)
def test_json_depth_counts_only_structure(text, depth):
    from motcua.api.parsers import json_depth

    assert json_depth(text) == depth


def test_json_depth_is_linear_in_an_unterminated_string_of_escaped_quotes():
    # A string pattern that can fail is retried from every escaped quote: quadratic (40,000 of them
    # took 12 s). The scan must stay linear, and the API answer a plain 400.
    import time

    from motcua.api.parsers import json_depth

    text = '"' + '\\"' * 200_000
    started = time.perf_counter()
    assert json_depth(text, 32) == 0
    assert time.perf_counter() - started < 2


def test_unterminated_string_of_escaped_quotes_is_a_400(api):
    response = api.post("/api/v1/dossiers", '["' + '\\"' * 200_000, content_type="application/json")
    assert response.status_code == 400
    assert api_error(response)["code"] == "parse_error"


def test_json_at_the_depth_limit_parses_and_one_deeper_is_refused():
    from motcua.api.parsers import MAX_DEPTH, SafeJSONParser

    parser = SafeJSONParser()
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parser.parse(_stream(nested)) == json.loads(nested)
    with pytest.raises(InvalidInput) as refused:
        parser.parse(_stream("[" + nested + "]"))
    assert refused.value.code == "too_deep"


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"username": "a\\u0000b", "password": "demo"}', "username"),  # NUL escaped in a value
        ('{"username": "\\ud800", "password": "demo"}', "username"),  # a lone surrogate: not text
        ('{"a\\u0000": 1, "password": "demo"}', "username"),  # an odd key is only an unknown field
    ],
)
def test_json_strings_with_nul_or_lone_surrogates_are_a_400_naming_the_field(body, field):
    response = APIClient().post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 400
    error = api_error(response)
    assert error["code"] == "invalid_input" and field in error["details"]


def test_json_surrogate_pairs_are_ordinary_text():
    # "\ud83d\ude00" is one emoji written as an escaped pair: valid JSON text, not a lone surrogate.
    from motcua.api.parsers import SafeJSONParser

    assert SafeJSONParser().parse(_stream('{"a": "\\ud83d\\ude00"}')) == {"a": "😀"}


@pytest.mark.parametrize("body", [b"\xff\xfe{", b'{"a": NaN}', b"", b"{"])
def test_unreadable_json_is_a_400_parse_error(api, body):
    response = api.post("/api/v1/dossiers", body, content_type="application/json")
    assert response.status_code == 400
    assert api_error(response)["code"] in {"parse_error", "invalid_input"}


def test_json_body_over_the_size_limit_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = api.post("/api/v1/dossiers", '{"q": "' + "x" * 2_000 + '"}', content_type="application/json")
    assert response.status_code == 413
    assert api_error(response)["code"] == "too_large"


def _stream(text: str):
    import io

    return io.BytesIO(text.encode())


# --- NUL bytes and other invalid characters in addresses, queries and forms -------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/tra-cuu/?ma=a%00b&ma_tra_cuu=x",
        "/tra-cuu/?ma=a%00b",
        "/tra-cuu/?a%00=1",
        "/can-bo/ho-so/a%00b/",
        "/can-bo/ho-so/a%00b/in/giay-tiep-nhan.pdf",
        "/can-bo/tiep-nhan/a%00b/",
        "/can-bo/tiep-nhan/?q=a%00b",
        "/can-bo/tiep-nhan/1.019901/?applicant_kind=citizen&identifier=%00&lookup=1",
        "/can-bo/?q=%00",
        "/khong-co/a%00b/",
    ],
)
def test_nul_in_a_page_address_or_query_is_a_400_page(officer, url):
    response = officer.get(url)
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in vietnamese_page(response)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/lookup?code=a%00b&secret=x",
        "/api/v1/procedures/a%00b",
        "/api/v1/procedures?q=%00",
        "/api/v1/dossiers/a%00b",
        "/api/v1/nowhere%00",
    ],
)
def test_nul_in_an_api_address_or_query_is_a_400_in_the_error_shape(api, url):
    response = api.get(url)
    assert response.status_code == 400
    assert api_error(response)["code"] == "invalid_characters"


def test_nul_in_a_form_body_is_a_400_page(officer):
    response = officer.post(
        "/can-bo/tiep-nhan/1.019901/",
        "applicant_kind=citizen&identifier=07508800%000001",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in vietnamese_page(response)


def test_nul_in_an_api_form_body_is_a_400_in_the_error_shape():
    response = APIClient().post(
        "/api/v1/auth/token", "username=a%00b&password=demo", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in {400, 415}
    assert api_error(response)["code"] in {"invalid_characters", "unsupported_media_type"}


def test_nul_in_a_cookie_is_a_400_page():
    # Python's cookie parser turns the octal escape "\000" into NUL: a session key PostgreSQL refuses.
    response = Client().get("/can-bo/", HTTP_COOKIE='sessionid="\\000abcdefghijkl"')
    assert response.status_code == 400
    vietnamese_page(response)


def test_oversized_form_body_is_a_400_page_not_a_crash(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = Client().post(
        "/can-bo/dang-nhap/",
        "username=a&password=" + "x" * 2_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in vietnamese_page(response)


def test_ordinary_vietnamese_queries_pass_the_check(officer):
    response = officer.get("/can-bo/tiep-nhan/", {"q": "Văn phòng công chứng"})
    assert response.status_code == 200


# --- out-of-range values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/can-bo/?to_date=9999-12-31", "/can-bo/?from_date=31/12/9999&to_date=31/12/9999"]
)
def test_dates_at_the_end_of_the_calendar_are_a_400_page_not_a_crash(officer, url):
    response = officer.get(url)
    assert response.status_code == 400
    vietnamese_page(response)


def test_a_naive_date_at_the_start_of_the_calendar_is_a_400_in_the_error_shape(api):
    response = api.get("/api/v1/dossiers", {"due_before": "0001-01-01T00:00:00"})
    assert response.status_code == 400
    api_error(response)


# --- unknown API addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize(
    "path",
    ["/api/", "/api/v1/", "/api/v2/procedures", "/api/nope", "/api/v1/procedures/", "/api/v1/dossiers/x/y/z"],
)
def test_unknown_api_address_is_a_404_in_the_error_shape(method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 404
    assert api_error(response)["code"] == "not_found"


def test_unknown_api_address_is_a_404_even_with_a_bad_token():
    response = Client().get("/api/v2/x", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 404
    assert api_error(response)["code"] == "not_found"


def test_wrong_method_on_a_known_api_address_is_a_405_in_the_error_shape():
    response = Client().delete("/api/v1/units")
    assert response.status_code == 405
    assert api_error(response)["code"] == "method_not_allowed"


def test_known_api_addresses_still_answer():
    assert Client().get("/api/v1/units").status_code in {200, 401}
    assert Client().get("/api/schema/").status_code == 200


# --- the site's own error pages (what people see with DEBUG off) ------------------------------------


def test_unknown_page_is_a_vietnamese_404_page():
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in vietnamese_page(response)


def test_server_error_page_is_vietnamese():
    from django.urls import get_resolver

    handler = get_resolver().resolve_error_handler(500)
    response = handler(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="vi">' in page and "Hệ thống gặp lỗi" in page


def test_server_error_under_api_is_json():
    from django.urls import get_resolver

    response = get_resolver().resolve_error_handler(500)(RequestFactory().get("/api/v1/units"))
    assert response.status_code == 500
    assert api_error(response)["code"] == "server_error"


# --- the OpenAPI schema says which fields may be null --------------------------------------------------


@pytest.fixture(scope="module")
def schema_components() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def test_unit_successor_and_parent_are_nullable_in_the_schema(schema_components):
    unit = schema_components["Unit"]["properties"]
    assert unit["successor"].get("nullable") is True
    assert unit["parent"].get("nullable") is True


def _nullable_path(model, source: str) -> bool | None:
    """Whether following `source` (`a.b.c`) from `model` may meet a NULL forward field; None when
    the source is not a chain of model fields (a property, a method)."""
    from django.core.exceptions import FieldDoesNotExist

    for attr in source.split("."):
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        if field.auto_created and not field.concrete:  # a reverse relation: a list, never null
            return None
        if getattr(field, "null", False):
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def test_every_field_that_can_be_null_in_the_database_is_nullable_in_the_schema(schema_components):
    from rest_framework import serializers

    from motcua.api import dossier_serializers
    from motcua.api import serializers as read_serializers

    missing = []
    for module in (read_serializers, dossier_serializers):
        for name, cls in vars(module).items():
            if not (
                isinstance(cls, type)
                and issubclass(cls, serializers.ModelSerializer)
                and cls.__module__ == module.__name__
            ):
                continue
            component = schema_components.get(name.removesuffix("Serializer"))
            if component is None:
                continue
            for field_name, field in cls().fields.items():
                if field.source == "*" or isinstance(field, serializers.SerializerMethodField):
                    continue
                if field_name not in component["properties"]:
                    continue
                if _nullable_path(cls.Meta.model, field.source) and not component["properties"][
                    field_name
                ].get("nullable"):
                    missing.append(f"{name}.{field_name}")
    assert missing == []


# --- two refusals, two codes --------------------------------------------------------------------


def test_r13_unlawful_pause_reason_and_open_consultation_carry_distinct_codes():
    lawful = {"pause_reason": "financial_obligation", "reason": "Chờ nộp phí thẩm định"}

    d = notary_processing(at("2026-03-02 08:00"))
    with pytest.raises(RuleViolation) as unlawful:
        act(
            d,
            "pause",
            "chuyenvien.sotuphap",
            now=at("2026-03-03 08:00"),
            pause_reason="nghi_phep",
            reason="Nghỉ phép",
        )
    assert (unlawful.value.rule, unlawful.value.code) == ("R-13", "pause_reason_unlawful")

    d = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"), days=3)
    with pytest.raises(RuleViolation) as waiting:
        act(d, "pause", "chuyenvien.sonoivu", now=at("2026-03-03 09:00"), **lawful)
    assert (waiting.value.rule, waiting.value.code) == ("R-13", "consultation_open")


# --- a little fuzzing: odd query values never give a 500 ------------------------------------------------

_ODD = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "99999999999999999999999",
            "1e309",
            "NaN",
            "9999-12-31",
            "0001-01-01",
            "31/12/9999",
            "0001-01-01T00:00:00",
            "9999-12-31T23:59:59",
            "\x00",
            "\ud800",
            "%",
            "'; --",
            "x" * 5_000,
        ]
    ),
)
_API_QUERIES = {
    "/api/v1/procedures": ["q", "level", "unit", "field", "internal", "online_level", "page", "page_size"],
    "/api/v1/units": ["q", "kind", "level", "parent", "include_expired", "page"],
    "/api/v1/dossiers": ["state", "unit", "overdue", "due_before", "q", "procedure", "channel", "page"],
    "/api/v1/lookup": ["code", "secret"],
}
_PAGES = {
    "/can-bo/": ["tab", "q", "procedure", "field", "channel", "from_date", "to_date", "page"],
    "/can-bo/tiep-nhan/": ["q"],
    "/can-bo/xin-y-kien/": ["page"],
    "/can-bo/so-theo-doi/": ["noi", "tu_ngay", "den_ngay", "format"],
    "/can-bo/thu-tuc-noi-bo/": ["unit"],
    "/tra-cuu/": ["ma", "ma_tra_cuu"],
}


def _query(params: dict[str, str]) -> str:
    from urllib.parse import quote

    return "&".join(f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in params.items())


@hypothesis_settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_api_queries_with_odd_values_never_give_a_500(api, data):
    path = data.draw(st.sampled_from(sorted(_API_QUERIES)))
    params = data.draw(st.dictionaries(st.sampled_from(_API_QUERIES[path]), _ODD, max_size=4))
    response = api.get(f"{path}?{_query(params)}")
    assert response.status_code < 500, (path, params, response.content[:300])
    if response.status_code >= 400:
        api_error(response)


@hypothesis_settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_page_queries_with_odd_values_never_give_a_500(officer, data):
    path = data.draw(st.sampled_from(sorted(_PAGES)))
    params = data.draw(st.dictionaries(st.sampled_from(_PAGES[path]), _ODD, max_size=4))
    response = officer.get(f"{path}?{_query(params)}")
    assert response.status_code < 500, (path, params, response.content[:300])
