"""Dossiers pushed by a partner to `POST /api/v1/national/dossiers` (issue 9, item 4), over real
HTTP: the simulator (a subprocess) POSTs each dossier to the province's live server
(`/_sim/push`), and the server fetches the dossier's files back from the simulator.

As in tests/api/test_scenarios.py, the demo and the partners are loaded once for the module and
committed, and Django's live server serves them; each test works on its own national codes. When
the module ends the database is emptied and the migrations' seed restored (keep_seeded_data)."""

import httpx
import pytest
from django.core.cache import cache
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

from motcua.demo.loader import load_demo
from motcua.dossiers.models import Dossier
from motcua.dossiers.states import State
from motcua.sync.models import InboundDossier, InboundStatus, Partner
from motcua.sync.partners import create_partner
from tests.sync_inbound.kit import (
    BIEN_HOA,
    JUSTICE,
    NOTARY,
    PROVINCE,
    TRAN_BIEN,
    dossiers_of,
    forwarded,
    sha256,
)

PATH = "/api/v1/national/dossiers"

# Each test in a transaction of the test's own connection, rolled back (on in-memory SQLite the live
# server shares that connection, so what it wrote goes too; on PostgreSQL it commits on its own and
# the test reads it). The test thread itself never writes what the server must see.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def server(keep_seeded_data, django_db_blocker):
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        django_db_blocker.unblock(),
    ):
        load_demo()
        live = LiveServer("localhost")
        live._live_server_modified_settings.enable()
        try:
            yield live.url
        finally:
            live._live_server_modified_settings.disable()
            live.stop()


@pytest.fixture(scope="module")
def keys(server, django_db_blocker) -> dict[str, str]:
    """Partners and their keys (shown once, kept by the test): the national portal for the whole
    province, Sở Tư pháp's system for its own unit only."""
    with django_db_blocker.unblock():
        return {
            code: create_partner(code, name, unit_codes=units).key
            for code, name, units in (
                ("dvcqg", "Cổng Dịch vụ công quốc gia (qua LGSP)", [PROVINCE]),
                ("sotuphap", "Hệ thống của Sở Tư pháp", [JUSTICE]),
                ("hanche", "Đối tác giới hạn tần suất", [PROVINCE]),
            )
        }


def endpoint(server: str) -> str:
    return server + PATH


def portal_files(national_portal, dossiers: list[dict]) -> list[dict]:
    """Offer the dossiers so the simulator stores their files, and read them back as the portal
    serves them (with `DuongDan` and `HashTepTin`): what a push carries."""
    national_portal.offer_forwarded(dossiers)
    return national_portal.adapter().fetch_forwarded("", 1000).dossiers[-len(dossiers) :]


def partner_auth(code: str, key: str) -> dict[str, str]:
    return {"headers": {"Authorization": f"Partner {code}:{key}"}}


def test_pushed_twice_is_created_once(server, keys, national_portal):
    (payload,) = portal_files(national_portal, [forwarded()])

    answers = national_portal.push(
        endpoint(server), "dvcqg", keys["dvcqg"], [payload], repeat=2, **partner_auth("dvcqg", keys["dvcqg"])
    )

    assert [a["status"] for a in answers] == [201, 200]
    first, second = answers[0]["body"], answers[1]["body"]
    assert first["created"] is True and second["created"] is False
    assert first["code"] == second["code"] and first["national_id"] == payload["MaHoSo"]
    assert first["unit"] == TRAN_BIEN and "đã được nhận trước đó" in second["message"]
    dossier = dossiers_of(payload["MaHoSo"]).select_related("receiving_unit").get()
    assert (dossier.code, dossier.state, dossier.receiving_unit.code) == (
        first["code"],
        State.SUBMITTED,
        TRAN_BIEN,
    )
    assert dossier.attachments.filter(required_document__code="1.001193.GT01").count() == 1
    record = InboundDossier.objects.select_related("partner").get(national_id=payload["MaHoSo"])
    assert (record.via, record.partner.code, record.status) == ("push", "dvcqg", InboundStatus.ACCEPTED)
    assert dossier.events.get().data["via"] == "push:dvcqg"
    assert Partner.objects.get(code="dvcqg").last_used_at is not None


