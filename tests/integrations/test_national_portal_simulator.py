"""The simulator itself: the command's options and the push to the province's inbound endpoint."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.integrations.kit import Receiver
from tests.national_portal import NationalPortalSimulator


def test_push_reaches_the_provinces_endpoint_with_the_partners_credentials(national_portal):
    dossiers = [
        {"MaHoSo": "G22.99-20250901-001", "TrichYeuHoSo": "Đăng ký khai sinh"},
        {"MaHoSo": "G22.99-2"},
    ]
    with Receiver() as province:
        answers = national_portal.push(
            f"{province.url}/api/v1/national/dossiers", "dvcqg", "khoa-bi-mat", dossiers, repeat=2
        )

    assert [r["body"]["MaHoSo"] for r in province.requests] == [
        "G22.99-20250901-001",
        "G22.99-20250901-001",
        "G22.99-2",
        "G22.99-2",
    ]
    first = province.requests[0]
    assert first["path"] == "/api/v1/national/dossiers"
    assert first["headers"]["X-Partner"] == "dvcqg"
    assert first["headers"]["Authorization"] == "Bearer khoa-bi-mat"
    assert first["body"]["TrichYeuHoSo"] == "Đăng ký khai sinh"
    assert [(a["MaHoSo"], a["status"]) for a in answers] == [
        ("G22.99-20250901-001", 201),
        ("G22.99-20250901-001", 201),
        ("G22.99-2", 201),
        ("G22.99-2", 201),
    ]
    assert answers[0]["body"] == {"ok": True, "MaHoSo": "G22.99-20250901-001"}


def test_push_relays_the_provinces_refusal(national_portal):
    def refuse(path, body):
        return 401, {"error": {"code": "unauthorized", "message": "Khóa đối tác không hợp lệ", "rule": ""}}

    with Receiver(refuse) as province:
        answers = national_portal.push(province.url, "dvcqg", "sai", [{"MaHoSo": "X"}])

    assert answers[0]["status"] == 401
    assert answers[0]["body"]["error"]["message"] == "Khóa đối tác không hợp lệ"


def test_control_switches_and_reset(national_portal):
    switches = national_portal.control(delay_ms=5, error_rate=2, lost_ack_rate=0.5, refuse_codes=["A"])
    assert switches == {
        "outage": False,
        "delay_ms": 5,
        "error_rate": 1.0,
        "lost_ack_rate": 0.5,
        "refuse_codes": ["A"],
        "session_ttl": 3600,
    }

    national_portal.reset()

    assert national_portal.state()["switches"]["error_rate"] == 0.0
    assert national_portal.state()["procedures"] == 6


@pytest.fixture
def special_simulator(tmp_path):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "one.json").write_text(json.dumps({"MaTTHC": "1.000001", "TENTTHC": "Thủ tục thử"}), "utf-8")
    simulator = NationalPortalSimulator(
        extra_args=[
            "--protocol",
            "service",
            "--outage",
            "--catalog",
            str(catalog),
            "--client-id",
            "tinh-dong-nai",
            "--client-secret",
            "bi-mat",
        ]
    )
    simulator.start()
    yield simulator
    simulator.close()


def test_command_options_protocol_catalog_credentials_and_starting_switches(special_simulator):
    sim = special_simulator
    assert sim.state()["switches"]["outage"] is True
    assert httpx.post(f"{sim.url}/adapter/auth", json={}).status_code == 503
    sim.control(outage=False)

    rest = httpx.post(f"{sim.url}/token", data={"client_id": "tinh-dong-nai", "client_secret": "bi-mat"})
    wrong = httpx.post(
        f"{sim.url}/adapter/auth",
        json={"username": "motcua-demo", "password": "motcua-demo-secret"},
        headers={"dstcode": "000.00.00.H19"},
    )
    login = httpx.post(
        f"{sim.url}/adapter/auth",
        json={"username": "tinh-dong-nai", "password": "bi-mat"},
        headers={"dstcode": "000.00.00.H19"},
    )
    session = login.json()["session"]
    listed = httpx.post(
        f"{sim.url}/adapter/integration",
        json={"session": session, "madonvi": "000.00.00.H19", "service": "LayDanhSachTTHC"},
    )

    assert rest.status_code == 404  # only the service generation is served
    assert wrong.json()["error_code"] != 0
    assert login.json()["error_code"] == 0
    assert listed.json()["data"] == [{"MaTTHC": "1.000001", "TENTTHC": "Thủ tục thử"}]


def test_command_prints_one_ready_line_and_stops_on_sigterm(special_simulator):
    special_simulator.close()

    lines = special_simulator.output.splitlines()
    assert lines[0] == f"Cổng DVCQG giả lập: {special_simulator.url} (service)"
    assert lines[-1] == "Đã dừng cổng DVCQG giả lập."
    assert special_simulator.process.returncode == 0
