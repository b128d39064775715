"""Reception points (R-01, R-02, R-19): who receives a procedure's dossiers, per channel."""

import datetime

import pytest

from motcua.catalog import services
from motcua.catalog.models import Channel, OnlineLevel, Procedure, ReceptionPoint
from motcua.core.errors import InvalidInput, RuleViolation
from motcua.org.models import Counter, Unit, UnitKind, UnitLevel


@pytest.fixture
def criminal_record(imported) -> Procedure:
    return Procedure.objects.get(code="2.000488")


@pytest.fixture
def internal_online(imported) -> Procedure:
    return Procedure.objects.get(code="1.012876")


def test_r01_centre_counter_receives_on_behalf_and_online_goes_to_the_department(
    criminal_record, provincial_centre, justice_dept, counter
):
    at_centre = services.add_reception_point(
        criminal_record,
        channel=Channel.COUNTER,
        unit=provincial_centre,
        counter=counter,
        on_behalf_of=justice_dept,
    )
    online = services.add_reception_point(criminal_record, channel=Channel.ONLINE, unit=justice_dept)
    by_post = services.add_reception_point(
        criminal_record, channel=Channel.POSTAL, unit=provincial_centre, on_behalf_of=justice_dept
    )
    assert (at_centre.unit, at_centre.counter, at_centre.on_behalf_of) == (
        provincial_centre,
        counter,
        justice_dept,
    )
    assert (online.unit, online.on_behalf_of) == (justice_dept, None)
    assert by_post.channel == Channel.POSTAL
    assert criminal_record.reception_points.count() == 3


def test_r01_adding_the_same_point_twice_keeps_one(criminal_record, justice_dept):
    first = services.add_reception_point(criminal_record, channel=Channel.ONLINE, unit=justice_dept)
    again = services.add_reception_point(criminal_record, channel=Channel.ONLINE, unit=justice_dept)
    assert first == again
    assert ReceptionPoint.objects.count() == 1


def test_r02_online_point_never_on_behalf(criminal_record, provincial_centre, justice_dept):
    with pytest.raises(RuleViolation) as exc:
        services.add_reception_point(
            criminal_record, channel=Channel.ONLINE, unit=provincial_centre, on_behalf_of=justice_dept
        )
    assert exc.value.rule == "R-02"
    assert "không qua tiếp nhận thay" in exc.value.message
    assert not ReceptionPoint.objects.exists()


def test_r02_online_point_is_not_the_centre(criminal_record, provincial_centre):
    with pytest.raises(RuleViolation) as exc:
        services.add_reception_point(criminal_record, channel=Channel.ONLINE, unit=provincial_centre)
    assert exc.value.rule == "R-02"


def test_r19_internal_online_procedure_has_no_counter_point(
    internal_online, provincial_centre, home_affairs_dept
):
    for channel in (Channel.COUNTER, Channel.POSTAL):
        with pytest.raises(RuleViolation) as exc:
            services.add_reception_point(
                internal_online, channel=channel, unit=provincial_centre, on_behalf_of=home_affairs_dept
            )
        assert exc.value.rule == "R-19"
        assert exc.value.message == (
            "Thủ tục nội bộ đã có dịch vụ công trực tuyến phải nộp trực tuyến; "
            "không tiếp nhận trực tiếp hoặc qua bưu chính."
        )
    point = services.add_reception_point(internal_online, channel=Channel.ONLINE, unit=home_affairs_dept)
    assert point.channel == Channel.ONLINE


def test_r19_internal_procedure_without_online_service_may_be_received_in_person(
    internal_online, home_affairs_dept
):
    internal_online.online_level = OnlineLevel.NONE
    internal_online.save()
    point = services.add_reception_point(internal_online, channel=Channel.COUNTER, unit=home_affairs_dept)
    assert point.channel == Channel.COUNTER


def test_counter_must_belong_to_the_receiving_unit(criminal_record, justice_dept, counter):
    with pytest.raises(InvalidInput, match="không thuộc Sở Tư pháp"):
        services.add_reception_point(
            criminal_record, channel=Channel.COUNTER, unit=justice_dept, counter=counter
        )


def test_counter_must_serve_the_unit_received_for(
    criminal_record, provincial_centre, construction_dept, counter
):
    with pytest.raises(InvalidInput, match="chưa được giao tiếp nhận thay cho Sở Xây dựng"):
        services.add_reception_point(
            criminal_record,
            channel=Channel.COUNTER,
            unit=provincial_centre,
            counter=counter,
            on_behalf_of=construction_dept,
        )


def test_r01_only_a_service_centre_receives_on_behalf(criminal_record, construction_dept, justice_dept):
    with pytest.raises(RuleViolation) as exc:
        services.add_reception_point(
            criminal_record, channel=Channel.COUNTER, unit=construction_dept, on_behalf_of=justice_dept
        )
    assert exc.value.rule == "R-01"


def test_ended_unit_cannot_receive(criminal_record, justice_dept):
    justice_dept.valid_to = datetime.date(2025, 6, 30)
    justice_dept.save()
    with pytest.raises(InvalidInput, match="đã hết hiệu lực"):
        services.add_reception_point(
            criminal_record, channel=Channel.ONLINE, unit=justice_dept, valid_from=datetime.date(2025, 7, 1)
        )


def test_commune_centre_counter(criminal_record, province):
    commune = Unit.objects.create(
        code="H19.12.01",
        name="UBND phường Trấn Biên",
        kind=UnitKind.COMMUNE,
        level=UnitLevel.COMMUNE,
        parent=province,
    )
    centre = Unit.objects.create(
        code="H19.12.01.01",
        name="Trung tâm Phục vụ hành chính công phường Trấn Biên",
        kind=UnitKind.SERVICE_CENTRE,
        level=UnitLevel.COMMUNE,
        parent=commune,
    )
    desk = Counter.objects.create(centre=centre, number=1, name="Quầy 1")
    point = services.add_reception_point(
        criminal_record, channel=Channel.COUNTER, unit=centre, counter=desk, on_behalf_of=commune
    )
    assert point.counter == desk
