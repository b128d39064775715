"""R-23, issue 10 item 3: the score-recovery plan promises exactly what doing it wins. A property
test: for random small months of Sở Tư pháp, do what each step lists (sync the unsynced dossiers,
finish in time the open ones that are not late yet) and compute again."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from motcua.dossiers.models import Dossier
from motcua.dossiers.states import State
from motcua.index.plan import recovery_plan
from motcua.index.selectors import dossiers_behind, open_in_time_dossiers
from motcua.org.models import Unit
from motcua.sync.models import NationalRecord
from motcua.sync.selectors import Period, unit_tree
from tests.index.kit import JUSTICE, IndexKit


class Undo(Exception):
    pass


def this_year() -> Period:
    return Period.year(timezone.localdate().year)


def build(kit: IndexKit, synced: int, unsynced: int, open_in_time: int, late: int) -> None:
    now = timezone.now()
    received = max(now - datetime.timedelta(days=1), this_year().bounds()[0])
    for _ in range(synced):
        kit.dossier(
            received,
            due=now + datetime.timedelta(days=20),
            synced=True,
            finished=now - datetime.timedelta(hours=1),
            state=State.RETURNED,
        )
    for _ in range(unsynced):
        kit.dossier(received, due=now + datetime.timedelta(days=20), finished=now, state=State.RETURNED)
    for _ in range(open_in_time):
        # due before the year's end but after now: finishing now still counts on time
        kit.dossier(received, due=now + datetime.timedelta(minutes=30), synced=True)
    for _ in range(late):
        kit.dossier(received, due=now - datetime.timedelta(hours=2), synced=True)


@hypothesis_settings(max_examples=12)
@given(
    synced=st.integers(0, 3),
    unsynced=st.integers(0, 3),
    open_in_time=st.integers(0, 3),
    late=st.integers(0, 2),
)
def test_r23_doing_the_plan_wins_what_it_promised(synced, unsynced, open_in_time, late):
    unit = Unit.objects.get(code=JUSTICE).pk
    period = this_year()
    try:
        with transaction.atomic():
            build(IndexKit.start(), synced, unsynced, open_in_time, late)
            tree = unit_tree()
            before, steps = recovery_plan(unit, period, tree=tree)
            promised = {s.indicator.indicator.code: s for s in steps if s.recoverable}

            if "1.4" in promised:
                missing = dossiers_behind(
                    promised["1.4"].indicator.indicator, unit, period, part="shortfall", tree=tree
                )
                assert missing.count() == promised["1.4"].count
                for dossier in missing:
                    NationalRecord.objects.update_or_create(
                        dossier=dossier, defaults={"added_at": timezone.now()}
                    )
                    dossier.save()  # what the sync worker's acknowledgement leads to
            if "2.1" in promised:
                finishing = list(open_in_time_dossiers(unit, period, tree=tree))
                assert len(finishing) == promised["2.1"].count
                for dossier in finishing:
                    dossier.state, dossier.finished_at = State.RETURNED, timezone.now()
                    dossier.save()

            after, _ = recovery_plan(unit, period, tree=tree)
            for code, step in promised.items():
                if code in ("1.4", "2.1"):
                    assert after.score(code).points - before.score(code).points == step.gain, code
            # What cannot be won back is said, and promised nothing.
            lost = [s for s in steps if not s.recoverable]
            assert all(s.gain == Decimal("0.00") for s in lost)
            if late:
                assert any(s.indicator.indicator.code == "2.1" and s.count >= late for s in lost)
            raise Undo
    except Undo:
        pass
    assert not Dossier.objects.filter(code__contains="-TEST-", received_at__year=period.start.year).exists()
