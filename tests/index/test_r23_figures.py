"""R-23: the dossier figures behind indicators 1.4, 3.3, 4.6 and 5.4 for a hand-built unit-month,
the unit tree (a department's figures include its divisions', the province's everything), the
dossiers behind each figure, and the rollups kept current by the changes themselves."""

from decimal import Decimal

from motcua.dossiers.states import State
from motcua.index import facts
from motcua.index.models import IndexFact, IndexMonth, IndicatorSet, ScoreBand
from motcua.index.selectors import PARTS, dossiers_behind, is_dossier_measure, procedures_behind
from motcua.org.models import Unit
from motcua.sync.selectors import unit_tree
from tests.dossiers.kit import at
from tests.index.kit import JUSTICE, MARCH, IndexKit, index_of
from tests.sync_health.kit import JUSTICE_DIVISION, PROVINCE

DAY = at("2026-03-05 09:00")
DUE = at("2026-03-20 17:00")


def four_dossiers(kit: IndexKit):
    """Sở Tư pháp, March 2026: two online (one synced, VNeID), two at the counter (one synced, one
    handled by its division and finished late)."""
    return [
        kit.dossier(
            DAY,
            due=DUE,
            channel="online",
            synced=True,
            vneid=True,
            state=State.RETURNED,
            finished=at("2026-03-06 09:00"),
        ),
        kit.dossier(DAY, due=DUE, channel="online"),
        kit.dossier(DAY, due=DUE, synced=True),
        kit.dossier(
            DAY, due=DUE, deciding=JUSTICE_DIVISION, finished=at("2026-03-25 09:00"), state=State.RETURNED
        ),
    ]


def test_r23_dossier_figures_of_a_unit_month_by_hand():
    kit = IndexKit.start()
    four_dossiers(kit)

    index = index_of(JUSTICE)

    sync = index.score("1.4")
    assert (sync.numerator, sync.denominator, sync.rate, sync.points) == (
        2,
        4,
        Decimal("50.00"),
        Decimal("3.00"),
    )
    # 3.3: the procedure (Thành lập Văn phòng công chứng) issues a paper result, so an online dossier
    # counts only with its electronic result: none here. Rate 0 × sync share.
    online = index.score("3.3")
    assert (online.numerator, online.denominator, online.rate, online.points) == (
        0,
        4,
        Decimal("0.00"),
        Decimal("0.00"),
    )
    citizen = index.score("4.6")
    assert not citizen.applicable  # province only
    # 5.4: 100 % − late share. Late at the end of March: the late finisher and the two dossiers still
    # open past their appointment of the 20th, 3 of 4 → 25 %; full marks from 90 %: 6 × 25 / 90 = 1.67.
    satisfaction = index.score("5.4")
    assert (satisfaction.numerator, satisfaction.rate, satisfaction.points) == (
        1,
        Decimal("25.00"),
        Decimal("1.67"),
    )


def test_r23_the_province_counts_what_its_units_count():
    kit = IndexKit.start()
    four_dossiers(kit)

    province = index_of(PROVINCE)
    division = index_of(JUSTICE_DIVISION)

    assert province.score("1.4").denominator >= 4  # the demo's own March dossiers, if any, too
    assert (division.score("1.4").numerator, division.score("1.4").denominator) == (0, 1)
    assert province.score("4.6").applicable and province.score("4.6").numerator >= 1


def test_r23_the_dossiers_behind_a_figure_are_the_ones_counted():
    kit = IndexKit.start()
    made = four_dossiers(kit)
    index = index_of(JUSTICE)
    sync = index.score("1.4").indicator
    unit = Unit.objects.get(code=JUSTICE).pk

    synced = dossiers_behind(sync, unit, MARCH, part="numerator", tree=unit_tree())
    missing = dossiers_behind(sync, unit, MARCH, part="shortfall", tree=unit_tree())

    assert set(synced.values_list("pk", flat=True)) == {made[0].pk, made[2].pk}
    assert set(missing.values_list("pk", flat=True)) == {made[1].pk, made[3].pk}
    late = dossiers_behind(index.score("2.1").indicator, unit, MARCH, part="shortfall", tree=unit_tree())
    # at the end of March: the late finisher, and the two open dossiers due on the 20th
    assert set(late.values_list("pk", flat=True)) == {made[1].pk, made[2].pk, made[3].pk}
    whole = dossiers_behind(sync, unit, MARCH, part="denominator", tree=unit_tree())
    assert set(whole.values_list("pk", flat=True)) == {d.pk for d in made}


