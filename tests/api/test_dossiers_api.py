"""The dossier REST API (issue 3, item 4): every endpoint, its filters, who sees and does what, and
the one error shape — {"error": {"code", "message" (Vietnamese), "rule"}} with a 4xx, never a 500."""

import datetime
import itertools
import json
import re
import uuid

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.api.actions import ACTION_INPUTS
from motcua.dossiers import services
from motcua.dossiers.context import ActionInput
from motcua.dossiers.services import ApplicantInput, SubmissionInput
from motcua.dossiers.states import Action
from tests.api.conftest import CITIZEN, upload

pytestmark = pytest.mark.django_db

LLTP = "1.019904"  # Phiếu lý lịch tư pháp — Công an tỉnh (000.00.30.H19), two cases, fees
POLICE = "000.00.30.H19"
COURT = "000.00.31.H19"
JUSTICE = "000.00.05.H19"
CODE_RE = re.compile(r"^000\.00\.30\.H19-\d{6}-\d{4}$")
ISO_VN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$")


def error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "rule"} <= set(body["error"]), body
    return body["error"]


def vietnamese(message: str) -> bool:
    return not message.isascii()


def submit(anon, procedure=LLTP, *, case="TH1", channel="online", applicant=CITIZEN, **extra):
    body = {"procedure": procedure, "channel": channel, "applicant": applicant, **extra}
    if case:
        body["case"] = case
    return anon.post("/api/v1/dossiers", body, format="json")


def act(anon, code: str, action: str, version: int, **fields):
    return anon.post(
        f"/api/v1/dossiers/{code}/actions/{action}", {"version": version, **fields}, format="json"
    )


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.fixture
def citizen(login):
    return login("congdan1")


@pytest.fixture
def police(login):
    """Công an tỉnh's officer: receives online dossiers (counter role) and processes them."""
    return login("chuyenvien.congantinh")


@pytest.fixture
def submitted(citizen) -> dict:
    return ok(submit(citizen), 201)


@pytest.fixture
def processing(submitted, police) -> dict:
    received = ok(act(police, submitted["code"], "receive", 1))
    return ok(act(police, submitted["code"], "forward", received["version"]))


# --- sign-in -------------------------------------------------------------------------------------


def test_token_exchange_and_bearer_authentication(demo, anon):
    response = anon.post("/api/v1/auth/token", {"username": "congdan1", "password": "demo"}, format="json")
    token = ok(response)["token"]
    assert list(response.json()) == ["token"]

    assert anon.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    # Signing in again gives another token (only digests are stored, so none can be handed out
    # twice); both work until they expire.
    again = ok(anon.post("/api/v1/auth/token", {"username": "congdan1", "password": "demo"}, format="json"))
    assert again["token"] != token
    assert anon.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {again['token']}").status_code == 200
    assert anon.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    anonymous = anon.get("/api/v1/dossiers")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Bearer"
    assert error(anonymous)["code"] == "not_authenticated"
    forged = anon.get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert forged.status_code == 401 and vietnamese(error(forged)["message"])

    wrong = anon.post("/api/v1/auth/token", {"username": "congdan1", "password": "sai"}, format="json")
    assert wrong.status_code == 400
    assert error(wrong) == {
        "code": "invalid_credentials",
        "message": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "rule": None,
    }
    missing = anon.post("/api/v1/auth/token", {"username": "congdan1"}, format="json")
    assert missing.status_code == 400
    assert error(missing)["details"] == {"password": ["Trường này là bắt buộc."]}


def test_token_expires_and_signing_in_again_gives_a_new_one(demo, anon, settings):
    from knox.crypto import hash_token
    from knox.models import AuthToken

    credentials = {"username": "congdan1", "password": "demo"}
    token = ok(anon.post("/api/v1/auth/token", credentials, format="json"))["token"]
    stored = AuthToken.objects.get(digest=hash_token(token))
    assert abs(stored.expiry - stored.created - settings.API_TOKEN_TTL).total_seconds() < 5
    AuthToken.objects.filter(digest=stored.digest).update(expiry=timezone.now())
    expired = anon.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert expired.status_code == 401 and error(expired)["code"] == "token_expired"
    assert "hết hạn" in error(expired)["message"]
    fresh_token = ok(anon.post("/api/v1/auth/token", credentials, format="json"))["token"]
    assert fresh_token != token
    assert anon.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {fresh_token}").status_code == 200


def test_password_login_refused_where_disabled(demo, anon):
    with override_settings(PASSWORD_LOGIN_ENABLED=False):
        response = anon.post(
            "/api/v1/auth/token", {"username": "congdan1", "password": "demo"}, format="json"
        )
    assert response.status_code == 403
    body = error(response)
    assert body["code"] == "password_login_disabled" and body["rule"] == "R-26"
    assert "VNeID" in body["message"] and vietnamese(body["message"])


