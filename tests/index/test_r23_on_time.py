"""R-23, indicator 2.1 "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn" (20 points): each rule of the national
portal's formula document (REGULATIONS §1.3, group 2) on one hand-built dossier, then the figures
of a small unit-month computed by hand."""

from decimal import Decimal

import pytest

from motcua.dossiers.states import State
from tests.dossiers.kit import at
from tests.index.kit import JUSTICE, MARCH, IndexKit, index_of

RECEIVED = at("2026-03-02 08:00")
DUE = at("2026-03-10 17:00")

CASES = [
    # (name, fields, counted on time)
    ("finished before the appointment", {"finished": at("2026-03-09 10:00"), "state": State.RETURNED}, True),
    ("finished at the appointment", {"finished": DUE, "state": State.RESULT_READY}, True),
    ("finished after the appointment", {"finished": at("2026-03-11 08:00"), "state": State.RETURNED}, False),
    (
        "late on the clock, but the citizen's two days of supplement are taken off",
        {
            "finished": at("2026-03-12 09:00"),
            "state": State.RETURNED,
            "supplements": [(at("2026-03-04 08:00"), at("2026-03-06 08:00"))],
        },
        True,
    ),
    (
        "two supplement requests: late whatever the dates",
        {
            "finished": at("2026-03-05 09:00"),
            "state": State.RETURNED,
            "supplements": [
                (at("2026-03-03 08:00"), at("2026-03-03 10:00")),
                (at("2026-03-04 08:00"), at("2026-03-04 10:00")),
            ],
        },
        False,
    ),
    (
        "waiting for the supplement: its request is the end",
        {"state": State.AWAITING_SUPPLEMENT, "supplements": [(at("2026-03-09 08:00"), None)]},
        True,
    ),
    ("open, due after the month: on time at its end", {"due": at("2026-04-02 17:00")}, True),
    ("open, due inside the month: late at its end", {}, False),
    ("stopped after the appointment", {"finished": at("2026-03-20 08:00"), "state": State.STOPPED}, False),
    ("finished, no appointment: on time", {"due": None, "finished": at("2026-03-30 08:00")}, True),
]


@pytest.mark.parametrize(("fields", "on_time"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_r23_each_rule_of_indicator_2_1(fields, on_time):
    kit = IndexKit.start()
    kit.dossier(RECEIVED, **{"due": DUE, **fields})

    score = index_of(JUSTICE).score("2.1")

    assert (score.numerator, score.denominator) == (1 if on_time else 0, 1)
    assert score.points == (Decimal("20.00") if on_time else Decimal("0.00"))


def test_r23_a_dossier_not_received_is_not_counted():
    kit = IndexKit.start()
    kit.dossier(None, due=DUE, submitted=RECEIVED)  # submitted online, never received: no NgayTiepNhan
    kit.dossier(at("2026-04-01 08:00"), due=DUE)  # received in April

    score = index_of(JUSTICE).score("2.1")

    assert (score.numerator, score.denominator, score.points) == (0, 0, Decimal("0.00"))


def test_r23_unit_month_by_hand():
    """Seven dossiers of Sở Tư pháp received in March: on time = 4 (two finished early, one
    waiting for a supplement asked in time, one open due in April); late = 3. Rate 4/7 = 57.14 %,
    points 20 × 57.14 / 100 = 11.43."""
    kit = IndexKit.start()
    for finished in (at("2026-03-03 09:00"), at("2026-03-09 09:00")):
        kit.dossier(RECEIVED, due=DUE, finished=finished, state=State.RETURNED)
    kit.dossier(
        RECEIVED, due=DUE, state=State.AWAITING_SUPPLEMENT, supplements=[(at("2026-03-05 08:00"), None)]
    )
    kit.dossier(RECEIVED, due=at("2026-04-06 17:00"))
    kit.dossier(RECEIVED, due=DUE, finished=at("2026-03-12 09:00"), state=State.RETURNED)
    kit.dossier(RECEIVED, due=DUE)
    kit.dossier(RECEIVED, due=DUE, finished=at("2026-03-04 09:00"), supplements=[(RECEIVED, RECEIVED)] * 2)

    score = index_of(JUSTICE).score("2.1")

    assert (score.numerator, score.denominator) == (4, 7)
    assert score.rate == Decimal("57.14")
    assert score.points == Decimal("11.43")
    assert MARCH.label == "Tháng 3/2026"
