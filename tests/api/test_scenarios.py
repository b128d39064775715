"""A dossier of each demo procedure type, driven from submission to its end over real HTTP only.

Demo accounts sign in with their password and send `Authorization: Bearer <token>` (DESIGN.md
"Public interfaces"); every step is a request to the running server. The one exception is the
late dossier: the API has no clock, so its first days are written through the service layer with a
date in the past (`services.submit/apply(now=...)`), and everything from the lateness on is HTTP.

The demo is loaded once for the module and committed, and Django's live server
(`pytest_django.live_server_helper.LiveServer`, what the `live_server` fixture runs) serves it for all
the scenarios: the function-scoped `live_server` fixture would force `transactional_db`, which
empties every table after each test and would reload the demo (4–7 s) per scenario. Each scenario
works on its own dossiers, so the scenarios do not depend on each other. When the module ends the
database is emptied and what the migrations had seeded is restored (Django's `serialized_rollback`).
"""

import datetime
import itertools
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from motcua.demo.loader import load_demo
from motcua.demo.signing import signed_pdf
from motcua.dossiers import services
from motcua.dossiers.context import ActionInput
from motcua.dossiers.services import ApplicantInput, SubmissionInput
from tests.api.conftest import CITIZEN, FAST_HASHERS, PDF, STATE_BODY

POLICE, COURT, JUSTICE = "000.00.30.H19", "000.00.31.H19", "000.00.05.H19"
TRAN_BIEN, TRAN_BIEN_CENTRE, PROVINCE_CENTRE = "000.00.61.H19", "000.01.61.H19", "000.00.40.H19"


@pytest.fixture(scope="module")
def server(keep_seeded_data, django_db_blocker) -> str:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS), django_db_blocker.unblock():
        load_demo()
        live = LiveServer("localhost")
        live._live_server_modified_settings.enable()
        try:
            yield live.url
        finally:
            live._live_server_modified_settings.disable()
            live.stop()


# --- a tiny HTTP client over urllib -------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict = field(default_factory=dict)

    def error(self) -> dict:
        assert set(self.body) == {"error"}, self.body
        return self.body["error"]


@dataclass
class Http:
    base: str
    token: str = ""
    name: str = "khách"

    def request(self, method: str, path: str, *, body: bytes | None = None, content_type: str = "") -> Reply:
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                raw, status, got = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as failure:
            raw, status, got = failure.read(), failure.code, dict(failure.headers)
        assert status < 500, (method, path, raw[:2000])
        return Reply(status, json.loads(raw) if raw else None, got)

    def get(self, path: str, **query) -> Reply:
        return self.request("GET", path + ("?" + urllib.parse.urlencode(query) if query else ""))

    def post(self, path: str, payload: Any) -> Reply:
        return self.request("POST", path, body=json.dumps(payload).encode(), content_type="application/json")

    def upload(self, kind: str, *, signed: bool = False, name: str = "") -> str:
        """Upload a PDF; `signed` sends one truly signed by the demo CA (verified by the server)."""
        boundary = uuid.uuid4().hex
        parts = [
            ("kind", kind.encode(), None),
            ("file", signed_pdf(kind) if signed else PDF, name or f"{kind}.pdf"),
        ]
        body = b""
        for field_name, value, filename in parts:
            disposition = f'form-data; name="{field_name}"'
            if filename:
                disposition += f'; filename="{filename}"'
            body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
            if filename:
                body += b"Content-Type: application/pdf\r\n"
            body += b"\r\n" + value + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        reply = self.request(
            "POST", "/api/v1/documents", body=body, content_type=f"multipart/form-data; boundary={boundary}"
        )
        assert reply.status == 201, reply.body
        return reply.body["id"]


def sign_in(base: str, username: str) -> Http:
    reply = Http(base).post("/api/v1/auth/token", {"username": username, "password": "demo"})
    assert reply.status == 200, reply.body
    return Http(base, reply.body["token"], username)


@pytest.fixture(scope="module")
def people(server):
    """Demo accounts, signed in once each, by user name."""
    signed: dict[str, Http] = {}

    def person(username: str) -> Http:
        if username not in signed:
            signed[username] = sign_in(server, username)
        return signed[username]

    return person


