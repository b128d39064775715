"""R-22 sync health on small hand-built histories: which dossiers a unit and period hold, which are
synced, the lag percentiles, the backlog, the dead letters and indicator 1.4 of QĐ 766."""

import datetime
from decimal import Decimal

import pytest

from motcua.dossiers.models import OutboxTopic
from motcua.sync import selectors
from motcua.sync.selectors import IndicatorValue, Period
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import at, user
from tests.sync_health.kit import (
    CENTRE,
    FINANCE,
    JUSTICE,
    JUSTICE_DIVISION,
    PROVINCE,
    WARD,
    WARD_CENTRE,
    unit,
)

S = datetime.timedelta(seconds=1)
MARCH = Period.month(2026, 3)


# --- periods ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "start", "end", "label"),
    [
        (Period.month(2026, 2), "2026-02-01", "2026-02-28", "Tháng 2/2026"),
        (Period.month(2028, 2), "2028-02-01", "2028-02-29", "Tháng 2/2028"),
        (Period.quarter(2026, 1), "2026-01-01", "2026-03-31", "Quý I/2026"),
        (Period.quarter(2026, 4), "2026-10-01", "2026-12-31", "Quý IV/2026"),
        (Period.year(2026), "2026-01-01", "2026-12-31", "Năm 2026"),
        (
            Period.between(datetime.date(2026, 3, 15), datetime.date(2026, 4, 2)),
            "2026-03-15",
            "2026-04-02",
            "Từ 15/03/2026 đến 02/04/2026",
        ),
    ],
)
def test_r22_periods_are_local_days(period, start, end, label):
    assert (period.start.isoformat(), period.end.isoformat(), period.label) == (start, end, label)
    low, high = period.bounds()
    # Asia/Ho_Chi_Minh midnights: 17:00 UTC the day before
    assert low == at(f"{start} 00:00")
    assert high == at(f"{end} 00:00") + datetime.timedelta(days=1)
    assert low.astimezone(datetime.UTC).hour == 17


@pytest.mark.parametrize(
    ("period", "previous", "following"),
    [
        (Period.month(2026, 1), Period.month(2025, 12), Period.month(2026, 2)),
        (Period.quarter(2026, 1), Period.quarter(2025, 4), Period.quarter(2026, 2)),
        (Period.year(2026), Period.year(2025), Period.year(2027)),
    ],
)
def test_r22_previous_and_next_period(period, previous, following):
    assert (period.previous(), period.following()) == (previous, following)


# --- received in the period -----------------------------------------------------------------------

# (local reception time or None, in March 2026?, in Q1 2026?, in 15–31/3/2026?)
RECEPTIONS = [
    ("2026-02-28 23:59", False, True, False),
    ("2026-03-01 00:00", True, True, False),
    ("2026-03-01 06:00", True, True, False),  # 2026-02-28 23:00 UTC: the local day counts
    ("2026-03-15 00:00", True, True, True),
    ("2026-03-31 23:59", True, True, True),
    ("2026-04-01 00:00", False, False, False),
    (None, False, False, False),  # submitted online on 10/3, never received: no NgayTiepNhan
]


@pytest.mark.parametrize(
    ("period", "column"),
    [
        (MARCH, 1),
        (Period.quarter(2026, 1), 2),
        (Period.between(datetime.date(2026, 3, 15), datetime.date(2026, 3, 31)), 3),
    ],
)
def test_r22_dossiers_received_in_the_period(kit, period, column):
    expected = set()
    for row in RECEPTIONS:
        received = at(row[0]) if row[0] else None
        d = kit.dossier(received, submitted=at("2026-03-10 10:00") if received is None else None)
        if row[column]:
            expected.add(d.code)
    found = set(selectors.received_dossiers(unit(JUSTICE), period).values_list("code", flat=True))
    assert found == expected
    assert selectors.indicator_1_4(unit(JUSTICE), period).denominator == len(expected)


# --- synced ------------------------------------------------------------------------------------------


