"""A merger moves the predecessor's procedures to the successor; history stays (REGULATIONS §0.2)."""

import datetime

import pytest

from motcua.catalog import national_import, services
from motcua.catalog.models import AgencyRole, Channel, Procedure, ProcedureUnit, ReceptionPoint
from motcua.org import services as org_services
from motcua.org.models import Unit, UnitKind, UnitLevel

JUNE_30 = datetime.date(2025, 6, 30)


@pytest.fixture
def transport_dept(province) -> Unit:
    return Unit.objects.create(
        code="000.00.11.H19",
        name="Sở Giao thông vận tải",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
        parent=province,
    )


@pytest.fixture
def licence(imported, transport_dept) -> Procedure:
    outcome = national_import.import_procedure(
        {
            "MaTTHC": "1.002804",
            "TENTTHC": "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
            "LINHVUCTHUCHIEN": [{"MALINHVUC": "G16-DB", "TENLINHVUC": "Đường bộ"}],
            "COQUANTHUCHIEN": [{"MADONVI": "000.00.11.H19", "TENDONVI": "Sở Giao thông vận tải"}],
        }
    )
    return outcome.procedure


def test_merger_moves_procedure_links_without_duplicates(
    licence, transport_dept, construction_dept, merger_day
):
    building = Procedure.objects.get(code="1.009972")
    ProcedureUnit.objects.create(procedure=building, unit=transport_dept, role=AgencyRole.IMPLEMENTING)

    org_services.merge_units(
        [transport_dept], construction_dept, effective_on=merger_day, decision="15/QĐ-UBND"
    )

    assert list(licence.unit_links.values_list("unit__code", "role")) == [("000.00.08.H19", "implementing")]
    assert sorted(building.unit_links.values_list("unit__code", "role")) == [
        ("000.00.08.H19", "competent"),
        ("000.00.08.H19", "implementing"),
    ]
    assert not ProcedureUnit.objects.filter(unit=transport_dept).exists()


def test_merger_ends_reception_points_and_opens_equivalent_ones(
    licence, transport_dept, construction_dept, provincial_centre, counter, merger_day
):
    counter.serves.add(transport_dept)
    online = services.add_reception_point(
        licence, channel=Channel.ONLINE, unit=transport_dept, valid_from=datetime.date(2024, 1, 1)
    )
    at_centre = services.add_reception_point(
        licence, channel=Channel.COUNTER, unit=provincial_centre, counter=counter, on_behalf_of=transport_dept
    )
    future = services.add_reception_point(
        licence, channel=Channel.POSTAL, unit=transport_dept, valid_from=datetime.date(2025, 8, 1)
    )

    org_services.merge_units(
        [transport_dept], construction_dept, effective_on=merger_day, decision="15/QĐ-UBND"
    )

    online.refresh_from_db()
    at_centre.refresh_from_db()
    future.refresh_from_db()
    # History is kept: the old points end the day before the merger.
    assert (online.unit, online.valid_from, online.valid_to) == (
        transport_dept,
        datetime.date(2024, 1, 1),
        JUNE_30,
    )
    assert (at_centre.on_behalf_of, at_centre.valid_to) == (transport_dept, JUNE_30)
    # A point that had not started yet simply moves.
    assert (future.unit, future.valid_from, future.valid_to) == (
        construction_dept,
        datetime.date(2025, 8, 1),
        None,
    )

    current = ReceptionPoint.objects.valid_on(merger_day).filter(procedure=licence)
    assert {(p.channel, p.unit.code, p.counter_id, p.on_behalf_of_id, p.valid_from) for p in current} == {
        ("online", "000.00.08.H19", None, None, merger_day),
        ("counter", "000.00.40.H19", counter.pk, construction_dept.pk, merger_day),
    }
    assert ReceptionPoint.objects.filter(procedure=licence).count() == 5


def test_two_predecessors_into_one_successor_leave_one_point(
    licence, transport_dept, construction_dept, province, merger_day
):
    planning = Unit.objects.create(
        code="000.00.12.H19",
        name="Sở Quy hoạch – Kiến trúc",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
        parent=province,
    )
    ProcedureUnit.objects.create(procedure=licence, unit=planning, role=AgencyRole.IMPLEMENTING)
    for unit in (transport_dept, planning):
        services.add_reception_point(licence, channel=Channel.ONLINE, unit=unit)

    org_services.merge_units(
        [transport_dept, planning], construction_dept, effective_on=merger_day, decision="15/QĐ-UBND"
    )

    assert list(licence.unit_links.values_list("unit__code", flat=True)) == ["000.00.08.H19"]
    live = ReceptionPoint.objects.valid_on(merger_day).filter(procedure=licence)
    assert list(live.values_list("unit__code", flat=True)) == ["000.00.08.H19"]
    assert ReceptionPoint.objects.filter(procedure=licence, valid_to=JUNE_30).count() == 2


def test_reimport_naming_the_merged_unit_links_the_successor(
    licence, transport_dept, construction_dept, merger_day
):
    org_services.merge_units(
        [transport_dept], construction_dept, effective_on=merger_day, decision="15/QĐ-UBND"
    )
    outcome = national_import.import_procedure(licence.national_payload)
    assert outcome.changed is False
    assert any("đã sáp nhập vào Sở Xây dựng" in w for w in outcome.warnings)
    assert list(licence.unit_links.values_list("unit__code", flat=True)) == ["000.00.08.H19"]
