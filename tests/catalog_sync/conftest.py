"""Catalogue sync fixtures: a small province, its catalogue imported from national payloads, and
the national-portal simulator (a subprocess over real HTTP) serving the same payloads."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from motcua.catalog import national_import
from motcua.catalog.models import (
    CaseDuration,
    CatalogSyncRun,
    Channel,
    Fee,
    Field,
    LegalBasis,
    Procedure,
    ProcedureCase,
    ProcedureLevelLink,
    ProcedureUnit,
    RequiredDocument,
    ResultDocument,
)
from motcua.org.models import Unit, UnitKind, UnitLevel
from tests.national_portal import national_portal, national_portal_process  # noqa: F401

SAMPLE = Path(__file__).resolve().parents[1] / "catalog" / "data" / "laythutuc_sample.json"

CATALOGUE_MODELS = (
    Field,
    Procedure,
    ProcedureLevelLink,
    ProcedureUnit,
    ProcedureCase,
    CaseDuration,
    Fee,
    RequiredDocument,
    ResultDocument,
    LegalBasis,
)

# A procedure the province publishes itself (MACOQUANCONGBO names the province): new to our catalogue.
NEW_CODE = "1.099001"


def national_payloads() -> list[dict]:
    """The sample catalogue as the national portal publishes it: without our local `MOTCUA` block,
    and with the code spelled `MaTTHC` (the simulator files procedures under that key)."""
    payloads = json.loads(SAMPLE.read_text(encoding="utf-8"))["data"]
    return [{("MaTTHC" if k == "MATTHC" else k): v for k, v in p.items() if k != "MOTCUA"} for p in payloads]


def by_code(payloads: list[dict], code: str) -> dict:
    return next(p for p in payloads if p["MaTTHC"] == code)


def new_procedure() -> dict:
    return {
        "ID": "1099001",
        "MaTTHC": NEW_CODE,
        "TENTTHC": "Cấp Giấy xác nhận thông tin về cư trú (thí điểm)",
        "MACOQUANCONGBO": "H19",
        "TRANGTHAI": 1,
        "QUYETDINH": "2001/QĐ-UBND",
        "CAPTHUCHIEN": [{"CAPTHUCHIEN": "2", "TENCAP": "Cấp Tỉnh"}],
        "LINHVUCTHUCHIEN": [{"MALINHVUC": "G09-TP07", "TENLINHVUC": "Lý lịch tư pháp"}],
        "CACHTHUCTHUCHIEN": [
            {
                "KENH": "2",
                "THOIGIAN": [
                    {
                        "THOIGIANGIAIQUYET": "3",
                        "DONVITINH": "Ngày làm việc",
                        "PHILEPHI": [{"MAPHILEPHI": "LPCT", "SOTIEN": "20.000", "MOTA": "Lệ phí xác nhận"}],
                    }
                ],
            }
        ],
        "THANHPHANHOSO": [{"GIAYTO": [{"MAGIAYTO": "GT.CT.01", "TENGIAYTO": "Tờ khai", "SOBANCHINH": "1"}]}],
        "COQUANTHUCHIEN": [{"MADONVI": "000.00.05.H19", "TENDONVI": "Sở Tư pháp"}],
    }


def catalogue_rows() -> dict[str, list[tuple]]:
    """Every row of the catalogue tables, as values: equal before and after means nothing was written."""
    return {
        model.__name__: sorted(map(tuple, model.objects.values_list()), key=repr)
        for model in CATALOGUE_MODELS
    }


BUILDING, RECORD, POSTS = "1.009972", "2.000488", "1.012876"
FOREIGNER = "Người nước ngoài đang cư trú tại Việt Nam"


def publish_changes(portal, catalogue: list[dict]) -> None:
    """What the national catalogue published since our import: a fee raised, a deadline extended,
    a new provincial procedure, and one procedure no longer listed."""
    payloads = copy.deepcopy(catalogue)
    by_code(payloads, BUILDING)["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] = "175.000"
    by_code(payloads, RECORD)["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][1]["THOIGIANGIAIQUYET"] = "20"
    payloads = [p for p in payloads if p.get("MaTTHC") != POSTS] + [new_procedure()]
    portal.add_procedures(payloads, replace=True)


def counter_fee(code: str) -> int:
    return Fee.objects.get(case__procedure__code=code, channel=Channel.COUNTER).amount


def foreigner_counter_days(code: str = RECORD) -> Decimal:
    return CaseDuration.objects.get(
        case__procedure__code=code, case__name=FOREIGNER, channel=Channel.COUNTER
    ).value


@pytest.fixture
def units(province, justice_dept, construction_dept, provincial_centre) -> dict[str, Unit]:
    home_affairs = Unit.objects.create(
        code="000.00.04.H19",
        name="Sở Nội vụ",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
        parent=province,
    )
    return {u.code: u for u in (province, justice_dept, construction_dept, home_affairs, provincial_centre)}


@pytest.fixture
def catalogue(units) -> list[dict]:
    """Our catalogue, imported from the national payloads: the portal and we agree at the start."""
    payloads = national_payloads()
    report = national_import.import_catalog(copy.deepcopy(payloads))
    assert report.errors == []
    return payloads


@pytest.fixture
def portal(national_portal, catalogue):  # noqa: F811 (the imported fixture)
    """The simulator serving exactly our catalogue (its own sample data replaced)."""
    national_portal.add_procedures(copy.deepcopy(catalogue), replace=True)
    return national_portal


def entry_of(run: CatalogSyncRun, code: str) -> dict:
    return next(e for e in run.differences if e["code"] == code)


def change_of(entry: dict, label: str) -> dict:
    return next(c for c in entry["changes"] if c["label"] == label)


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("quantri", email="quantri@example.vn", password=None)