def test_r23_every_figure_lists_as_many_items_as_it_counts():
    """Issue 10 item 4, every figure clickable: for each indicator of the unit-month, the list
    behind the numerator and the one behind the denominator hold exactly as many dossiers or
    procedures as the figures say, and the shortfall is what the numerator leaves of the denominator."""
    kit = IndexKit.start()
    four_dossiers(kit)
    index = index_of(JUSTICE)
    unit, tree = Unit.objects.get(code=JUSTICE).pk, unit_tree()
    listed = 0
    for score in index.scores:
        if not score.applicable:
            continue
        behind = dossiers_behind if is_dossier_measure(score.indicator.measure) else procedures_behind
        parts = {p: behind(score.indicator, unit, MARCH, part=p, tree=tree) for p in PARTS}
        if not any(q.exists() for q in parts.values()) and score.denominator:
            continue  # a figure with no list (PAKN, ratings): nothing to click yet
        listed += 1
        assert parts["numerator"].count() == score.numerator, score.indicator.code
        assert parts["denominator"].count() == score.denominator, score.indicator.code
        assert set(parts["shortfall"]) == set(parts["denominator"]) - set(parts["numerator"]), (
            score.indicator.code
        )
    assert listed >= 10


def test_r23_rollups_follow_each_change_and_equal_a_rebuild():
    kit = IndexKit.start()
    made = four_dossiers(kit)
    index_of(JUSTICE)  # reads (and refreshes) once
    # A change after the first reading: the open online dossier is finished in time.
    d = made[1]
    d.state, d.finished_at = State.RETURNED, at("2026-03-10 09:00")
    d.save()

    after = index_of(JUSTICE).score("2.1")

    assert (after.numerator, after.denominator) == (2, 4)
    incremental = sorted(
        IndexMonth.objects.values_list(*facts.KEY, "received", "on_time", "late", "open", "synced")
    )
    facts_before = sorted(IndexFact.objects.values_list("dossier_id", "outcome", "synced"))
    facts.rebuild()
    assert (
        sorted(IndexMonth.objects.values_list(*facts.KEY, "received", "on_time", "late", "open", "synced"))
        == incremental
    )
    assert sorted(IndexFact.objects.values_list("dossier_id", "outcome", "synced")) == facts_before


def test_r23_bands_are_the_provinces_own_and_none_by_default():
    """REGULATIONS §1.5: QĐ 766 defines no classification; a province may set its own bands."""
    kit = IndexKit.start()
    four_dossiers(kit)
    assert index_of(JUSTICE).band == ""
    indicator_set = IndicatorSet.objects.get(code="QD766-2022")
    total = index_of(JUSTICE).total
    ScoreBand.objects.create(indicator_set=indicator_set, label="Tốt", min_points=total + 1)
    ScoreBand.objects.create(indicator_set=indicator_set, label="Khá", min_points=total)

    assert index_of(JUSTICE).band == "Khá"


def test_r23_the_provincial_police_is_not_scored_as_a_province():
    """Công an tỉnh has no parent in the unit tree (it answers to its ministry): it is not a root of
    the province's index, so the province-only indicators are not applicable to it."""
    IndexKit.start()
    police = index_of("000.00.30.H19")
    province = index_of(PROVINCE)

    assert not police.score("1.1").applicable and not police.score("4.6").applicable
    assert province.score("1.1").applicable and province.score("4.6").applicable
    assert police.score("1.3").denominator < province.score("1.3").denominator
