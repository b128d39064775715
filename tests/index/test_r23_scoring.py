"""R-23: how rates become points (REGULATIONS §1.3–1.4), on the indicator definitions as migrated."""

from decimal import Decimal

import pytest

from motcua.index.models import Indicator
from motcua.index.selectors import points_of, rate_of

pytestmark = pytest.mark.django_db


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(indicator_set__code="QD766-2022", code=code)


def test_r23_the_migrated_set_has_five_groups_worth_one_hundred_points():
    by_card: dict[str, Decimal] = {}
    for item in Indicator.objects.filter(indicator_set__code="QD766-2022"):
        by_card[item.card] = by_card.get(item.card, Decimal(0)) + item.max_points
    assert by_card == {
        "1": Decimal(18),
        "2": Decimal(20),
        "3a": Decimal(12),
        "3b": Decimal(10),
        "4": Decimal(22),
        "5": Decimal(18),
    }


@pytest.mark.parametrize(
    ("numerator", "denominator", "rate"),
    [(1, 3, "33.33"), (2, 3, "66.67"), (0, 5, "0.00"), (5, 5, "100.00"), (0, 0, "0.00"), (1, 8, "12.50")],
)
def test_r23_rates_are_percentages_to_two_decimals(numerator, denominator, rate):
    assert rate_of(numerator, denominator) == Decimal(rate)


@pytest.mark.parametrize(
    ("code", "rate", "denominator", "points"),
    [
        ("1.4", "75.00", 4, "4.50"),  # linear: 6 × 75 %
        ("2.1", "57.14", 7, "11.43"),  # linear: 20 × 57.14 %
        ("3.1", "75.00", 4, "1.88"),  # full marks from 80 %: 2 × 75 / 80
        ("3.1", "90.48", 42, "2.00"),  # above the threshold: capped
        ("3.3", "25.00", 4, "3.00"),  # full marks from 50 %: 6 × 25 / 50
        ("4.4", "40.00", 5, "1.00"),  # full marks from 80 %: 2 × 40 / 80
        ("5.4", "45.00", 20, "3.00"),  # full marks from 90 %: 6 × 45 / 90
        ("5.4", "95.00", 20, "6.00"),
        ("1.4", "0.00", 0, "0.00"),  # nothing to count: 0 ("0 hoặc N/A")
        ("5.2", "0.00", 0, "6.00"),  # no petition at all: full marks (the portal's rule)
        ("5.3", "0.00", 0, "6.00"),
        ("5.1", "60.00", 5, "0.00"),  # tracked only
    ],
)
def test_r23_points_follow_each_indicators_rule(code, rate, denominator, points):
    assert points_of(indicator(code), Decimal(rate), denominator) == Decimal(points)


def test_r23_a_threshold_edited_in_the_admin_changes_the_points():
    """Definitions are data (REGULATIONS §1.6): a province following a revised threshold edits it."""
    item = indicator("3.3")
    item.threshold = Decimal(40)
    item.save()
    assert points_of(indicator("3.3"), Decimal("30.00"), 10) == Decimal("4.50")  # 6 × 30 / 40
