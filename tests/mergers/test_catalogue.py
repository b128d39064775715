"""The successor takes over the predecessor's procedures, reception points and counters; the
preview names the conflicts first (REGULATIONS §0.2, R-01, R-04, R-24)."""

import datetime

import pytest

from motcua.catalog.models import AgencyRole, Channel, Procedure, ProcedureUnit, ReceptionPoint
from motcua.org import services
from motcua.org.models import Counter, Unit
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, once per module)
from tests.dossiers.kit import CENTRE, CONSULTED, FINANCE, HOME_AFFAIRS, JUSTICE, NOTARY, user
from tests.mergers.kit import DECISION, effective_on, home_affairs, justice


def plan(predecessor: Unit | None = None):
    return services.plan_merger(
        [predecessor or justice()],
        home_affairs(),
        effective_on=effective_on(),
        decision=DECISION,
        actor=user("quantri"),
    )


def test_r04_merger_moves_procedures_reception_points_and_counters():
    notary = Procedure.objects.get(code=NOTARY)
    counter = Counter.objects.get(centre__code=CENTRE, number=1)
    old_points = set(
        ReceptionPoint.objects.valid_on(effective_on()).filter(procedure=notary).values_list("pk", flat=True)
    )

    services.commit_merger(plan(), actor=user("quantri"))

    assert list(notary.unit_links.values_list("unit__code", "role")) == [
        (HOME_AFFAIRS, AgencyRole.IMPLEMENTING)
    ]
    yesterday = effective_on() - datetime.timedelta(days=1)
    # History: the old points end the day before (R-04: the change applies to new dossiers only).
    assert set(ReceptionPoint.objects.filter(pk__in=old_points).values_list("valid_to", flat=True)) == {
        yesterday
    }
    live = ReceptionPoint.objects.valid_on(effective_on()).filter(procedure=notary)
    assert {(p.channel, p.unit.code, p.on_behalf_of and p.on_behalf_of.code, p.counter_id) for p in live} == {
        (Channel.COUNTER, CENTRE, HOME_AFFAIRS, counter.pk),  # the Centre now receives on its behalf
        (Channel.ONLINE, HOME_AFFAIRS, None, None),  # straight to the deciding unit's own point
        (Channel.POSTAL, HOME_AFFAIRS, None, None),
    }
    assert {p.valid_from for p in live} == {effective_on()}
    assert set(counter.serves.values_list("code", flat=True)) == {HOME_AFFAIRS}


def test_merger_preview_names_the_procedure_the_successor_already_implements():
    consulted = Procedure.objects.get(code=CONSULTED)  # Sở Nội vụ's own procedure
    ProcedureUnit.objects.create(procedure=consulted, unit=justice(), role=AgencyRole.IMPLEMENTING)
    merger = plan()
    procedures = services.preview_merger(merger).units[0].get("procedures")
    assert f"Thủ tục {CONSULTED}: Sở Nội vụ đã là cơ quan thực hiện; giữ một liên kết." in procedures.warnings
    assert procedures.count == ProcedureUnit.objects.filter(unit=justice()).count()

    services.commit_merger(merger, actor=user("quantri"))
    assert list(
        consulted.unit_links.filter(role=AgencyRole.IMPLEMENTING).values_list("unit__code", flat=True)
    ) == [HOME_AFFAIRS]


def test_r24_merger_preview_lists_processes_still_naming_the_predecessor():
    # The internal procedure's step 3 is Sở Tài chính's opinion: a merger of Sở Tài chính leaves
    # that approved process as it is and tells the administrator to approve a new one.
    finance = Unit.objects.get(code=FINANCE)
    part = services.preview_merger(plan(finance)).units[0].get("process_versions")
    assert part.count == 1
    assert part.warnings == [
        f"Thủ tục {CONSULTED}, quy trình phiên bản 1: bước 3 “STC cho ý kiến: phương án tài chính, "
        "tài sản của đơn vị” giao cho Sở Tài chính; hãy phê duyệt phiên bản quy trình mới (R-24)."
    ]


def test_merger_preview_warns_about_the_predecessors_divisions_left_behind():
    part = services.preview_merger(plan()).units[0].get("units")
    left = "trực thuộc Sở Tư pháp vẫn còn hiệu lực: hãy sáp nhập hoặc chuyển riêng."
    assert part.warnings == [
        f"Phòng Hành chính tư pháp (000.01.05.H19) {left}",
        f"Phòng Bổ trợ tư pháp (000.02.05.H19) {left}",
    ]


@pytest.mark.parametrize("code", [JUSTICE, JUSTICE.lower(), f" {JUSTICE} "])
def test_merger_old_unit_code_resolves_to_its_successor(code):
    assert services.resolve_unit_code(code) == justice()  # before: itself
    services.commit_merger(plan(), actor=user("quantri"))
    assert services.resolve_unit_code(code) == home_affairs()
    assert services.resolve_unit_code("000.99.99.H19") is None