@dataclass
class Case:
    """One dossier followed through the API; remembers the version its last reply showed."""

    detail: dict

    @property
    def code(self) -> str:
        return self.detail["code"]

    def act(self, who: Http, action: str, *, expect: int = 200, **fields) -> dict:
        reply = who.post(
            f"/api/v1/dossiers/{self.code}/actions/{action}", {"version": self.detail["version"], **fields}
        )
        assert reply.status == expect, (who.name, action, reply.body)
        if expect == 200:
            assert reply.body["version"] == self.detail["version"] + 1
            self.detail = reply.body
            return reply.body
        return reply.error()

    def refused(self, who: Http, action: str, status: int, rule: str | None, **fields) -> dict:
        err = self.act(who, action, expect=status, **fields)
        assert err["rule"] == rule, err
        assert not err["message"].isascii(), err  # a Vietnamese message
        return err

    def reload(self, who: Http) -> dict:
        reply = who.get(f"/api/v1/dossiers/{self.code}")
        assert reply.status == 200, reply.body
        self.detail = reply.body
        return reply.body

    def events(self, who: Http) -> list[dict]:
        reply = who.get(f"/api/v1/dossiers/{self.code}/events")
        assert reply.status == 200, reply.body
        return reply.body

    @property
    def state(self) -> tuple[str, int]:
        return self.detail["state"], self.detail["national_status"]


def handed_in(who: Http, case: Case) -> list[int]:
    """Every component of the dossier's case, as the counter ticks a complete paper dossier (R-17)."""
    procedure = who.get(f"/api/v1/procedures/{case.detail['procedure']['code']}").body
    [matching] = [c for c in procedure["cases"] if c["code"] == case.detail["case"]["code"]]
    return [d["id"] for d in matching["documents"]]


def submit(who: Http, **body) -> Case:
    reply = who.post("/api/v1/dossiers", body)
    assert reply.status == 201, reply.body
    return Case(reply.body)


def looked_up(server: str, case: Case, secret: str) -> dict:
    reply = Http(server).get("/api/v1/lookup", code=case.code, secret=secret)
    assert reply.status == 200, reply.body
    return reply.body


def statuses(detail: dict) -> list[str]:
    return [step["status"] for step in detail["steps"]]


def assert_chained(events: list[dict]) -> None:
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["prev_hash"] == ""
    for earlier, later in itertools.pairwise(events):
        assert later["prev_hash"] == earlier["hash"]
        assert later["from_state"] == earlier["to_state"]


# --- on the spot (R-08) -----------------------------------------------------------------------------


def test_on_the_spot_certification_at_a_commune_counter(server, people):
    """Chứng thực bản sao (2.000815) at the Trấn Biên counter: received, decided and handed over in
    one sitting (R-08); a procedure that is not on the spot cannot skip its process."""
    clerk = people("tiepnhan.tranbien")
    case = submit(clerk, procedure="2.000815", channel="counter", applicant=CITIZEN)
    assert case.detail["receiving_unit"]["code"] == TRAN_BIEN_CENTRE
    assert case.detail["deciding_unit"]["code"] == TRAN_BIEN
    assert [f["amount"] for f in case.detail["fees"]] == [2000]
    assert case.detail["time_limit"]["unit"] == "working_hours"
    secret = case.detail["lookup_secret"]

    case.act(clerk, "receive", components=handed_in(clerk, case))
    assert case.state == ("received", 2) and case.detail["due_at"]
    case.refused(clerk, "issue_result", 422, "R-14")  # no result document yet
    case.act(
        clerk, "issue_result", documents=[clerk.upload("result", signed=True, name="Bản sao chứng thực.pdf")]
    )
    assert case.state == ("result_ready", 9) and case.detail["finished_at"]
    case.act(clerk, "return_result", delivery="counter")
    assert case.state == ("returned", 10) and case.detail["returned_at"]
    assert case.detail["allowed_actions"] == []

    sheet = case.detail["steps"]
    assert [s["order"] for s in sheet] == [1, 3]  # reception, then the result handed over
    assert all(s["ended_at"] and s["handler"] == "Dương Thành Tuấn" for s in sheet)
    assert all(s["status"] in ("early", "on_time") for s in sheet)
    events = case.events(clerk)
    assert [e["action"] for e in events] == ["submit", "receive", "issue_result", "return_result"]
    assert_chained(events)
    assert looked_up(server, case, secret)["state"] == "returned"

    # Chứng thực hợp đồng (1.019941) is not decided on the spot: R-08 refuses the shortcut.
    contract = submit(clerk, procedure="1.019941", channel="counter", applicant=CITIZEN)
    contract.act(clerk, "receive", components=handed_in(clerk, contract))
    contract.refused(clerk, "issue_result", 422, "R-08", documents=[clerk.upload("result")])


