"""A merger is planned, previewed, then committed or cancelled (issue 9 item 7): reversible until
committed, exact in what it announces."""

import datetime

import pytest
from django.db.models import Q

from motcua.catalog.models import ProcedureUnit, ReceptionPoint
from motcua.core.errors import InvalidInput
from motcua.dossiers.models import DossierEvent, OutboxMessage
from motcua.org import services
from motcua.org.models import MergerStatus, RoleAssignment, Unit, UnitMerger
from motcua.org.services import MergerStateError
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, once per module)
from tests.dossiers.kit import FINANCE, user
from tests.mergers.kit import DECISION, effective_on, home_affairs, justice, make_case, snapshot


@pytest.fixture
def case():
    return make_case()


def plan(predecessors=None, successor=None, **kwargs) -> UnitMerger:
    kwargs.setdefault("effective_on", effective_on())
    kwargs.setdefault("decision", DECISION)
    kwargs.setdefault("actor", user("quantri"))
    return services.plan_merger(predecessors or [justice()], successor or home_affairs(), **kwargs)


def test_merger_draft_moves_nothing(case):
    before = snapshot()
    merger = plan()
    assert merger.status == MergerStatus.DRAFT and merger.created_by == user("quantri")
    assert list(merger.predecessors.all()) == [justice()]
    assert snapshot() == before
    assert justice().successor is None and services.current_unit(justice()) == justice()


def test_merger_preview_moves_nothing_and_counts_what_commit_moves(case):
    merger = plan()
    before = snapshot()
    preview = services.preview_merger(merger)
    assert snapshot() == before  # run for real, then rolled back
    totals = preview.totals()
    assert totals["dossiers"] == len(case.moving) == 4
    assert totals["role_assignments"] == 4  # Hồ Văn Tâm twice, the head of division, the director

    transfers_before = DossierEvent.objects.filter(action="unit_transfer").count()
    outbox_before = OutboxMessage.objects.count()
    committed = services.commit_merger(merger, actor=user("quantri"))

    assert committed.moved == preview.counts()
    # … and the counts are what really changed in the database.
    assert (
        DossierEvent.objects.filter(action="unit_transfer").count() - transfers_before == totals["dossiers"]
    )
    assert OutboxMessage.objects.count() - outbox_before == totals["dossiers"]
    last_day = effective_on() - datetime.timedelta(days=1)
    assert (
        RoleAssignment.objects.filter(unit=justice(), valid_to=last_day).count() == totals["role_assignments"]
    )
    assert not ProcedureUnit.objects.filter(unit=justice()).exists()
    ended = ReceptionPoint.objects.filter(Q(unit=justice()) | Q(on_behalf_of=justice()), valid_to=last_day)
    assert ended.count() == totals["reception_points"]


def test_merger_commit_records_who_when_and_what(case):
    merger = services.commit_merger(plan(), actor=user("quantri"))
    merger.refresh_from_db()
    assert merger.status == MergerStatus.COMMITTED
    assert merger.committed_by == user("quantri") and merger.committed_at is not None
    assert merger.moved[justice().code]["dossiers"] == 4
    unit = justice()
    assert unit.successor == home_affairs()
    assert unit.valid_to == effective_on() - datetime.timedelta(days=1)


def test_merger_cancel_leaves_everything(case):
    before = snapshot()
    merger = plan()
    services.preview_merger(merger)
    cancelled = services.cancel_merger(merger, actor=user("quantri"))
    assert cancelled.status == MergerStatus.CANCELLED and cancelled.cancelled_by == user("quantri")
    assert snapshot() == before
    with pytest.raises(MergerStateError):
        services.commit_merger(cancelled, actor=user("quantri"))
    assert snapshot() == before
    # A cancelled draft holds nothing: the unit may be planned again.
    assert plan().status == MergerStatus.DRAFT


def test_merger_committed_cannot_be_cancelled(case):
    merger = services.commit_merger(plan(), actor=user("quantri"))
    after = snapshot()
    with pytest.raises(MergerStateError) as refused:
        services.cancel_merger(merger, actor=user("quantri"))
    assert "không thể huỷ" in refused.value.message
    with pytest.raises(MergerStateError):
        services.commit_merger(merger, actor=user("quantri"))
    assert snapshot() == after
    assert UnitMerger.objects.get(pk=merger.pk).status == MergerStatus.COMMITTED


def test_merger_second_merger_of_the_same_unit_refused(case):
    first = plan()
    finance = Unit.objects.get(code=FINANCE)
    with pytest.raises(InvalidInput) as refused:
        plan(successor=finance)
    assert "dự thảo sáp nhập khác" in refused.value.message
    services.commit_merger(first, actor=user("quantri"))
    with pytest.raises(InvalidInput) as refused:
        plan(successor=finance)
    assert "đã được sáp nhập vào Sở Nội vụ" in refused.value.message
    with pytest.raises(InvalidInput):  # the same successor again is no exception
        services.merge_units([justice()], home_affairs(), effective_on=effective_on(), decision=DECISION)
    assert UnitMerger.objects.filter(predecessors=justice()).count() == 1


def test_merger_into_a_merged_unit_refused(case):
    services.commit_merger(plan(), actor=user("quantri"))
    finance = Unit.objects.get(code=FINANCE)
    with pytest.raises(InvalidInput) as refused:
        plan(predecessors=[finance], successor=justice())
    assert "hãy chọn đơn vị kế thừa hiện nay" in refused.value.message


def test_merger_commit_waits_for_its_effective_date(case):
    tomorrow = effective_on() + datetime.timedelta(days=1)
    merger = plan(effective_on=tomorrow)
    before = snapshot()
    services.preview_merger(merger)  # may be previewed ahead of time
    with pytest.raises(InvalidInput) as refused:
        services.commit_merger(merger, actor=user("quantri"))
    assert f"{tomorrow:%d/%m/%Y}" in refused.value.message
    assert snapshot() == before
    assert (
        services.commit_merger(merger, actor=user("quantri"), today=tomorrow).status == MergerStatus.COMMITTED
    )


def test_merge_units_plans_and_commits_at_once(case):
    merger = services.merge_units(
        [justice()], home_affairs(), effective_on=effective_on(), decision=DECISION, actor=user("quantri")
    )
    assert merger.status == MergerStatus.COMMITTED
    assert merger.created_by == merger.committed_by == user("quantri")
    assert justice().successor == home_affairs()