def test_token_exchange_is_throttled(demo, anon):
    rates = {"REST_FRAMEWORK": {**_rest_settings(), "DEFAULT_THROTTLE_RATES": {"auth": "2/min"}}}
    with override_settings(**rates):
        statuses = [
            anon.post("/api/v1/auth/token", {"username": "x", "password": "y"}, format="json").status_code
            for _ in range(3)
        ]
    assert statuses == [400, 400, 429]


def _rest_settings() -> dict:
    from django.conf import settings as django_settings

    return dict(django_settings.REST_FRAMEWORK)


# --- documents -----------------------------------------------------------------------------------


def test_upload_document(citizen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.conftest import PDF

    response = citizen.post(
        "/api/v1/documents",
        {"file": SimpleUploadedFile("Tờ khai.pdf", PDF), "kind": "submitted"},
        format="multipart",
    )
    body = ok(response, 201)
    assert set(body) == {
        "id",
        "name",
        "kind",
        "kind_display",
        "content_type",
        "size",
        "sha256",
        "signed",
        "signature_status",
        "signature_signer",
        "signature_signed_at",
        "signature_checked_at",
    }
    assert body["name"] == "Tờ khai.pdf" and body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF) and len(body["sha256"]) == 64
    assert body["signed"] is False and body["signature_status"] == "unsigned"

    renamed = citizen.post(
        "/api/v1/documents",
        {"file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00"), "kind": "submitted"},
        format="multipart",
    )
    assert renamed.status_code == 400
    assert error(renamed)["details"] == {
        "file": "Nội dung tệp không khớp với phần mở rộng (tệp có thể bị đổi tên)."
    }
    bad_kind = citizen.post(
        "/api/v1/documents", {"file": SimpleUploadedFile("a.pdf", PDF), "kind": "x"}, format="multipart"
    )
    assert bad_kind.status_code == 400
    assert error(bad_kind)["details"]["kind"] == ["Giá trị không nằm trong các lựa chọn cho phép."]
    no_file = citizen.post("/api/v1/documents", {"kind": "submitted"}, format="multipart")
    assert error(no_file)["details"]["file"] == ["Không có tập tin nào được gửi."]
    as_json = citizen.post("/api/v1/documents", {"kind": "submitted"}, format="json")
    assert as_json.status_code == 415


def test_upload_needs_sign_in(demo, anon):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.conftest import PDF

    response = anon.post("/api/v1/documents", {"file": SimpleUploadedFile("a.pdf", PDF), "kind": "submitted"})
    assert response.status_code == 401


# --- submission ----------------------------------------------------------------------------------


def test_online_submission_by_the_applicant(citizen):
    document = upload(citizen, "submitted")
    body = ok(
        submit(citizen, summary="Xin cấp Phiếu lý lịch tư pháp số 1", documents=[document]),
        201,
    )
    assert CODE_RE.match(body["code"])
    assert re.fullmatch(r"[A-Z2-9]{8}", body["lookup_secret"])
    assert body["version"] == 1
    assert (body["state"], body["state_display"]) == ("submitted", "Mới nộp, chờ tiếp nhận")
    assert (body["national_status"], body["national_status_display"]) == (1, "Mới đăng ký")
    assert body["due_at"] is None and body["received_at"] is None
    assert ISO_VN.match(body["submitted_at"])
    assert body["procedure"]["code"] == LLTP and body["case"]["code"] == "TH1"
    assert body["receiving_unit"]["code"] == POLICE == body["deciding_unit"]["code"]
    assert body["applicant"]["identifier"] == CITIZEN["identifier"]
    assert body["applicant"]["kind"] == "citizen"
    assert [d["id"] for d in body["documents"]] == [document]
    assert sorted(f["amount"] for f in body["fees"]) == [100000, 200000]
    assert body["allowed_actions"] == ["receive", "reject", "request_supplement"]
    assert body["overdue"] is False
    # The R-11 sheet before reception: every step of the approved process still to come.
    assert [s["status"] for s in body["steps"]] == ["pending"] * 5
    assert body["steps"][0]["unit"]["code"] == POLICE and body["steps"][0]["budget_hours"] == 4


def test_submission_answer_is_the_stored_dossier_without_a_read_back(citizen):
    """The 201 body is built from what `submit` just wrote (no re-read, DESIGN.md submission
    target): it must be exactly what a later GET shows, and the request's queries stay few."""
    documents = [upload(citizen, "submitted"), upload(citizen, "submitted")]
    with CaptureQueriesContext(connection) as ctx:
        body = ok(submit(citizen, summary="Hồ sơ đối chiếu", documents=documents), 201)
    sql = [q["sql"] for q in ctx.captured_queries]  # now: the next request clears the query log
    assert not [q for q in sql if 'FROM "dossiers_dossier"' in q], "the new dossier was read back"
    assert len(sql) <= 20, [q[:80] for q in sql]
    assert ok(citizen.get(f"/api/v1/dossiers/{body['code']}")) == body
    assert [d["id"] for d in body["documents"]] == documents