# --- consultation (R-12, R-13, R-16) ----------------------------------------------------------------


def test_consultation_with_the_court(server, people):
    """Phiếu lý lịch tư pháp (1.019904) online: Công an tỉnh asks the provincial court about criminal
    records; while the court has not answered, the dossier cannot be paused (R-13)."""
    citizen, police = people("congdan1"), people("chuyenvien.congantinh")
    court = people("chuyenvien.toaan")
    case = submit(
        citizen,
        procedure="1.019904",
        case="TH1",
        channel="online",
        applicant=CITIZEN,
        result_delivery="postal",
        summary="Cấp Phiếu lý lịch tư pháp số 1",
        documents=[citizen.upload("submitted", name="Tờ khai yêu cầu cấp Phiếu LLTP.pdf")],
    )
    assert case.detail["receiving_unit"]["code"] == POLICE == case.detail["deciding_unit"]["code"]
    assert sorted(f["amount"] for f in case.detail["fees"]) == [100000, 200000]
    assert court.get(f"/api/v1/dossiers/{case.code}").status == 404  # not consulted yet

    case.act(police, "receive")
    case.act(police, "forward")
    assert case.state == ("processing", 4)
    assert case.detail["current_step"]["order"] == 2
    case.refused(police, "consult", 422, "R-12", to_unit=COURT, content="Ý kiến", reply_days=2)
    case.act(
        police,
        "consult",
        to_unit=COURT,
        content="Đề nghị Tòa án cung cấp thông tin về án tích của người yêu cầu.",
        reply_days=3,
        reason="Xác minh án tích",
    )
    consultation = case.detail["consultations"][0]
    assert consultation["to_unit"]["code"] == COURT and consultation["reply_days"] == 3
    assert consultation["answered_at"] is None and consultation["late"] is False
    assert consultation["reminder1_at"] is None

    err = case.refused(
        police, "pause", 422, "R-13", pause_reason="financial_obligation", reason="Chờ nộp phí cấp phiếu"
    )
    assert err["message"] == "Không thể tạm dừng hồ sơ đang chờ ý kiến của cơ quan khác."

    # The court finds it in its own queue and answers there.
    queue = court.get("/api/v1/dossiers")
    assert [d["code"] for d in queue.body["results"]] == [case.code]
    case.refused(
        citizen,
        "answer_consultation",
        403,
        "R-12",
        consultation_id=consultation["id"],
        answer="Không có án tích.",
    )
    case.act(
        court,
        "answer_consultation",
        consultation_id=consultation["id"],
        answer="Người yêu cầu không có án tích.",
    )
    answered = case.detail["consultations"][0]
    assert answered["answered_at"] and answered["late"] is False
    assert answered["answer"] == "Người yêu cầu không có án tích."

    case.refused(police, "issue_result", 422, "R-14", documents=[police.upload("result")])  # skips approvals
    case.act(police, "forward")
    case.act(people("truongphong.congantinh"), "forward")
    leader = people("lanhdao.congantinh")
    case.act(
        leader, "issue_result", documents=[leader.upload("result", signed=True, name="Phiếu LLTP số 1.pdf")]
    )
    assert case.state == ("result_ready", 9)
    case.act(police, "return_result", delivery="postal")
    assert case.state == ("returned", 10)

    assert all(s in ("early", "on_time") for s in statuses(case.detail))
    handlers = [s["handler"] for s in case.detail["steps"]]
    assert handlers[2:4] == ["Đỗ Thanh Yến", "Hồ Hữu Cường"]
    events = case.events(citizen)
    assert [e["action"] for e in events] == [
        "submit",
        "receive",
        "forward",
        "consult",
        "answer_consultation",
        "forward",
        "forward",
        "issue_result",
        "return_result",
    ]
    assert events[3]["data"]["consultation"]["to_unit"] == COURT
    assert events[4]["data"]["consultation"]["late"] is False
    assert_chained(events)


# --- internal procedure (R-18, R-19) ----------------------------------------------------------------


