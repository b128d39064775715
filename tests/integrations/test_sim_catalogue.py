"""The simulator's national catalogue (sim_data/procedures): readable by our LayThuTuc import, and
differing from the demo catalogue exactly where its README says (catalogue-sync tests rely on it)."""

from __future__ import annotations

import json

import pytest

from motcua.catalog.national_payload import read_payload
from motcua.integrations.dvcqg.simulator import DEFAULT_CATALOG, load_catalog
from tests.demo_province import demo, on_demo  # noqa: F401

DEMO = json.loads((DEFAULT_CATALOG.parents[3] / "demo" / "data" / "procedures.json").read_text("utf-8"))
DEMO_BY_CODE = {p["MaTTHC"]: {k: v for k, v in p.items() if k != "MOTCUA"} for p in DEMO["data"]}
CATALOG = {p["MaTTHC"]: p for p in load_catalog(None)}


def _fees(payload):
    return {
        (c["KENH"], f["MAPHILEPHI"]): f["SOTIEN"]
        for c in payload["CACHTHUCTHUCHIEN"]
        for t in c["THOIGIAN"]
        for f in t["PHILEPHI"]
    }


def _deadlines(payload):
    return {c["KENH"]: [t["THOIGIANGIAIQUYET"] for t in c["THOIGIAN"]] for c in payload["CACHTHUCTHUCHIEN"]}


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_payload_is_read_by_the_national_import_without_warnings(code):
    plan = read_payload(CATALOG[code])

    assert plan.code == code
    assert plan.warnings == []


def test_differences_from_the_demo_catalogue():
    assert {code: CATALOG[code] == DEMO_BY_CODE.get(code) for code in CATALOG} == {
        "1.001193": True,
        "1.000894": True,
        "1.019904": True,
        "1.001612": False,
        "1.004884": False,
        "1.019950": False,
    }
    assert "1.019950" not in DEMO_BY_CODE  # the new procedure
    assert set(_fees(CATALOG["1.001612"]).values()) == {"150000"}
    assert set(_fees(DEMO_BY_CODE["1.001612"]).values()) == {"100000"}
    assert _deadlines(CATALOG["1.004884"]) == {"1": ["3"], "2": ["3"], "3": ["3"]}
    assert _deadlines(DEMO_BY_CODE["1.004884"]) == {"1": ["5"], "2": ["5"], "3": ["5"]}
