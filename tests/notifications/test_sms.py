"""SMS through the pluggable gateway: the demo's "log" kind and the "http" kind (a JSON POST)
against a small HTTP server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from motcua.integrations import registry
from motcua.integrations.sms import SmsError
from motcua.integrations.sms.http_gateway import HttpGateway
from motcua.notifications import delivery
from motcua.notifications.models import Channel, NotificationState
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, per module)
from tests.dossiers.kit import at
from tests.notifications.kit import PHONE, notifications, received

TOKEN = "sms-test-token"
REFUSED_NUMBER = "0999999999"  # the gateway says this number does not exist
BUSY_NUMBER = "0988888888"  # the gateway is overloaded for this one


class Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, {"error": "bad token"})
        if body["to"] == REFUSED_NUMBER:
            return self._answer(422, {"error": "Số điện thoại không tồn tại"})
        if body["to"] == BUSY_NUMBER:
            return self._answer(503, {"error": "busy"})
        type(self).received.append({**body, "content_type": self.headers["Content-Type"]})
        return self._answer(200, {"reference": f"ref-{len(self.received)}"})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def http_gateway(settings):
    Gateway.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    settings.MOTCUA_INTEGRATIONS = {
        **settings.MOTCUA_INTEGRATIONS,
        "sms": {"adapter": "http", "base_url": url, "token": TOKEN, "timeout": 5},
    }
    registry.reset()
    yield Gateway.received
    registry.reset()
    server.shutdown()
    server.server_close()


def sms_of(dossier):
    return notifications(dossier, channel=Channel.SMS)


def test_log_gateway_writes_the_sms_to_its_file(sms_log, mail_settings):
    d = received(at("2026-03-02 08:00"), email="")
    [n] = sms_of(d)
    assert n.recipient == PHONE

    assert delivery.drain().sent == 1

    [line] = [json.loads(x) for x in sms_log.read_text(encoding="utf-8").splitlines()]
    assert (line["to"], line["id"], line["text"]) == (PHONE, str(n.message_id), n.body)
    assert line["text"].startswith(f"Ho so {d.code} da duoc tiep nhan. Hen tra ")
    assert f"Ma tra cuu {d.lookup_secret}" in line["text"]
    n.refresh_from_db()
    assert n.state == NotificationState.SENT


def test_no_sms_without_a_gateway_or_a_phone(no_sms, mail_settings):
    assert sms_of(received(at("2026-03-02 08:00"))) == []


def test_no_sms_when_the_applicant_gave_no_phone(sms_log, mail_settings):
    d = received(at("2026-03-02 08:00"), phone="")
    assert sms_of(d) == [] and [n.channel for n in notifications(d)] == [Channel.EMAIL]


def test_http_gateway_receives_a_json_post_with_the_token(http_gateway, mail_settings):
    d = received(at("2026-03-02 08:00"), email="")
    [n] = sms_of(d)

    assert delivery.drain().sent == 1

    [post] = http_gateway
    assert post == {"id": str(n.message_id), "to": PHONE, "text": n.body, "content_type": "application/json"}
    assert len(post["text"]) <= 160 and post["text"].isascii()


def test_http_gateway_refusing_a_number_sets_the_sms_aside(http_gateway, mail_settings):
    d = received(at("2026-03-02 08:00"), email="", phone=REFUSED_NUMBER)
    assert delivery.drain().dead == 1
    [n] = sms_of(d)
    assert n.state == NotificationState.DEAD
    assert n.last_error == "Cổng SMS trả lời 422: Số điện thoại không tồn tại"


def test_http_gateway_overloaded_is_tried_again(http_gateway, mail_settings):
    d = received(at("2026-03-02 08:00"), email="", phone=BUSY_NUMBER)
    delivery.drain()
    [n] = sms_of(d)
    assert (n.state, n.attempts) == (NotificationState.FAILED, 1) and "503" in n.last_error
    assert n.next_attempt_at > timezone.now()


def test_http_gateway_down_is_an_outage(settings):
    gateway = HttpGateway({"base_url": "http://127.0.0.1:9/sms", "timeout": 2})  # discard port: nothing there
    try:
        with pytest.raises(SmsError) as exc:
            gateway.send(PHONE, "Thu", message_id="1")
    finally:
        gateway.close()
    assert exc.value.permanent is False and "Không kết nối được cổng SMS" in exc.value.message