def test_internal_procedure_online_only(server, people):
    """Cử cán bộ đi công tác nước ngoài (1.019912) is internal with an online service: the state body
    submits online; the provincial counter cannot take it on paper (R-19)."""
    body_account, foreign = people("coquan1"), people("chuyenvien.songoaivu")
    counter = people("tiepnhan.tinh3")
    refused = counter.post(
        "/api/v1/dossiers", {"procedure": "1.019912", "channel": "counter", "applicant": STATE_BODY}
    )
    assert refused.status == 422
    assert refused.error()["rule"] == "R-19" and refused.error()["details"]["channel"]

    case = submit(
        body_account,
        procedure="1.019912",
        channel="online",
        applicant=STATE_BODY,
        result_delivery="online",
        summary="Cử 02 công chức đi công tác tại Nhật Bản",
    )
    assert case.detail["applicant"]["kind"] == "state_body"
    assert case.detail["applicant"]["unit"] == "000.00.63.H19"
    assert case.detail["fees"] == []
    mine = body_account.get("/api/v1/dossiers")
    assert case.code in [d["code"] for d in mine.body["results"]]

    case.act(foreign, "receive")
    case.act(foreign, "forward")  # to the appraisal step
    case.act(foreign, "forward")  # appraisal done → head of division
    case.act(people("truongphong.songoaivu"), "forward")  # → the department's leader
    leader = people("lanhdao.songoaivu")
    case.act(leader, "issue_result", documents=[leader.upload("result", signed=True)])
    # An electronic result is released by the deciding unit itself.
    case.act(foreign, "return_result", delivery="online")
    assert case.state == ("returned", 10)
    assert (
        looked_up(server, case, case.detail["lookup_secret"])["applicant_name"]
        == "Ủ*** b*** n*** d*** p*** L*** K***"
    )


# --- fees, hand-over, several units (R-01, R-03) ---------------------------------------------------------


def test_fee_bearing_dossier_through_the_provincial_centre(server, people):
    """Thành lập Văn phòng công chứng (1.019901): received at the provincial Centre on behalf of the
    Department of Justice (R-01), handed over (R-03), decided by the province's chairman; the fee
    is listed on the dossier."""
    clerk = people("tiepnhan.tinh")
    case = submit(
        clerk,
        procedure="1.019901",
        channel="counter",
        applicant=CITIZEN,
        summary="Thành lập Văn phòng công chứng Trấn Biên",
        result_delivery="counter",
    )
    assert case.detail["receiving_unit"]["code"] == PROVINCE_CENTRE
    assert case.detail["deciding_unit"]["code"] == JUSTICE
    assert case.detail["fees"] == [
        {
            "kind": "fee",
            "kind_display": "Phí",
            "amount": 1000000,
            "description": case.detail["fees"][0]["description"],
            "paid_at": None,
        }
    ]
    assert "Phí thẩm định" in case.detail["fees"][0]["description"]
    assert [s["unit"]["code"] for s in case.detail["steps"]] == [
        PROVINCE_CENTRE,
        JUSTICE,
        JUSTICE,
        JUSTICE,
        "000.00.00.H19",
        PROVINCE_CENTRE,
    ]

    case.act(clerk, "receive", components=handed_in(clerk, case))
    case.act(clerk, "forward")  # the hand-over to the Department of Justice
    handover = case.events(clerk)[-1]["data"]["handover"]
    assert handover["from"] == PROVINCE_CENTRE and handover["to"] == JUSTICE and handover["postal"]
    justice = people("chuyenvien.sotuphap")
    case.act(justice, "forward")
    case.act(people("truongphong.sotuphap"), "forward")
    case.act(people("lanhdao.sotuphap"), "forward")
    assert case.detail["current_step"]["unit"]["code"] == "000.00.00.H19"
    chairman = people("lanhdao.ubndtinh")
    case.act(chairman, "issue_result", documents=[chairman.upload("result", signed=True)])
    case.refused(justice, "return_result", 403, "R-14")  # paper results go back through the counter
    case.act(clerk, "return_result")
    assert case.state == ("returned", 10)
    assert case.detail["fees"][0]["amount"] == 1000000


# --- withdrawal (R-15) -----------------------------------------------------------------------------