def test_r22_synced_means_acknowledged_or_known_to_the_portal(kit):
    t = at("2026-03-10 09:00")
    delivered = kit.synced(kit.dossier(t), t)
    known = kit.added(kit.dossier(t), t)  # "already exists": the portal holds it
    pending = kit.dossier(t)
    kit.message(pending, t)
    dead = kit.dossier(t)
    kit.message(dead, t, dead=t + S, error="MaTTHC không hợp lệ")
    notified_only = kit.dossier(t)
    kit.message(notified_only, t, lag=S, topic=OutboxTopic.NOTIFICATION)  # an SMS is not a sync
    nothing = kit.dossier(t)

    synced = set(selectors.synced_dossiers(unit(JUSTICE), MARCH).values_list("code", flat=True))
    unsynced = set(selectors.unsynced_dossiers(unit(JUSTICE), MARCH).values_list("code", flat=True))
    assert synced == {delivered.code, known.code}
    assert unsynced == {pending.code, dead.code, notified_only.code, nothing.code}
    health = selectors.sync_health(unit(JUSTICE), MARCH)
    assert (health.received, health.synced, health.unsynced) == (6, 2, 4)
    assert health.share == Decimal("33.33")


def test_r22_synced_in_march_counts_for_march_even_if_acknowledged_later(kit):
    """The numerator is the dossiers *received* in the period that the portal holds now."""
    d = kit.dossier(at("2026-03-31 16:00"))
    kit.message(d, at("2026-03-31 16:00"), lag=datetime.timedelta(hours=20))  # acknowledged 1/4
    assert selectors.indicator_1_4(unit(JUSTICE), MARCH).numerator == 1
    assert selectors.indicator_1_4(unit(JUSTICE), Period.month(2026, 4)).denominator == 0


# --- lag percentiles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lags", "p50", "p99"),
    [
        ([7], 7, 7),
        ([1, 2], 1, 2),  # nearest rank: p50 of two is the first
        ([5, 1, 3], 3, 5),
        (list(range(1, 101)), 50, 99),
        ([*range(100, 0, -1), 3600], 51, 100),  # 101 messages: ranks 51 and 100
        ([2] * 99 + [600], 2, 2),
        ([2] * 98 + [600, 900], 2, 600),
    ],
)
def test_r22_lag_p50_p99_exact(kit, lags, p50, p99):
    d = kit.dossier(at("2026-03-02 08:00"))
    start = at("2026-03-02 08:00")
    for i, seconds in enumerate(lags):
        kit.message(d, start + i * S, lag=seconds * S)
    # not in the figures: a message of February, one still waiting, one parked, another unit's
    kit.message(d, at("2026-02-27 10:00"), lag=10_000 * S)
    kit.message(d, at("2026-03-03 10:00"))
    kit.message(d, at("2026-03-03 10:00"), dead=at("2026-03-03 11:00"))
    other = kit.dossier(at("2026-03-02 08:00"), receiving=WARD_CENTRE, deciding=WARD)
    kit.message(other, at("2026-03-05 10:00"), lag=10_000 * S)

    stats = selectors.lag(unit(JUSTICE), MARCH)
    assert (stats.delivered, stats.p50, stats.p99) == (len(lags), p50 * S, p99 * S)
    assert selectors.sync_health(unit(JUSTICE), MARCH).lag == stats


def test_r22_no_delivered_message_no_lag(kit):
    kit.message(kit.dossier(at("2026-03-02 08:00")), at("2026-03-02 08:00"))
    assert selectors.lag(unit(JUSTICE), MARCH) == selectors.LagStats(0, None, None)


# --- sub-units and the per-unit table ---------------------------------------------------------------