def test_counter_submission_by_a_counter_officer(login):
    clerk = login("tiepnhan.tranbien")
    body = ok(submit(clerk, "2.000815", case="", channel="counter", applicant=CITIZEN), 201)
    assert body["code"].startswith("000.01.61.H19-")
    assert body["receiving_unit"]["code"] == "000.01.61.H19"
    assert body["deciding_unit"]["code"] == "000.00.61.H19"
    assert body["counter"].startswith("Quầy 1")
    assert body["lookup_secret"]
    # The applicant's own account sees the dossier entered for them at the counter.
    mine = ok(login("congdan1").get("/api/v1/dossiers"))
    assert body["code"] in [d["code"] for d in mine["results"]]


@pytest.mark.parametrize(
    "username, body, status, code, rule",
    [
        # A citizen cannot enter a counter dossier.
        ("congdan1", {"procedure": "2.000815", "channel": "counter"}, 403, "permission_denied", "R-01"),
        # Internal procedure with an online service: never at the counter.
        ("tiepnhan.tinh3", {"procedure": "1.019912", "channel": "counter"}, 422, "rule_violation", "R-19"),
        # No online service for this procedure.
        ("congdan1", {"procedure": "2.000815", "channel": "online"}, 422, "rule_violation", "R-28"),
        ("congdan1", {"procedure": "9.999999", "channel": "online"}, 404, "procedure_not_found", None),
        # Two cases: the case must be chosen.
        ("congdan1", {"procedure": LLTP, "channel": "online"}, 400, "invalid_input", None),
    ],
)
def test_submission_refusals(login, username, body, status, code, rule):
    applicant = (
        {**CITIZEN}
        if username != "tiepnhan.tinh3"
        else {
            "kind": "state_body",
            "identifier": "000.00.63.H19",
            "unit": "000.00.63.H19",
            "name": "Ủy ban nhân dân phường Long Khánh",
        }
    )
    response = login(username).post("/api/v1/dossiers", {**body, "applicant": applicant}, format="json")
    assert response.status_code == status, response.content
    err = error(response)
    assert (err["code"], err["rule"]) == (code, rule)
    assert vietnamese(err["message"])


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"procedure": LLTP, "case": "TH1", "channel": "fax"}, "channel"),
        ({"procedure": LLTP, "case": "TH1", "channel": "online", "applicant": "x"}, "applicant"),
        ({"procedure": ["x"], "case": "TH1", "channel": "online"}, "procedure"),
        ({"procedure": LLTP, "case": "TH1", "channel": "online", "summary": "x" * 5000}, "summary"),
        ({"procedure": LLTP, "case": "TH1", "channel": "online", "documents": ["nope"]}, "documents"),
        (
            {"procedure": LLTP, "case": "TH1", "channel": "online", "documents": [str(uuid.uuid4())]},
            "documents",
        ),
        ({"procedure": LLTP, "case": "TH1", "channel": "online", "summary": "a\x00b"}, "summary"),
    ],
)
def test_submission_bad_input_is_400_in_vietnamese(citizen, payload, field):
    payload = {"applicant": CITIZEN, **payload}
    response = citizen.post("/api/v1/dossiers", payload, format="json")
    assert response.status_code == 400, response.content
    err = error(response)
    assert err["code"] == "invalid_input" and field in err["details"]
    assert all(vietnamese(str(m)) for m in _messages(err["details"][field]))


def test_lone_surrogate_is_400_not_a_database_error(citizen):
    raw = (
        '{"procedure": "1.019904", "case": "TH1", "channel": "online", "summary": "\\ud800", "applicant": %s}'
    )
    response = citizen.post(
        "/api/v1/dossiers", data=raw % json.dumps(CITIZEN), content_type="application/json"
    )
    assert response.status_code == 400
    assert error(response)["details"] == {"summary": ["Không được chứa ký tự Unicode không hợp lệ."]}


def _messages(detail):
    if isinstance(detail, dict):
        return [m for v in detail.values() for m in _messages(v)]
    if isinstance(detail, list):
        return [m for v in detail for m in _messages(v)]
    return [detail]


