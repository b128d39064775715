"""Four pushes of one forwarded dossier at the same instant make one dossier (issue 9, item 4).

The province runs as its own process (runserver, threaded) on its own database, SQLite file or
PostgreSQL: the requests really run at once, each on its own connection, as in production. The
simulator POSTs each push from its own thread; what the server recorded is read back from its
database afterwards."""

import json
import threading
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import Server, demo_server
from tests.national_portal import CLIENT_ID, CLIENT_SECRET, PROVINCE_CODE
from tests.sync_inbound.kit import PROVINCE, forwarded

PUSHES = 4

RECORDED = """
import datetime, json
from motcua.dossiers.models import Dossier, DossierCounter
from motcua.sync.models import InboundDossier
national_id = {national_id!r}
dossiers = list(Dossier.objects.filter(national_id=national_id).values_list("code", flat=True))
code = dossiers[0]
d = Dossier.objects.get(code=code)
day = datetime.datetime.strptime(code.split("-")[-2], "%y%m%d").date()
prefix = code.rsplit("-", 1)[0] + "-"
print(json.dumps({{
    "dossiers": dossiers,
    "inbound": InboundDossier.objects.filter(national_id=national_id).count(),
    "numbered_that_day": Dossier.objects.filter(code__startswith=prefix).count(),
    "counter_last": DossierCounter.objects.get(unit=d.receiving_unit, day=day).last,
}}))
"""


@pytest.fixture(scope="module")
def province(tmp_path_factory, national_portal_process) -> Iterator[tuple[Server, str]]:
    tmp = tmp_path_factory.mktemp("push-race")
    server = demo_server(
        tmp,
        "push_e2e",
        MOTCUA_DVCQG_URL=national_portal_process.url,
        MOTCUA_DVCQG_CLIENT_ID=CLIENT_ID,
        MOTCUA_DVCQG_CLIENT_SECRET=CLIENT_SECRET,
        MOTCUA_DVCQG_PROVINCE_CODE=PROVINCE_CODE,
    )
    out = server.manage("add_partner", "dvcqg", "Cổng Dịch vụ công quốc gia", "--unit", PROVINCE)
    key = out.split("Khoá (chỉ hiện một lần): ", 1)[1].split()[0]
    with server.serving(tmp / "server.log"):
        yield server, key


def test_four_pushes_of_the_same_dossier_at_once_make_one_dossier(province, national_portal):
    server, key = province
    national_portal.offer_forwarded([forwarded()])
    # As the portal serves it: with the files' `DuongDan` and `HashTepTin`.
    (payload,) = national_portal.adapter().fetch_forwarded("", 1000).dossiers[-1:]
    start = threading.Barrier(PUSHES)
    answers: list[dict] = []
    lock = threading.Lock()

    def push() -> None:
        start.wait(timeout=30)
        reply = httpx.post(
            national_portal.url + "/_sim/push",
            json={
                "url": server.url + "/api/v1/national/dossiers",
                "partner": "dvcqg",
                "key": key,
                "dossiers": [payload],
                "headers": {"Authorization": f"Partner dvcqg:{key}"},
            },
            timeout=60,
        )
        with lock:
            answers.extend(reply.json()["responses"])

    threads = [threading.Thread(target=push) for _ in range(PUSHES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)

    assert sorted(a["status"] for a in answers) == [200] * (PUSHES - 1) + [201]
    assert len({a["body"]["code"] for a in answers}) == 1
    recorded = json.loads(server.python(RECORDED.format(national_id=payload["MaHoSo"])))
    assert recorded["dossiers"] == [answers[0]["body"]["code"]]
    assert recorded["inbound"] == 1
    # The losers' numbers were given back: every number of the unit's day is a dossier (gap-free).
    assert recorded["numbered_that_day"] == recorded["counter_last"]
