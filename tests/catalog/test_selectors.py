"""Catalogue reads: diacritics-insensitive search, detail, the R-20 list — without N+1 queries."""

import pytest

from motcua.catalog import selectors, services
from motcua.catalog.models import AgencyRole, Channel, Procedure, ProcedureUnit
from motcua.core.errors import NotFound
from motcua.org.models import Unit, UnitKind, UnitLevel


def codes(qs) -> list[str]:
    return [p.code for p in qs]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("giay phep xay dung", ["1.009972"]),
        ("Cấp giấy phép xây dựng", ["1.009972"]),
        ("GIẤY PHÉP", ["1.009972"]),
        ("xay dung giay phep", ["1.009972"]),  # every word, any order
        ("ly lich tu phap", ["2.000488"]),
        ("lý lịch tư pháp", ["2.000488"]),
        ("2.000488", ["2.000488"]),
        ("1.0", ["1.009972", "1.012876"]),
        ("cap", ["1.009972", "2.000488"]),
        ("giay phep lai xe", []),
        ("", ["1.009972", "1.012876", "2.000488"]),
    ],
)
def test_search_is_case_and_diacritics_insensitive(imported, q, expected):
    assert codes(selectors.search_procedures(q=q)) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"level": "commune"}, ["1.012876"]),
        ({"level": "province"}, ["1.009972", "1.012876", "2.000488"]),
        ({"unit": "000.00.05.H19"}, ["2.000488"]),  # linked twice (implementing + competent), listed once
        ({"unit": "000.00.99.H19"}, []),
        ({"internal": True}, ["1.012876"]),
        ({"internal": False}, ["1.009972", "2.000488"]),
        ({"online_level": "partial"}, ["1.009972"]),
        ({"field": "G09-TP07"}, ["2.000488"]),
        ({"q": "tham dinh", "internal": True, "level": "province"}, ["1.012876"]),
    ],
)
def test_search_filters(imported, filters, expected):
    assert codes(selectors.search_procedures(**filters)) == expected


def test_search_does_not_query_per_row(imported, django_assert_num_queries):
    with django_assert_num_queries(2):  # procedures + fields (join), then levels (prefetch)
        rows = [
            (p.field.name, [link.level for link in p.levels.all()]) for p in selectors.search_procedures()
        ]
    assert len(rows) == 3


def test_procedure_detail_prefetches_everything(
    imported, justice_dept, provincial_centre, counter, django_assert_num_queries
):
    services.add_reception_point(
        Procedure.objects.get(code="2.000488"),
        channel=Channel.COUNTER,
        unit=provincial_centre,
        counter=counter,
        on_behalf_of=justice_dept,
    )
    with django_assert_num_queries(10):
        p = selectors.procedure_detail("2.000488")
        shown = (
            p.field.name,
            [link.level for link in p.levels.all()],
            [(link.unit.code, link.role) for link in p.unit_links.all()],
            [
                (
                    c.name,
                    [str(d) for d in c.durations.all()],
                    [f.amount for f in c.fees.all()],
                    [d.name for d in c.documents.all()],
                )
                for c in p.cases.all()
            ],
            [r.name for r in p.results.all()],
            [b.number for b in p.legal_bases.all()],
            [(rp.unit.name, str(rp.counter), rp.on_behalf_of.name) for rp in p.reception_points.all()],
        )
    assert shown[3][1][0] == "Người nước ngoài đang cư trú tại Việt Nam"
    assert shown[6] == [
        ("Trung tâm Phục vụ hành chính công tỉnh Đồng Nai", "Quầy 1 — Quầy Tư pháp", "Sở Tư pháp")
    ]


def test_procedure_detail_unknown_code_is_not_found_in_vietnamese(db):
    with pytest.raises(NotFound) as exc:
        selectors.procedure_detail("9.999999")
    assert exc.value.message == "Không tìm thấy thủ tục hành chính có mã 9.999999."


def test_r20_internal_procedures_not_received_in_person(imported, home_affairs_dept, justice_dept, province):
    assert codes(selectors.internal_procedures_not_received_in_person()) == ["1.012876"]
    assert codes(selectors.internal_procedures_not_received_in_person(home_affairs_dept)) == ["1.012876"]
    assert codes(selectors.internal_procedures_not_received_in_person(province)) == ["1.012876"]  # competent
    assert codes(selectors.internal_procedures_not_received_in_person(justice_dept)) == []


def test_r20_list_follows_the_catalogue(imported, home_affairs_dept):
    # An internal procedure without an online service is received in person: not on the list.
    Procedure.objects.filter(code="1.012876").update(online_level="none")
    assert codes(selectors.internal_procedures_not_received_in_person()) == []
    # A coordinating unit does not publish the procedure as its own.
    Procedure.objects.filter(code="1.012876").update(online_level="partial")
    police = Unit.objects.create(
        code="000.00.77.H19", name="Công an tỉnh", kind=UnitKind.OTHER_BODY, level=UnitLevel.PROVINCE
    )
    ProcedureUnit.objects.create(
        procedure=Procedure.objects.get(code="1.012876"), unit=police, role=AgencyRole.COORDINATING
    )
    assert codes(selectors.internal_procedures_not_received_in_person(police)) == []
    # Unpublished procedures are not published in the list either.
    Procedure.objects.filter(code="1.012876").update(published=False)
    assert codes(selectors.internal_procedures_not_received_in_person(home_affairs_dept)) == []