def test_malformed_json_and_wrong_media_type(citizen):
    broken = citizen.post("/api/v1/dossiers", data='{"procedure": ', content_type="application/json")
    assert broken.status_code == 400 and error(broken)["code"] == "parse_error"
    as_list = citizen.post("/api/v1/dossiers", data="[1, 2]", content_type="application/json")
    assert as_list.status_code == 400 and error(as_list)["code"] == "invalid_input"
    form = citizen.post("/api/v1/dossiers", data="a=b", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415 and error(form)["code"] == "unsupported_media_type"


def test_invalid_applicant_identifier_is_400(login):
    # Typed at the counter (online, the identity is the account's own: R-26).
    clerk = login("tiepnhan.tranbien")
    response = submit(
        clerk, "2.000815", case="", channel="counter", applicant={**CITIZEN, "identifier": "123"}
    )
    assert response.status_code == 400
    assert error(response)["details"] == {"applicant.identifier": "Số định danh cá nhân gồm đúng 12 chữ số."}


# --- list: filters, scoping, query counts ---------------------------------------------------------


def _codes(response) -> list[str]:
    return [d["code"] for d in ok(response)["results"]]


def test_list_filters(citizen, police, submitted, processing):
    other = ok(submit(citizen, case="TH2", summary="Trường hợp xác minh"), 201)
    code = submitted["code"]  # == processing["code"]

    assert _codes(police.get("/api/v1/dossiers")) == [other["code"], code]
    assert _codes(police.get("/api/v1/dossiers", {"state": "processing"})) == [code]
    assert _codes(police.get("/api/v1/dossiers", {"state": "submitted"})) == [other["code"]]
    assert _codes(police.get("/api/v1/dossiers", {"unit": POLICE})) == [other["code"], code]
    assert _codes(police.get("/api/v1/dossiers", {"unit": JUSTICE})) == []
    assert _codes(police.get("/api/v1/dossiers", {"procedure": LLTP, "channel": "online"})) == [
        other["code"],
        code,
    ]
    assert _codes(police.get("/api/v1/dossiers", {"channel": "counter"})) == []
    assert _codes(police.get("/api/v1/dossiers", {"q": code})) == [code]
    assert _codes(police.get("/api/v1/dossiers", {"q": code[:-1]})) == [other["code"], code]
    assert _codes(police.get("/api/v1/dossiers", {"q": CITIZEN["identifier"]})) == [other["code"], code]
    assert _codes(police.get("/api/v1/dossiers", {"q": "Văn Thử"})) == [other["code"], code]
    # Diacritics-insensitive, any case, words in any order (officers type without accents).
    for typed in ("van thu", "THU NGUYEN", "nguyễn văn thu"):
        assert _codes(police.get("/api/v1/dossiers", {"q": typed})) == [other["code"], code], typed
    assert _codes(police.get("/api/v1/dossiers", {"q": code.lower()[-8:]})) == [code]
    assert _codes(police.get("/api/v1/dossiers", {"q": "van thu " + code.lower()})) == [code]
    assert _codes(police.get("/api/v1/dossiers", {"q": "Không Có Ai"})) == []
    # Only the received one has a due date; it is weeks away.
    far = (timezone.now() + datetime.timedelta(days=365)).isoformat()
    assert _codes(police.get("/api/v1/dossiers", {"due_before": far})) == [code]
    assert _codes(police.get("/api/v1/dossiers", {"due_before": "2020-01-01"})) == []
    assert _codes(police.get("/api/v1/dossiers", {"overdue": "true"})) == []
    assert _codes(police.get("/api/v1/dossiers", {"overdue": "false"})) == [other["code"], code]

    page = ok(police.get("/api/v1/dossiers", {"page_size": 1}))
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]
    row = page["results"][0]
    assert row["state_display"] and row["national_status"] == 1 and "lookup_secret" not in row


@pytest.mark.parametrize(
    "params, field",
    [
        ({"state": "nope"}, "state"),
        ({"overdue": "perhaps"}, "overdue"),
        ({"due_before": "tomorrow"}, "due_before"),
        ({"channel": "fax"}, "channel"),
        ({"q": "x" * 500}, "q"),
    ],
)
def test_list_bad_filters_are_400(police, params, field):
    response = police.get("/api/v1/dossiers", params)
    assert response.status_code == 400
    assert field in error(response)["details"]


def test_bad_page_is_404_json(police):
    response = police.get("/api/v1/dossiers", {"page": 99})
    assert response.status_code == 404 and error(response)["code"] == "not_found"