def test_withdrawal_needs_the_request_and_the_heads_signed_approval(server, people):
    """Đăng ký hoạt động tổ chức hành nghề luật sư (1.019902): the applicant withdraws in writing;
    only the unit head approves, with a signed document (R-15)."""
    citizen, clerk = people("congdan1"), people("tiepnhan.tinh")
    justice, head = people("chuyenvien.sotuphap"), people("lanhdao.sotuphap")
    case = submit(clerk, procedure="1.019902", channel="counter", applicant=CITIZEN)
    case.act(clerk, "receive", components=handed_in(clerk, case))
    case.act(clerk, "forward")

    case.refused(citizen, "request_withdrawal", 422, "R-15", reason="Không còn nhu cầu")
    case.act(
        citizen,
        "request_withdrawal",
        reason="Không còn nhu cầu",
        documents=[citizen.upload("withdrawal_request", name="Đơn xin rút hồ sơ.pdf")],
    )
    assert case.state == ("withdrawal_requested", 4)
    assert set(case.detail["allowed_actions"]) == {"approve_withdrawal", "resume", "answer_consultation"}

    case.refused(
        justice,
        "approve_withdrawal",
        403,
        "R-15",
        documents=[justice.upload("withdrawal_approval", signed=True)],
    )
    case.refused(head, "approve_withdrawal", 422, "R-15", documents=[head.upload("withdrawal_approval")])
    case.act(head, "approve_withdrawal", documents=[head.upload("withdrawal_approval", signed=True)])
    assert case.state == ("withdrawn", 7) and case.detail["finished_at"]
    assert case.detail["allowed_actions"] == []
    case.refused(head, "resume", 409, None, reason="Tiếp tục xử lý")  # a final state
    kinds = sorted(d["kind"] for d in case.detail["documents"])
    assert kinds == ["withdrawal_approval", "withdrawal_request"]
    assert_chained(case.events(citizen))


# --- late, with one apology (R-27) ----------------------------------------------------------------


def _received_three_weeks_ago() -> str:
    """Setup through the service layer (the API has no clock): submitted, received and handed to the
    processing step 21 days ago, so the 5-working-day deadline has passed."""
    users = get_user_model().objects
    past = timezone.now() - datetime.timedelta(days=21)
    dossier = services.submit(
        SubmissionInput(
            procedure_code="1.019907",
            channel="online",
            applicant=ApplicantInput(**{k: CITIZEN[k] for k in ("kind", "identifier", "name")}),
            summary="Gia hạn giấy phép xây dựng công trình",
        ),
        actor=users.get(username="congdan1"),
        now=past,
    )
    officer = users.get(username="chuyenvien.soxaydung")
    services.apply(dossier.code, "receive", officer, ActionInput(version=1), now=past)
    services.apply(dossier.code, "forward", officer, ActionInput(version=2), now=past)
    return dossier.code


def test_late_dossier_with_one_apology(server, people):
    officer, head = people("chuyenvien.soxaydung"), people("lanhdao.soxaydung")
    code = _received_three_weeks_ago()
    overdue = officer.get("/api/v1/dossiers", overdue="true")
    assert code in [d["code"] for d in overdue.body["results"]]
    case = Case({"code": code})
    case.reload(officer)
    assert case.detail["overdue"] is True
    assert statuses(case.detail)[1] == "overdue"
    due = datetime.datetime.fromisoformat(case.detail["due_at"])
    assert due < timezone.now()

    new_due = (timezone.localtime() + datetime.timedelta(days=5)).replace(microsecond=0)
    case.refused(officer, "apologise", 403, "R-27", new_due_at=new_due.isoformat())  # the head apologises
    case.refused(head, "apologise", 422, "R-27", new_due_at=new_due.isoformat(), explanation="Thiếu cán bộ")
    case.act(
        head,
        "apologise",
        new_due_at=new_due.isoformat(),
        explanation="Hồ sơ phải lấy thêm ý kiến nội bộ; đơn vị xin lỗi và hẹn lại.",
        documents=[head.upload("apology", signed=True, name="Phiếu xin lỗi và hẹn lại ngày trả.pdf")],
    )
    assert datetime.datetime.fromisoformat(case.detail["extended_due_at"]) == new_due
    assert case.detail["due_at"] == case.detail["original_due_at"]  # the synced date is not rewritten
    later = (new_due + datetime.timedelta(days=3)).isoformat()
    case.refused(
        head,
        "apologise",
        422,
        "R-27",
        new_due_at=later,
        explanation="Xin hẹn lại lần nữa",
        documents=[head.upload("apology")],
    )

    case.act(officer, "forward")
    assert statuses(case.detail)[1] == "late"  # the appraisal step finished after its budget
    assert case.detail["steps"][1]["handler"] == "Lý Ngọc Hà"
    case.act(people("truongphong.soxaydung"), "forward")
    case.act(head, "issue_result", documents=[head.upload("result", signed=True)])
    case.act(officer, "return_result")
    assert case.state == ("returned", 10)
    apology = next(e for e in case.events(officer) if e["action"] == "apologise")
    assert apology["data"]["explanation"].startswith("Hồ sơ phải lấy thêm ý kiến")
    public = looked_up(server, case, case.detail["lookup_secret"])
    assert public["extended_due_at"] == case.detail["extended_due_at"]