def test_simulators_header_pair_authenticates_too(server, keys, national_portal):
    """`X-Partner: <code>` + `Authorization: Bearer <key>`, as the simulator sends by default."""
    (payload,) = portal_files(national_portal, [forwarded()])

    (answer,) = national_portal.push(endpoint(server), "dvcqg", keys["dvcqg"], [payload])

    assert answer["status"] == 201, answer
    assert dossiers_of(payload["MaHoSo"]).count() == 1


def test_pushed_then_pulled_is_one_dossier(server, keys, national_portal):
    from motcua.sync.inbound import pull_forwarded

    (payload,) = portal_files(national_portal, [forwarded()])  # offered for pull too
    (answer,) = national_portal.push(endpoint(server), "dvcqg", keys["dvcqg"], [payload])
    assert answer["status"] == 201

    report = pull_forwarded()

    assert (report.received, report.created, report.duplicates) == (1, 0, 1)
    assert dossiers_of(payload["MaHoSo"]).get().code == answer["body"]["code"]


@pytest.mark.parametrize(
    ("partner", "key"),
    [("dvcqg", "forged-key-0000000000000000000000000000000"), ("khongco", "any-key"), ("dvcqg", "")],
    ids=["forged-key", "unknown-partner", "no-key"],
)
def test_forged_or_unknown_partner_key_is_401_and_nothing_created(
    server, keys, national_portal, partner, key
):
    payload = forwarded()
    dossiers, records = Dossier.objects.count(), InboundDossier.objects.count()

    (answer,) = national_portal.push(endpoint(server), partner, key, [payload], **partner_auth(partner, key))

    assert answer["status"] == 401
    assert answer["body"]["error"]["code"] == "authentication_failed"
    assert (Dossier.objects.count(), InboundDossier.objects.count()) == (dossiers, records)


def test_no_credentials_is_401_with_the_scheme_named(server):
    reply = httpx.post(endpoint(server), json=forwarded())

    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Partner")
    assert set(reply.json()["error"]) == {"code", "message", "rule"}


def test_r26_partner_pushing_outside_its_units_is_403(server, keys, national_portal):
    """Sở Tư pháp's system forwards to Sở Tư pháp only, not to a ward (R-26: per unit)."""
    payload = forwarded(unit=BIEN_HOA)

    (answer,) = national_portal.push(
        endpoint(server),
        "sotuphap",
        keys["sotuphap"],
        [payload],
        **partner_auth("sotuphap", keys["sotuphap"]),
    )

    assert answer["status"] == 403
    error = answer["body"]["error"]
    assert (error["code"], error["rule"]) == ("partner_out_of_scope", "R-26")
    assert "Phường Biên Hòa" in error["message"] or "phường Biên Hòa" in error["message"]
    assert not dossiers_of(payload["MaHoSo"]).exists()
    assert not InboundDossier.objects.filter(national_id=payload["MaHoSo"]).exists()


def test_partner_reaches_its_units_sub_units(server, keys, national_portal):
    """The national portal's partner holds the province: a ward below it is in its scope, and
    Sở Tư pháp's own partner reaches Sở Tư pháp."""
    (ward,) = portal_files(national_portal, [forwarded(unit=BIEN_HOA)])
    notary = forwarded(procedure=NOTARY, unit=JUSTICE, components=[])

    (to_ward,) = national_portal.push(endpoint(server), "dvcqg", keys["dvcqg"], [ward])
    (to_justice,) = national_portal.push(endpoint(server), "sotuphap", keys["sotuphap"], [notary])

    assert (to_ward["status"], to_ward["body"]["unit"]) == (201, BIEN_HOA)
    assert (to_justice["status"], to_justice["body"]["unit"]) == (201, JUSTICE)


def test_r22_unknown_procedure_is_refused_with_the_error_shape_and_recorded(server, keys, national_portal):
    payload = forwarded(MaTTHC="9.999999", ThanhPhanHoSo=[])

    (answer,) = national_portal.push(endpoint(server), "dvcqg", keys["dvcqg"], [payload])

    assert answer["status"] == 422
    error = answer["body"]["error"]
    assert (error["code"], error["rule"]) == ("procedure_not_found", "R-24")
    assert "9.999999" in error["message"] and error["details"] == {"MaTTHC": error["message"]}
    record = InboundDossier.objects.get(national_id=payload["MaHoSo"])
    assert (record.status, record.via, record.partner.code) == (InboundStatus.REFUSED, "push", "dvcqg")
    assert not dossiers_of(payload["MaHoSo"]).exists()