def _past_dossier(days_ago: int) -> str:
    """A dossier received long ago (the service layer takes the clock; the API has none)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    past = timezone.now() - datetime.timedelta(days=days_ago)
    dossier = services.submit(
        SubmissionInput(
            procedure_code=LLTP,
            case_code="TH1",
            channel="online",
            applicant=ApplicantInput(**{k: CITIZEN[k] for k in ("kind", "identifier", "name")}),
        ),
        actor=users.get(username="congdan1"),
        now=past,
    )
    officer = users.get(username="chuyenvien.congantinh")
    services.apply(dossier.code, "receive", officer, ActionInput(version=1), now=past)
    services.apply(dossier.code, "forward", officer, ActionInput(version=2), now=past)
    return dossier.code


def test_overdue_filter_and_flag(police, submitted):
    late = _past_dossier(40)
    assert _codes(police.get("/api/v1/dossiers", {"overdue": "true"})) == [late]
    assert late not in _codes(police.get("/api/v1/dossiers", {"overdue": "false"}))
    detail = ok(police.get(f"/api/v1/dossiers/{late}"))
    assert detail["overdue"] is True
    # The processing step's budget ran out long ago: the sheet says so while it is still open.
    assert [s["status"] for s in detail["steps"]][1:3] == ["overdue", "pending"]
    assert detail["steps"][0]["status"] in ("early", "on_time")
    assert detail["steps"][1]["status_display"] == "Đang xử lý, đã quá hạn"


def test_officers_see_only_their_units_dossiers(login, submitted):
    code = submitted["code"]
    justice = login("chuyenvien.sotuphap")
    assert _codes(justice.get("/api/v1/dossiers")) == []
    assert justice.get(f"/api/v1/dossiers/{code}").status_code == 404
    assert justice.get(f"/api/v1/dossiers/{code}/events").status_code == 404
    # Acting on another unit's dossier answers exactly like reading it: it does not exist for him
    # (issue 8 item 1: no version, no state, no hint that the code was issued).
    refused = act(justice, code, "receive", 1)
    assert refused.status_code == 404
    assert refused.content == justice.get(f"/api/v1/dossiers/{code}").content
    assert error(refused)["code"] == "dossier_not_found"
    # Someone who sees it but may not act gets the lifecycle guard's refusal, with its rule.
    own = act(login("congdan1"), code, "receive", 1)
    assert own.status_code == 403
    err = error(own)
    assert (err["code"], err["rule"]) == ("permission_denied", "R-01")
    assert "Công an tỉnh Đồng Nai" in err["message"]
    # The unit's leader and its head of division see it; so does the superuser administrator.
    for username in ("lanhdao.congantinh", "truongphong.congantinh", "quantri"):
        assert code in _codes(login(username).get("/api/v1/dossiers")), username


def test_r26_province_wide_demo_roles_see_the_whole_provinces_dossiers(login):
    """The provincial office monitors compliance (R-21) and home affairs evaluates (R-16) across
    the province: a ward's dossier is in their lists, though they work at neither ward."""
    ward_dossier = ok(
        submit(login("tiepnhan.tranbien"), "2.000815", case="", channel="counter", applicant=CITIZEN), 201
    )["code"]
    for username in ("vanphong.ubnd", "noivu.danhgia"):
        assert ward_dossier in _codes(login(username).get("/api/v1/dossiers")), username
    assert ward_dossier not in _codes(login("chuyenvien.sotuphap").get("/api/v1/dossiers"))


def test_applicants_see_only_their_own(login, submitted):
    code = submitted["code"]
    assert _codes(login("congdan1").get("/api/v1/dossiers")) == [code]
    stranger = login("congdan2")
    assert _codes(stranger.get("/api/v1/dossiers")) == []
    assert stranger.get(f"/api/v1/dossiers/{code}").status_code == 404
    refused = act(stranger, code, "receive", 1)
    assert refused.status_code == 404 and error(refused)["code"] == "dossier_not_found"


def test_consulted_unit_sees_the_dossier(login, police, processing):
    code = processing["code"]
    court = login("chuyenvien.toaan")
    assert _codes(court.get("/api/v1/dossiers")) == []
    consulted = ok(
        act(
            police,
            code,
            "consult",
            processing["version"],
            to_unit=COURT,
            content="Đề nghị cung cấp thông tin về án tích của người nộp.",
            reply_days=3,
        )
    )
    assert _codes(court.get("/api/v1/dossiers")) == [code]
    assert (
        ok(court.get(f"/api/v1/dossiers/{code}"))["consultations"][0]["id"]
        == consulted["consultations"][0]["id"]
    )