# --- supplemented once (R-17) ----------------------------------------------------------------------


def test_supplement_requested_once_and_the_clock_restarts(server, people):
    """Đăng ký thành lập hộ kinh doanh (1.001612) online at phường Trấn Biên: one complete list of
    missing items; the deadline restarts when the supplement arrives; a second request is refused."""
    citizen, officer = people("congdan1"), people("chuyenvien.tranbien")
    ambiguous = citizen.post(
        "/api/v1/dossiers", {"procedure": "1.001612", "channel": "online", "applicant": CITIZEN}
    )
    assert ambiguous.status == 400 and "unit" in ambiguous.error()["details"]
    case = submit(
        citizen,
        procedure="1.001612",
        channel="online",
        unit=TRAN_BIEN,
        applicant=CITIZEN,
        summary="Đăng ký hộ kinh doanh Tạp hóa Thử",
    )
    assert case.detail["receiving_unit"]["code"] == TRAN_BIEN == case.detail["deciding_unit"]["code"]
    assert [f["kind_display"] for f in case.detail["fees"]] == ["Lệ phí"]

    case.act(officer, "receive")
    case.act(officer, "forward")
    items = ["Bản sao hợp đồng thuê địa điểm kinh doanh", "Giấy ủy quyền của các thành viên hộ gia đình"]
    case.refused(officer, "request_supplement", 422, "R-17", reason="Hồ sơ thiếu giấy tờ")
    case.act(officer, "request_supplement", items=items, reason="Hồ sơ thiếu giấy tờ theo quy định")
    assert case.state == ("awaiting_supplement", 5)
    assert case.detail["supplement_requests"] == 1
    assert case.detail["overdue"] is False
    due_before = case.detail["due_at"]

    stranger = people("congdan2")
    # Another citizen may not even learn that the dossier exists (issue 8 item 1): the same 404 as
    # for a code never issued, whatever the action.
    err = case.refused(stranger, "submit_supplement", 404, None, documents=[stranger.upload("supplement")])
    assert err["code"] == "dossier_not_found"
    case.act(
        citizen,
        "submit_supplement",
        documents=[citizen.upload("supplement", name="Hợp đồng thuê.pdf"), citizen.upload("supplement")],
    )
    assert case.state == ("processing", 4)
    restart = case.events(citizen)[-1]["data"]
    assert restart["due_before"] and restart["due_after"]
    # The legal time counts again from the supplement (equal only when both fall outside office
    # hours, e.g. on a weekend, and normalise to the same next working morning).
    due_after = datetime.datetime.fromisoformat(case.detail["due_at"])
    assert due_after == datetime.datetime.fromisoformat(restart["due_after"])
    assert due_after >= datetime.datetime.fromisoformat(due_before)

    err = case.refused(
        officer, "request_supplement", 422, "R-17", items=["Một giấy tờ khác"], reason="Còn thiếu"
    )
    assert "một lần" in err["message"]
    case.act(officer, "forward")
    case.act(people("truongphong.tranbien"), "forward")
    leader = people("lanhdao.tranbien")
    case.act(leader, "issue_result", documents=[leader.upload("result", signed=True)])
    case.act(people("tiepnhan.tranbien"), "return_result")
    assert case.state == ("returned", 10)
    events = case.events(citizen)
    request = next(e for e in events if e["action"] == "request_supplement")
    assert request["data"]["items"] == items
    assert_chained(events)


# --- concurrency on one dossier -----------------------------------------------------------------------


def test_an_action_on_a_stale_version_gets_409(server, people):
    citizen, officer = people("congdan1"), people("chuyenvien.congantinh")
    case = submit(citizen, procedure="1.019904", case="TH2", channel="online", applicant=CITIZEN)
    first = officer.post(f"/api/v1/dossiers/{case.code}/actions/receive", {"version": 1})
    second = officer.post(f"/api/v1/dossiers/{case.code}/actions/receive", {"version": 1})
    assert first.status == 200 and second.status == 409
    assert second.error()["code"] == "stale_version"
    assert re.search(r"phiên bản hiện tại 2", second.error()["message"])