def test_hash_mismatch_pushed_is_refused(server, keys, national_portal):
    (payload,) = portal_files(national_portal, [forwarded()])
    payload["ThanhPhanHoSo"][0]["GiayToDinhKem"][0]["HashTepTin"] = "f" * 64

    (answer,) = national_portal.push(endpoint(server), "dvcqg", keys["dvcqg"], [payload])

    assert answer["status"] == 400
    assert answer["body"]["error"]["code"] == "document_hash_mismatch"
    assert InboundDossier.objects.get(national_id=payload["MaHoSo"]).status == InboundStatus.REFUSED
    assert not dossiers_of(payload["MaHoSo"]).exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "parse_error"),
        (b'{"MaTTHC": "1.001193"}', "invalid_input"),
        (b'{"MaHoSo": "G22.99-1", "MaTTHC": "1.0\\u0000"}', "invalid_input"),
        (b'{"MaHoSo": "G22.99-2", "ThongTinNguoiNop": "chu\\u1ed7i"}', "invalid_input"),
        (b'"just a string"', "invalid_input"),
        (b"[]", "invalid_input"),
    ],
    ids=["not-json", "no-national-code", "nul", "wrong-type", "not-an-object", "empty-list"],
)
def test_r22_malformed_push_is_a_4xx_in_the_error_shape_never_500(server, keys, body, code):
    reply = httpx.post(
        endpoint(server),
        content=body,
        headers={"Content-Type": "application/json", "Authorization": f"Partner dvcqg:{keys['dvcqg']}"},
    )

    assert 400 <= reply.status_code < 500, reply.text
    assert reply.json()["error"]["code"] == code


def test_list_body_answers_each_dossier(server, keys, national_portal):
    good = portal_files(national_portal, [forwarded()])[0]
    bad = forwarded(MaTTHC="9.999999", ThanhPhanHoSo=[])

    reply = httpx.post(
        endpoint(server), json=[good, bad, good], headers={"Authorization": f"Partner dvcqg:{keys['dvcqg']}"}
    )

    assert reply.status_code == 200
    results = reply.json()["results"]
    assert [r["status"] for r in results] == [201, 422, 200]
    assert results[0]["code"] == results[2]["code"]
    assert results[1]["error"]["code"] == "procedure_not_found"


def test_pushes_are_rate_limited_per_partner(server, keys, national_portal, settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "national_inbound": "2/min",
        },
    }
    payloads = [forwarded(MaTTHC="9.999999", ThanhPhanHoSo=[]) for _ in range(3)]

    answers = national_portal.push(endpoint(server), "hanche", keys["hanche"], payloads)

    assert [a["status"] for a in answers] == [422, 422, 429]
    assert answers[2]["body"]["error"]["code"] == "throttled"
    # Another partner has its own allowance.
    (other,) = national_portal.push(endpoint(server), "dvcqg", keys["dvcqg"], [payloads[2]])
    assert other["status"] == 422


def test_file_store_down_is_503_nothing_recorded_then_created_on_retry(
    server, keys, national_portal, settings, file_host
):
    """Not the dossier's fault: answered 503 with Retry-After, nothing recorded, so the partner's
    retry (the store back) creates it."""
    content = b"%PDF-1.4\n% to khai\n"
    settings.MOTCUA_INBOUND_FILE_ORIGINS = [file_host.url]
    payload = forwarded(
        components=[
            {
                "MaThanhPhanHoSo": "1.001193.GT01",
                "GiayToDinhKem": [
                    {
                        "TenGiayTo": "Tờ khai",
                        "DuongDan": f"{file_host.url}/tk.pdf",
                        "HashTepTin": sha256(content),
                    }
                ],
            }
        ]
    )
    url = endpoint(server)
    headers = {"Authorization": f"Partner dvcqg:{keys['dvcqg']}"}

    down = httpx.post(url, json=payload, headers=headers, timeout=30)

    assert down.status_code == 503 and down.headers["Retry-After"] == "60"
    assert down.json()["error"]["code"] == "portal_unavailable"
    assert not InboundDossier.objects.filter(national_id=payload["MaHoSo"]).exists()

    file_host.serve({"/tk.pdf": content})
    retry = httpx.post(url, json=payload, headers=headers, timeout=30)

    assert retry.status_code == 201, retry.text
    assert dossiers_of(payload["MaHoSo"]).get().attachments.get().document.sha256 == sha256(content)