def test_list_query_count_does_not_grow_with_rows(login):
    from django.contrib.auth import get_user_model

    officer = login("chuyenvien.congantinh")
    citizen_user = get_user_model().objects.get(username="congdan1")

    def add(n: int) -> None:
        for _ in range(n):
            services.submit(
                SubmissionInput(
                    procedure_code=LLTP,
                    case_code="TH1",
                    channel="online",
                    applicant=ApplicantInput(**{k: CITIZEN[k] for k in ("kind", "identifier", "name")}),
                ),
                actor=citizen_user,
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get("/api/v1/dossiers").status_code == 200
        return len(ctx.captured_queries)

    add(2)
    few = queries()
    add(8)
    many = queries()
    assert few == many, (few, many)
    assert many <= 12


def test_detail_query_count_does_not_grow_with_history(login, police, processing):
    code = processing["code"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert police.get(f"/api/v1/dossiers/{code}").status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    version = ok(act(police, code, "forward", processing["version"]))["version"]
    ok(act(login("truongphong.congantinh"), code, "forward", version))
    assert queries() == before


# --- detail and events ------------------------------------------------------------------------------


def test_detail_after_reception(police, submitted):
    code = submitted["code"]
    body = ok(act(police, code, "receive", 1))
    assert body["version"] == 2 and body["state"] == "received" and body["national_status"] == 2
    for key in ("received_at", "due_at", "original_due_at"):
        assert ISO_VN.match(body[key]), (key, body[key])
    assert body["due_at"] == body["original_due_at"] and body["extended_due_at"] is None
    assert body["time_limit"] == {"value": 10, "unit": "working_days", "unit_display": "Ngày làm việc"}
    assert set(body["allowed_actions"]) >= {"forward", "stop", "request_withdrawal", "issue_result"}
    first = body["steps"][0]
    assert first["status"] in ("early", "on_time")
    assert first["handler"] == "Bùi Đức Khoa" and first["unit"]["code"] == POLICE
    assert ISO_VN.match(first["ended_at"]) and first["role_display"] == "Cán bộ tiếp nhận (một cửa)"
    assert [s["status"] for s in body["steps"][1:]] == ["pending"] * 4
    assert ok(police.get(f"/api/v1/dossiers/{code}")) == body


def test_unknown_dossier_is_404(police):
    for path in ("/api/v1/dossiers/KHONG-CO", "/api/v1/dossiers/KHONG-CO/events"):
        response = police.get(path)
        assert response.status_code == 404
        assert error(response) == {
            "code": "dossier_not_found",
            "message": "Không tìm thấy hồ sơ.",
            "rule": None,
        }
    response = act(police, "KHONG-CO", "receive", 1)
    assert response.status_code == 404 and error(response)["code"] == "dossier_not_found"


def test_strange_codes_in_paths_are_4xx_not_500(police):
    # PostgreSQL refuses NUL bytes in text: a NUL anywhere in the address is refused before any view
    # (400, item 6 of issue 8); any other odd code is checked before any query (404).
    for path, status, code in (
        ("/api/v1/dossiers/%00", 400, "invalid_characters"),
        ("/api/v1/dossiers/a%00b/events", 400, "invalid_characters"),
        ("/api/v1/dossiers/" + "9" * 200, 404, "dossier_not_found"),
        ("/api/v1/dossiers/a%01b", 404, "dossier_not_found"),
        ("/api/v1/procedures/%00", 400, "invalid_characters"),
    ):
        response = police.get(path)
        assert response.status_code == status, path
        assert error(response)["code"] == code
    response = act(police, "x%00", "receive", 1)
    assert response.status_code == 400 and error(response)["code"] == "invalid_characters"


def test_event_log(police, citizen, processing):
    code = processing["code"]
    events = ok(citizen.get(f"/api/v1/dossiers/{code}/events"))
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert [e["action"] for e in events] == ["submit", "receive", "forward"]
    assert [e["action_display"] for e in events] == ["Nộp hồ sơ", "Tiếp nhận", "Chuyển bước xử lý"]
    assert [(e["from_state"], e["to_state"]) for e in events] == [
        ("", "submitted"),
        ("submitted", "received"),
        ("received", "processing"),
    ]
    assert events[0]["prev_hash"] == "" and all(
        later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(events)
    )
    assert events[1]["actor_name"] == "Bùi Đức Khoa" and events[1]["unit"] == POLICE
    assert events[2]["step"] == {"order": 2, "name": "Thẩm định hồ sơ, dự thảo kết quả"}
    assert events[2]["data"]["step"]["unit"] == POLICE
    assert ISO_VN.match(events[0]["at"])


# --- actions: errors ---------------------------------------------------------------------------------


def test_stale_version_is_409(police, submitted):
    code = submitted["code"]
    ok(act(police, code, "receive", 1))
    stale = act(police, code, "forward", 1)
    assert stale.status_code == 409
    err = error(stale)
    assert err["code"] == "stale_version" and err["details"] == {"current_version": 2}
    assert "phiên bản hiện tại 2" in err["message"]


def test_action_not_allowed_in_state_is_409(police, submitted):
    response = act(police, submitted["code"], "return_result", 1)
    assert response.status_code == 409
    err = error(response)
    assert err["code"] == "action_not_allowed"
    assert err["message"] == "Không thể “trả kết quả” khi hồ sơ đang ở trạng thái “Mới nộp, chờ tiếp nhận”."


def test_unknown_action_is_404(police, submitted):
    response = act(police, submitted["code"], "approve_everything", 1)
    assert response.status_code == 404
    assert error(response)["code"] == "action_not_found"
    assert police.get(f"/api/v1/dossiers/{submitted['code']}/actions/receive").status_code == 405


def test_actions_need_sign_in(demo, anon, submitted):
    response = act(anon, submitted["code"], "receive", 1)
    assert response.status_code == 401


def test_rule_refusals_are_422_with_rule(police, processing):
    code, version = processing["code"], processing["version"]
    too_long = act(
        police,
        code,
        "consult",
        version,
        to_unit=COURT,
        content="Đề nghị cho ý kiến về án tích.",
        reply_days=30,
    )
    assert too_long.status_code == 422
    err = error(too_long)
    assert (err["code"], err["rule"]) == ("rule_violation", "R-12")
    assert err["details"] == {"reply_days": err["message"]}
    no_content = act(police, code, "consult", version, to_unit=COURT, reply_days=2)
    assert error(no_content)["rule"] == "R-12"

    unlawful = act(police, code, "pause", version, pause_reason="busy", reason="Cán bộ nghỉ phép")
    assert unlawful.status_code == 422
    assert (error(unlawful)["code"], error(unlawful)["rule"]) == ("pause_reason_unlawful", "R-13")
    no_result = act(police, code, "issue_result", version)
    assert no_result.status_code == 422 and error(no_result)["rule"] == "R-14"
    no_items = act(police, code, "request_supplement", version, reason="Thiếu giấy tờ")
    assert no_items.status_code == 422 and error(no_items)["rule"] == "R-17"
    # Nothing changed: every refusal left the version where it was.
    assert ok(police.get(f"/api/v1/dossiers/{code}"))["version"] == version


def test_pause_refused_while_consultation_open_r13(police, processing):
    code = processing["code"]
    consulted = ok(
        act(
            police,
            code,
            "consult",
            processing["version"],
            to_unit=COURT,
            content="Đề nghị cung cấp thông tin về án tích.",
            reply_days=3,
        )
    )
    refused = act(
        police,
        code,
        "pause",
        consulted["version"],
        pause_reason="financial_obligation",
        reason="Chờ nộp phí cấp phiếu",
    )
    assert refused.status_code == 422
    assert error(refused) == {
        "code": "consultation_open",
        "message": "Không thể tạm dừng hồ sơ đang chờ ý kiến của cơ quan khác.",
        "rule": "R-13",
    }


@pytest.mark.parametrize(
    "action, fields, bad",
    [
        ("forward", {"to_unit": COURT}, "to_unit"),  # a field forward does not use
        ("forward", {"documents": "x"}, "documents"),
        ("forward", {"documents": [str(uuid.uuid4())]}, "documents"),
        ("forward", {"reason": "x" * 10_000}, "reason"),
        ("consult", {"reply_days": "ba"}, "reply_days"),
        ("consult", {"to_unit": COURT, "reply_days": 10**30}, "reply_days"),
        ("answer_consultation", {"consultation_id": 10**30}, "consultation_id"),
        ("answer_consultation", {"consultation_id": "1; drop table"}, "consultation_id"),
        ("return_to_step", {}, "step_order"),
        ("apologise", {"new_due_at": "mai"}, "new_due_at"),
        ("issue_result", {"outcome": "done"}, "outcome"),
        ("request_supplement", {"items": "một thứ"}, "items"),
        ("request_supplement", {"items": ["x" * 600]}, "items"),
    ],
)
def test_action_bad_input_is_400(police, processing, action, fields, bad):
    response = act(police, processing["code"], action, processing["version"], **fields)
    assert response.status_code == 400, response.content
    err = error(response)
    assert err["code"] == "invalid_input" and bad in err["details"]
    assert all(vietnamese(str(m)) for m in _messages(err["details"]))


def test_action_without_version_or_with_bad_json(police, processing):
    code = processing["code"]
    missing = police.post(f"/api/v1/dossiers/{code}/actions/forward", {}, format="json")
    assert error(missing)["details"] == {"version": ["Trường này là bắt buộc."]}
    for raw in ('{"version": ', "null", '"x"', "[]", '{"version": true}', '{"version": 1.5}'):
        response = police.post(
            f"/api/v1/dossiers/{code}/actions/forward", data=raw, content_type="application/json"
        )
        assert response.status_code == 400, (raw, response.content)


def test_unknown_consultation_is_400(police, processing):
    response = act(
        police,
        processing["code"],
        "answer_consultation",
        processing["version"],
        consultation_id=999999,
        answer="Không có án tích.",
    )
    assert response.status_code in (400, 403)  # the consulted-unit guard looks the consultation up first
    assert error(response)["details"] == {
        "consultation_id": "Không tìm thấy yêu cầu xin ý kiến của hồ sơ này."
    }


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    action=st.sampled_from(sorted(ACTION_INPUTS)),
    body=st.dictionaries(
        st.sampled_from(
            [
                "version",
                "reason",
                "documents",
                "items",
                "to_unit",
                "content",
                "reply_days",
                "consultation_id",
                "answer",
                "pause_reason",
                "new_due_at",
                "explanation",
                "step_order",
                "outcome",
                "delivery",
                "zz",
            ]
        ),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(min_value=-(2**70), max_value=2**70),
            st.floats(allow_nan=False),
            st.text(max_size=30),
            st.lists(st.text(max_size=5), max_size=3),
        ),
    ),
)
def test_actions_never_answer_500(police, processing, action, body):
    response = police.post(f"/api/v1/dossiers/{processing['code']}/actions/{action}", body, format="json")
    assert response.status_code in (200, 400, 403, 404, 409, 422), (body, response.content)
    if response.status_code != 200:
        error(response)