def test_r22_sub_units_included_and_each_child_a_row(kit):
    t = at("2026-03-10 09:00")
    # the provincial Centre receives for Sở Tư pháp: the Centre's row and Sở Tư pháp's row
    kit.synced(kit.dossier(t, receiving=CENTRE, deciding=JUSTICE), t)
    kit.dossier(t, receiving=CENTRE, deciding=JUSTICE)
    # Sở Tư pháp's own online point
    kit.synced(kit.dossier(t, receiving=JUSTICE, deciding=JUSTICE), t)
    # a division of Sở Tư pháp (counted as the department's)
    kit.dossier(t, receiving=JUSTICE_DIVISION, deciding=JUSTICE_DIVISION)
    # the ward: received at its one-stop centre (a sub-unit of the ward), decided by the ward
    kit.synced(kit.dossier(t, receiving=WARD_CENTRE, deciding=WARD), t)
    kit.dossier(t, receiving=WARD_CENTRE, deciding=WARD)
    kit.dossier(t, receiving=WARD_CENTRE, deciding=WARD)
    # Sở Tài chính, in April: not in March
    kit.dossier(at("2026-04-02 09:00"), receiving=FINANCE, deciding=FINANCE)

    province = selectors.sync_health(unit(PROVINCE), MARCH)
    assert (province.received, province.synced) == (7, 3)  # each dossier once
    rows = {row.unit.code: (row.received, row.synced) for row in province.rows}
    assert rows[CENTRE] == (2, 1)
    assert rows[JUSTICE] == (4, 2)  # with its division's
    assert rows[WARD] == (3, 1)  # with its centre's
    assert rows[FINANCE] == (0, 0)  # a child unit in force: a row, even empty
    assert WARD_CENTRE not in rows and JUSTICE_DIVISION not in rows  # under their parents' rows
    assert not any(row.direct for row in province.rows)  # nothing received or decided by the UBND itself

    ward = selectors.sync_health(unit(WARD), MARCH)
    assert (ward.received, ward.synced) == (3, 1)
    # decided by the ward itself (its own row) and received by its centre (the centre's row)
    assert [(r.unit.code, r.direct, r.received) for r in ward.rows] == [
        (WARD, True, 3),
        (WARD_CENTRE, False, 3),
    ]
    justice = selectors.sync_health(unit(JUSTICE), MARCH)
    assert (justice.received, justice.synced) == (4, 2)
    assert selectors.indicator_1_4(unit(WARD_CENTRE), MARCH).denominator == 3


def test_r22_direct_row_for_the_units_own_dossiers(kit):
    t = at("2026-03-10 09:00")
    kit.dossier(t, receiving=WARD_CENTRE, deciding=WARD)  # the ward decides: its own row
    ward = selectors.sync_health(unit(WARD), MARCH)
    rows = {(r.unit.code, r.direct): r.received for r in ward.rows}
    assert rows[(WARD, True)] == 1  # decided by the ward itself
    assert rows[(WARD_CENTRE, False)] == 1  # received by its centre


def test_r22_expired_units_get_a_row_only_with_figures(kit):
    province = selectors.sync_health(unit(PROVINCE), MARCH)
    codes = {r.unit.code for r in province.rows}
    assert "000.00.21.H19" not in codes  # UBND thành phố Biên Hòa, abolished 30/6/2025
    kit.dossier(at("2026-03-10 09:00"), receiving="000.00.21.H19", deciding="000.00.21.H19")
    province = selectors.sync_health(unit(PROVINCE), MARCH)
    assert {r.unit.code: r.received for r in province.rows}["000.00.21.H19"] == 1


def test_r22_few_queries_whatever_the_number_of_units(kit, django_assert_max_num_queries):
    t = at("2026-03-10 09:00")
    for receiving, deciding in [(CENTRE, JUSTICE), (WARD_CENTRE, WARD), (FINANCE, FINANCE)]:
        d = kit.dossier(t, receiving=receiving, deciding=deciding)
        kit.message(d, t, lag=3 * S)
        kit.message(d, t)
        kit.message(d, t, dead=t + S, error="Lỗi")
    with django_assert_max_num_queries(8):
        health = selectors.sync_health(unit(PROVINCE), MARCH)
    assert len(health.rows) > 10 and health.dead == 3


# --- backlog and dead letters ---------------------------------------------------------------------


def test_r22_backlog_and_dead_letters_counted(kit):
    now = at("2026-03-20 12:00")
    d1 = kit.dossier(at("2026-03-02 08:00"))
    d2 = kit.dossier(at("2026-03-03 08:00"), receiving=WARD_CENTRE, deciding=WARD)
    kit.message(d1, at("2026-03-02 08:00"), lag=S)  # delivered: neither
    kit.message(d1, at("2026-03-18 12:00"))  # waiting 2 days
    kit.message(d1, at("2026-03-20 11:00"))  # waiting 1 hour
    kit.message(
        d1, at("2026-03-04 08:00"), dead=at("2026-03-04 09:00"), error="Hồ sơ không tồn tại", attempts=1
    )
    kit.message(d2, at("2026-01-15 08:00"))  # the ward's, waiting since January (not per period)
    kit.message(d2, at("2026-03-05 08:00"), dead=at("2026-03-05 08:30"), error="MaTTHC không hợp lệ")
    kit.message(d2, at("2026-03-06 08:00"), dead=at("2026-03-06 08:30"), error="MaTTHC không hợp lệ")

    justice = selectors.sync_health(unit(JUSTICE), MARCH, now=now)
    assert (justice.backlog.waiting, justice.backlog.oldest_at) == (2, at("2026-03-18 12:00"))
    assert justice.backlog.oldest_age == datetime.timedelta(days=2)
    assert justice.dead == 1
    assert [(m.dossier.code, m.last_error) for m in justice.dead_letters] == [
        (d1.code, "Hồ sơ không tồn tại")
    ]
    assert selectors.backlog(unit(JUSTICE), now=now) == justice.backlog

    province = selectors.sync_health(unit(PROVINCE), Period.month(2026, 1), now=now)
    assert (province.backlog.waiting, province.dead) == (3, 3)
    assert province.backlog.oldest_at == at("2026-01-15 08:00")
    assert [m.dossier.code for m in province.dead_letters] == [
        d2.code,
        d2.code,
        d1.code,
    ]  # latest parked first
    rows = {r.unit.code: (r.waiting, r.dead) for r in province.rows}
    assert rows[CENTRE] == rows[JUSTICE] == (2, 1)
    assert rows[WARD] == (1, 2)
    assert selectors.dead_letter_list(unit(WARD)).count() == 2


# --- indicator 1.4 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("synced", "received", "rate", "points"),
    [
        (0, 0, "0.00", "0.00"),  # "0 hoặc N/A"
        (0, 4, "0.00", "0.00"),
        (1, 3, "33.33", "2.00"),
        (2, 3, "66.67", "4.00"),
        (1, 8, "12.50", "0.75"),
        (9, 10, "90.00", "5.40"),
        (3, 3, "100.00", "6.00"),
    ],
)
def test_r22_indicator_1_4_points_are_six_times_the_rate(kit, synced, received, rate, points):
    t = at("2026-03-10 09:00")
    for i in range(received):
        d = kit.dossier(t, receiving=WARD_CENTRE, deciding=WARD)
        if i < synced:
            kit.synced(d, t)
    value = selectors.indicator_1_4(unit(WARD), MARCH)
    assert value == IndicatorValue(synced, received, Decimal(rate), Decimal(points), 6)
    assert value.points == (6 * value.rate / 100).quantize(Decimal("0.01"))
    assert value.not_applicable is (received == 0)
    assert selectors.sync_health(unit(WARD), MARCH).indicator == value


# --- who sees what -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "pickable", "can_resend"),
    [
        ("quantri", PROVINCE, True),
        ("vanphong.ubnd", PROVINCE, True),
        ("lanhdao.sotuphap", JUSTICE, False),
        ("canbo.trungtam", CENTRE, False),
        ("tiepnhan.tinh", None, False),
        ("chuyenvien.sotuphap", None, False),
        ("noivu.danhgia", None, False),
    ],
)
def test_r22_who_may_read_sync_health(kit, username, pickable, can_resend):
    tree = selectors.unit_tree()
    scope = selectors.health_scope(user(username), tree=tree)
    picked = [n.code for n, _ in selectors.pickable_units(scope, tree)]
    assert (picked[0] if picked else None) == pickable
    assert scope.can_resend is can_resend
    if pickable in (JUSTICE, CENTRE):
        # Their unit, then the units merged into it (a successor answers for its predecessors'
        # dossiers since the 2025 mergers); its divisions are not picked separately.
        assert picked == [pickable, pickable.replace(".H19", ".H10")]