def test_every_action_has_its_input_serializer():
    assert set(ACTION_INPUTS) == set(Action.values)


# --- public look-up -------------------------------------------------------------------------------


def test_lookup_with_the_receipt_secret(demo, anon, submitted, police):
    code = submitted["code"]
    ok(act(police, code, "receive", 1))
    body = ok(anon.get("/api/v1/lookup", {"code": code, "secret": submitted["lookup_secret"].lower()}))
    assert body == {
        "code": code,
        "procedure": {"code": LLTP, "name": body["procedure"]["name"]},
        "applicant_name": "N*** V*** T***",
        "state": "received",
        "state_display": "Đã tiếp nhận, chờ chuyển xử lý",
        "national_status": 2,
        "national_status_display": "Được tiếp nhận",
        "received_at": body["received_at"],
        "due_at": body["due_at"],
        "extended_due_at": None,
        "returned_at": None,
    }
    assert body["procedure"]["name"].startswith("Cấp Phiếu lý lịch tư pháp")
    assert ISO_VN.match(body["received_at"]) and ISO_VN.match(body["due_at"])


def test_lookup_wrong_secret_answers_like_unknown_code(demo, anon, submitted):
    wrong = anon.get("/api/v1/lookup", {"code": submitted["code"], "secret": "AAAAAAAA"})
    unknown = anon.get("/api/v1/lookup", {"code": submitted["code"] + "9", "secret": "AAAAAAAA"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert vietnamese(error(wrong)["message"])
    missing = anon.get("/api/v1/lookup", {"code": submitted["code"]})
    assert missing.status_code == 400 and "secret" in error(missing)["details"]
    # A foreign or stale token does not turn the public look-up into a 401.
    stale = anon.get(
        "/api/v1/lookup",
        {"code": submitted["code"], "secret": submitted["lookup_secret"]},
        HTTP_AUTHORIZATION="Bearer nonsense",
    )
    assert stale.status_code == 200


def test_lookup_is_throttled(demo, anon):
    rates = {"REST_FRAMEWORK": {**_rest_settings(), "DEFAULT_THROTTLE_RATES": {"lookup": "3/min"}}}
    with override_settings(**rates):
        statuses = [anon.get("/api/v1/lookup", {"code": "X", "secret": "Y"}).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


# --- OpenAPI --------------------------------------------------------------------------------------


def test_openapi_lists_every_path_with_its_schemas(demo, anon):
    response = anon.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    expected = {
        "/api/v1/auth/token",
        "/api/v1/documents",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers/{code}/events",
        "/api/v1/lookup",
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
        "/api/v1/units",
        *(f"/api/v1/dossiers/{{code}}/actions/{a}" for a in Action.values),
    }
    assert expected <= set(paths)
    assert {"get", "post"} <= set(paths["/api/v1/dossiers"])
    components = schema["components"]["schemas"]
    for action in Action.values:
        operation = paths[f"/api/v1/dossiers/{{code}}/actions/{action}"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        request_schema = components[ref.rsplit("/", 1)[-1]]
        assert "version" in request_schema["required"], action
        assert {"200", "400", "403", "404", "409", "422"} <= set(operation["responses"]), action
    consult = components["ConsultInputRequest"]["properties"]
    assert {"to_unit", "content", "reply_days", "documents", "version", "reason"} == set(consult)
    assert "to_unit" not in components["ForwardInputRequest"]["properties"]
    assert set(components["Error"]["properties"]) == {"error"}
    assert {"code", "message", "rule", "details"} <= set(components["ErrorBody"]["properties"])
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_r30_a_counter_client_records_a_paper_only_shown(login):
    """TT 01/2023/TT-VPCP Điều 8: a paper shown for comparison is received (it counts as handed in for
    R-17) but never scanned; the reception records it as such."""
    from motcua.dossiers.models import ComponentReceipt, Presentation

    clerk = login("tiepnhan.tinh")
    procedure = ok(clerk.get("/api/v1/procedures/1.019901"))
    first, *others = [d["id"] for d in procedure["cases"][0]["documents"]]
    created = ok(submit(clerk, "1.019901", channel="counter"), 201)

    received = ok(act(clerk, created["code"], "receive", 1, components=others, shown_components=[first]))

    assert received["state"] == "received"
    receipts = dict(
        ComponentReceipt.objects.filter(dossier__code=created["code"]).values_list(
            "required_document_id", "presentation"
        )
    )
    assert receipts == {first: Presentation.SHOWN, **{pk: Presentation.HANDED_IN for pk in others}}
