"""The one-stop reports' figures (issue 10 item 5) against the first quarter of 2026 told in
dataset.py: every expected number below is counted by hand from that story, and every figure's
list holds exactly the dossiers the story says."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import OnlineLevel, Procedure
from motcua.consultations.models import Consultation
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep, RefusedAttempt
from motcua.index.reports import consultations as r16
from motcua.index.reports import internal as r21
from motcua.index.reports import late_steps as r27
from motcua.index.reports import on_the_spot as r08
from motcua.index.reports import online as r05
from motcua.index.reports import quarterly as r10
from motcua.index.reports import supplements as r17
from motcua.index.reports.common import Period, Window, unit_tree
from motcua.org.models import Unit
from tests.demo_province import on_demo  # noqa: F401 (fixture)
from tests.dossiers.kit import INTERNAL_ONLINE, at
from tests.reports.dataset import (
    CONSULTED,
    FINANCE,
    FOREIGN_AFFAIRS,
    HOME_AFFAIRS,
    JUSTICE,
    NOW,
    PROVINCE,
    WARD,
)

CENTRE = "000.00.40.H19"  # Trung tâm Phục vụ hành chính công tỉnh
Q1 = Period.quarter(2026, 1)
FEBRUARY = Period.month(2026, 2)
MARCH = Period.month(2026, 3)


def pk(code: str) -> int:
    return Unit.objects.get(code=code).pk


def row_of(rows, code: str):
    found = [r for r in rows if r.unit.code == code]
    assert len(found) == 1, (code, [r.unit.code for r in rows])
    return found[0]


def letters(quarter, codes) -> set[str]:
    by_code = {v: k for k, v in quarter.codes.items()}
    return {by_code[c] for c in codes}


def dossier_letters(quarter, qs) -> set[str]:
    return letters(quarter, qs.values_list("code", flat=True))


# --- quarterly one-stop results ------------------------------------------------------------

R10_FIELDS = [
    "total",
    "carried",
    "new",
    "new_online",
    "new_counter",
    "new_postal",
    "handled",
    "handled_early",
    "handled_on_time",
    "handled_late",
    "refused",
    "in_progress",
    "in_progress_on_time",
    "in_progress_late",
    "withdrawn",
    "stopped",
    "returned",
    "rejected",
]


@pytest.mark.parametrize(
    "unit, expected",
    [
        # A carried over; B online; C T S E F G R at the counter; D by post. Handled: A, G early (G
        # refused), B late. Being handled: C, T late (T paused after its deadline), S (paused
        # before it), D, R within it. E withdrawn, F stopped; A returned; H refused at reception.
        (JUSTICE, [10, 1, 9, 1, 7, 1, 3, 2, 0, 1, 1, 5, 3, 2, 1, 1, 1, 1]),
        # K decided at the counter within the hours (the due day, before its hour), L the next day.
        (WARD, [2, 0, 2, 0, 2, 0, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0]),
        # M N due 23/03 (late at the end of March, the apology's new date notwithstanding); O P not yet.
        (HOME_AFFAIRS, [4, 0, 4, 0, 4, 0, 0, 0, 0, 0, 0, 4, 2, 2, 0, 0, 0, 0]),
        (FOREIGN_AFFAIRS, [1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0]),
        ("", [17, 1, 16, 2, 13, 1, 5, 2, 1, 2, 1, 10, 5, 5, 1, 1, 2, 1]),
    ],
)
def test_r10_quarter_counts_per_unit(quarter, unit, expected):
    report = r10.quarterly_report(Q1, None, now=NOW)
    row = row_of(report.rows, unit) if unit else report.total
    assert [getattr(row, f) for f in R10_FIELDS] == expected
    # Every dossier to handle is exactly one of handled, withdrawn, stopped, being handled.
    assert row.total == row.carried + row.new == row.handled + row.withdrawn + row.stopped + row.in_progress
    assert [r.unit.code for r in report.rows] == [HOME_AFFAIRS, FOREIGN_AFFAIRS, JUSTICE, WARD]


@pytest.mark.parametrize(
    "figure, expected",
    [
        ("carried", "A"),
        ("new_online", "BQ"),
        ("new_postal", "D"),
        ("handled_early", "AG"),
        ("handled_on_time", "K"),
        ("handled_late", "BL"),
        ("refused", "G"),
        ("in_progress_late", "CTMNQ"),
        ("in_progress_on_time", "SDROP"),
        ("withdrawn", "E"),
        ("stopped", "F"),
        ("returned", "AK"),
        ("rejected", "H"),
    ],
)
def test_r10_each_figure_lists_exactly_its_dossiers(quarter, figure, expected):
    window = Window(Q1, NOW)
    assert dossier_letters(quarter, r10.LISTING.behind(figure, window, None)) == set(expected)


def test_r10_a_unit_row_lists_only_its_own_dossiers(quarter):
    window = Window(Q1, NOW)
    justice = r10.LISTING.behind("in_progress_late", window, None, unit=pk(JUSTICE))
    assert dossier_letters(quarter, justice) == {"C", "T"}
    # A reader limited to Sở Nội vụ never gets another unit's dossiers, whatever row is asked.
    mine = frozenset({pk(HOME_AFFAIRS)})
    assert not r10.LISTING.behind("in_progress_late", window, mine, unit=pk(JUSTICE)).exists()


def test_r10_rows_by_field_add_up_to_the_same_totals(quarter):
    by_unit = r10.quarterly_report(Q1, None, now=NOW)
    by_field = r10.quarterly_report(Q1, None, now=NOW, group="field")
    assert [getattr(by_field.total, f) for f in R10_FIELDS] == [getattr(by_unit.total, f) for f in R10_FIELDS]
    totals = {r.label: (r.total, r.rejected) for r in by_field.rows}
    assert totals == {
        "Công chứng": (9, 1),  # A–G, S, T, D; H refused at reception
        "Luật sư": (1, 0),  # R
        "Chứng thực": (2, 0),  # K, L
        "Tổ chức - Biên chế": (4, 0),  # M N O P
        "Quản lý đoàn ra, đoàn vào": (1, 0),  # Q
    }
    field = next(r for r in by_field.rows if r.label == "Công chứng")
    window = Window(Q1, NOW)
    listed = r10.LISTING.behind("total", window, None, params=field.link_params)
    assert dossier_letters(quarter, listed) == set("ABCTSEFGD")


def test_r10_a_unit_readers_figures_cover_their_units_only(quarter):
    report = r10.quarterly_report(Q1, frozenset({pk(JUSTICE)}), now=NOW)
    assert [r.unit.code for r in report.rows] == [JUSTICE]
    assert report.total.total == 10


# --- online share ----------------------------------------------------------------

ONLINE_FIELDS = [
    "received",
    "online",
    "counter",
    "postal",
    "level_full",
    "level_full_online",
    "level_partial",
    "level_partial_online",
    "level_none",
    "procedures",
    "online_procedures",
    "used_procedures",
]


@pytest.mark.parametrize(
    "unit, expected, share",
    [
        # B online; C T S E F G counter… R counter (full service); D post. Procedures 1.019901–3.
        (JUSTICE, [9, 1, 7, 1, 1, 0, 8, 1, 0, 3, 3, 1], "11.11"),
        # 17 procedures of a ward, 14 with an online service (demo catalogue).
        (WARD, [2, 0, 2, 0, 0, 0, 0, 0, 2, 17, 14, 0], "0.00"),
        (HOME_AFFAIRS, [4, 0, 4, 0, 0, 0, 0, 0, 4, 3, 2, 0], "0.00"),
        (FOREIGN_AFFAIRS, [1, 1, 0, 0, 1, 1, 0, 0, 0, 3, 3, 1], "100.00"),
    ],
)
def test_r05_online_share_per_unit(quarter, unit, expected, share):
    report = r05.online_report(Q1, None, now=NOW)
    row = row_of(report.rows, unit)
    assert [getattr(row, f) for f in ONLINE_FIELDS] == expected
    assert row.online_share == Decimal(share)
    assert row.target is None and row.meets_target is None and not report.targets_configured


def test_r05_province_total_and_fully_online_share(quarter):
    total = r05.online_report(Q1, None, now=NOW).total
    assert (total.received, total.online, total.counter, total.postal) == (16, 2, 13, 1)
    assert total.online_share == Decimal("12.50")
    # dossiers of full-service procedures (R, Q), one of them online (Q): 50 % < 70 %.
    assert (total.level_full, total.level_full_online) == (2, 1)
    assert total.fully_online_share == Decimal("50.00") and total.meets_fully_online_target is False


@pytest.mark.parametrize(
    "figure, expected",
    [
        ("online", "BQ"),
        ("postal", "D"),
        ("level_full", "RQ"),
        ("level_full_online", "Q"),
        ("level_none", "KLMNOP"),
    ],
)
def test_r06_each_figure_lists_exactly_its_dossiers(quarter, figure, expected):
    assert dossier_letters(quarter, r05.LISTING.behind(figure, Window(Q1, NOW), None)) == set(expected)


@pytest.mark.parametrize(
    "unit, judged",
    [
        (FOREIGN_AFFAIRS, True),  # 100 % against its own 90 %
        (JUSTICE, True),  # 11.11 % against the default 10 %
        (HOME_AFFAIRS, False),  # 0 %
        (WARD, False),
        (FINANCE, None),  # nothing received: nothing to judge
    ],
)
def test_r05_target_per_unit_from_settings(quarter, settings, unit, judged):
    settings.MOTCUA_ONLINE_TARGETS = {FOREIGN_AFFAIRS: 90, "*": "10", JUSTICE: "không phải số"}
    report = r05.online_report(Q1, None, now=NOW)
    row = row_of(report.rows, unit)
    assert row.target == (Decimal(90) if unit == FOREIGN_AFFAIRS else Decimal(10))
    assert row.meets_target is judged and report.targets_configured


@pytest.mark.parametrize(
    "since, listed, last_online",
    [
        # Since New Year: Sở Tư pháp (B, 05/01) and Sở Ngoại vụ (Q, 09/03) had online dossiers.
        ("2026-01-01", {HOME_AFFAIRS: None, WARD: None}, {}),
        # Since February, Sở Tư pháp had none: its last one was B, submitted 05/01 10:00.
        ("2026-02-01", {HOME_AFFAIRS: None, WARD: None, JUSTICE: "2026-01-05 10:00"}, {}),
        ("2026-04-01", {JUSTICE: "2026-01-05 10:00", FOREIGN_AFFAIRS: "2026-03-09 08:00"}, {}),
    ],
)
def test_r05_units_with_zero_online_dossiers_since_a_date(quarter, since, listed, last_online):
    rows = r05.zero_online_units(datetime.date.fromisoformat(since), None, today=NOW.date())
    found = {r.unit.code: r for r in rows}
    for code, last in listed.items():
        assert code in found, code
        assert found[code].last_online_at == (at(last) if last else None)
    for code in {JUSTICE, FOREIGN_AFFAIRS} - set(listed):
        assert code not in found
    if HOME_AFFAIRS in found:
        assert found[HOME_AFFAIRS].online_procedures == 2  # 1.019913 (partial), 1.019915 (full)
    # Only units in force that offer an online service: the merged Bình Phước units are gone.
    assert all(Unit.objects.get(pk=r.unit.pk).valid_to is None for r in rows)
    assert FINANCE in found  # Sở Tài chính offers three online services and had no dossier at all


def test_r05_zero_list_keeps_to_the_readers_units(quarter):
    rows = r05.zero_online_units(datetime.date(2026, 2, 1), frozenset({pk(JUSTICE)}), today=NOW.date())
    assert [r.unit.code for r in rows] == [JUSTICE]


# --- late consultation replies -----------------------------------------------------------------


def test_r16_late_replies_per_consulted_unit_and_officer(quarter):
    report = r16.consultation_report(Q1, None, now=NOW)
    # Due in the quarter: M (answered late, reminded twice), N (on time), O (never, reminded once).
    assert [r.unit.code for r in report.units] == [FINANCE]
    finance = report.units[0]
    assert (
        finance.due,
        finance.answered,
        finance.answered_on_time,
        finance.answered_late,
        finance.unanswered_late,
        finance.late,
        finance.waiting,
        finance.reminder1,
        finance.reminder2,
    ) == (3, 2, 1, 1, 1, 2, 0, 2, 1)
    assert finance.late_share == Decimal("66.67")
    assert [(o.officer, o.answered, o.answered_on_time, o.answered_late) for o in report.officers] == [
        ("Võ Văn Khoa", 2, 1, 1)
    ]


@pytest.mark.parametrize(
    "figure, expected",
    [
        ("late", "MO"),
        ("answered_late", "M"),
        ("unanswered_late", "O"),
        ("answered_on_time", "N"),
        ("reminder1", "MO"),
        ("reminder2", "M"),
    ],
)
def test_r16_each_figure_lists_exactly_its_consultations(quarter, figure, expected):
    listed = r16.LISTING.behind(figure, Window(Q1, NOW), None)
    assert letters(quarter, listed.values_list("dossier__code", flat=True)) == set(expected)


@pytest.mark.parametrize(
    "now, waiting, unanswered_late",
    [
        (at("2026-04-01 08:00"), 1, 0),  # P's reply is due 02/04 09:00: not yet late
        (at("2026-04-02 09:00"), 1, 0),  # a reply at the due time itself would be on time
        (at("2026-04-02 09:01"), 0, 1),  # a minute later it is late
    ],
)
def test_r16_an_unanswered_consultation_is_late_from_its_deadline(quarter, now, waiting, unanswered_late):
    finance = r16.consultation_report(Period.quarter(2026, 2), None, now=now).units[0]
    assert (finance.due, finance.waiting, finance.unanswered_late) == (1, waiting, unanswered_late)


def test_r16_no_late_reply_when_the_dossier_ended_before_the_deadline(quarter):
    # O's dossier is stopped before its consultation falls due: nobody waits for that reply.
    o = Dossier.objects.get(code=quarter["O"])
    Dossier.objects.filter(pk=o.pk).update(finished_at=at("2026-03-18 08:00"), state="stopped")
    finance = r16.consultation_report(Q1, None, now=NOW).units[0]
    assert (finance.due, finance.unanswered_late, finance.late) == (3, 0, 1)


# --- late steps, per officer, apologies ----------------------------------------------------------


@pytest.mark.parametrize(
    "period, units",
    [
        # C and T stuck at appraisal since 02/02 10:00 (T paused only after); S paused before.
        # Late dossiers: B (result after its 02/02 deadline), C, T.
        (FEBRUARY, {JUSTICE: (2, 0, 2, 3, 0, 3, 0, 0, 0)}),
        # G at the Chairman's step, L at the ward leader's (both finished late); M N O at Sở Nội
        # vụ's appraisal and Q at Sở Ngoại vụ's, still open. Late dossiers L, M, N, Q; M and Q
        # apologised (M a working day ahead, Q an hour before its due time).
        (
            MARCH,
            {
                PROVINCE: (1, 1, 0, 0, 0, 0, 0, 0, 0),
                WARD: (1, 1, 0, 1, 0, 1, 0, 0, 0),
                HOME_AFFAIRS: (3, 0, 3, 2, 1, 1, 1, 1, 0),
                FOREIGN_AFFAIRS: (1, 0, 1, 1, 1, 0, 1, 0, 1),
            },
        ),
    ],
)
def test_r27_late_steps_dossiers_and_apologies_per_unit_monthly(quarter, period, units):
    report = r27.late_report(period, None, now=NOW)
    got = {
        r.unit.code: (
            r.late,
            r.ended_late,
            r.still_open,
            r.late_dossiers,
            r.with_apology,
            r.without_apology,
            r.apologies,
            r.apologies_in_time,
            r.apologies_late,
        )
        for r in report.units
    }
    assert got == units


def test_r27_late_steps_per_officer_and_per_step(quarter):
    report = r27.late_report(MARCH, None, now=NOW)
    assert {(o.unit.code, o.officer, o.late, o.ended_late) for o in report.officers} == {
        (PROVINCE, "Lê Minh Trung", 1, 1),  # lanhdao.ubndtinh signed G's refusal late
        (WARD, "Lê Minh Nam", 1, 1),  # lanhdao.tranbien, L
        (HOME_AFFAIRS, r27.NOT_TAKEN_UP, 3, 0),  # M N O: open steps have no handler yet
        (FOREIGN_AFFAIRS, r27.NOT_TAKEN_UP, 1, 0),  # Q
    }
    assert report.officers[0].unit.code == HOME_AFFAIRS  # most late steps first
    assert {(s.unit.code, s.step, s.late) for s in report.steps} == {
        (HOME_AFFAIRS, "Thẩm định hồ sơ, dự thảo văn bản xin ý kiến", 3),
        (PROVINCE, "Chủ tịch UBND tỉnh xem xét, quyết định", 1),
        (WARD, "Thẩm định, ký kết quả ngay tại Bộ phận Một cửa", 1),
        (FOREIGN_AFFAIRS, "Thẩm định hồ sơ, dự thảo kết quả", 1),
    }


@pytest.mark.parametrize(
    "listing, figure, period, params, expected",
    [
        (r27.STEP_LISTING, "late", MARCH, {}, "GLMNOQ"),
        (r27.STEP_LISTING, "late", FEBRUARY, {}, "CT"),
        (r27.STEP_LISTING, "ended_late", MARCH, {}, "GL"),
        (r27.STEP_LISTING, "late", MARCH, {"officer": None}, "MNOQ"),
        (r27.STEP_LISTING, "late", MARCH, {"step": "Chủ tịch UBND tỉnh xem xét, quyết định"}, "G"),
        (r27.DOSSIER_LISTING, "late_dossiers", FEBRUARY, {}, "BCT"),
        (r27.DOSSIER_LISTING, "without_apology", MARCH, {}, "LN"),
        (r27.APOLOGY_LISTING, "apologies_late", MARCH, {}, "Q"),
        (r27.APOLOGY_LISTING, "apologies_in_time", MARCH, {}, "M"),
    ],
)
def test_r27_each_figure_lists_exactly_its_records(quarter, listing, figure, period, params, expected):
    listed = listing.behind(figure, Window(period, NOW), None, params=params)
    if listing.kind == "dossier":
        codes = listed.values_list("code", flat=True)
    else:
        codes = listed.values_list("dossier__code", flat=True)
    assert letters(quarter, codes) == set(expected)


def test_r27_a_step_handed_over_in_time_is_not_late(quarter):
    # E's appraisal ended with the withdrawal on 20/01, well within its 02/02 planned end.
    e = Dossier.objects.get(code=quarter["E"])
    step = e.steps.get(order=2)
    assert step.late is False
    assert not r27.STEP_LISTING.behind("late", Window(Period.year(2026), NOW), None).filter(pk=step.pk)


# --- internal procedures -------------------------------------------------------------------------


def test_r21_online_share_of_internal_dossiers(quarter):
    report = r21.internal_report(Q1, None, now=NOW)
    got = {
        r.unit.code: (
            r.received,
            r.online,
            r.counter,
            r.postal,
            r.offline_breach,
            r.procedures,
            r.online_only,
        )
        for r in report.rows
        if r.received
    }
    assert got == {HOME_AFFAIRS: (4, 0, 4, 0, 0, 2, 1), FOREIGN_AFFAIRS: (1, 1, 0, 0, 0, 1, 1)}
    assert report.total.online_share == Decimal("20.00")
    assert report.refusals == [] and report.refused_total == 0


def test_r21_refused_attempts_are_counted_per_reception_unit_and_procedure(quarter):
    """R-19 refusals recorded at the Centre's counter in the quarter (two for one procedure), one at a
    ward, one after the quarter: counted where the applicant was turned away, in the period only."""
    procedure = Procedure.objects.get(code=INTERNAL_ONLINE)
    centre, ward = Unit.objects.get(code=CENTRE), Unit.objects.get(code=WARD)
    for unit, when in (
        (centre, "2026-02-02 09:00"),
        (centre, "2026-03-30 16:00"),
        (ward, "2026-01-05 08:00"),
        (centre, "2026-04-01 08:00"),
    ):
        RefusedAttempt.objects.create(
            procedure=procedure,
            unit=unit,
            channel="counter",
            at=at(when),
            reason="Phải nộp trực tuyến (R-19)",
        )

    report = r21.internal_report(Q1, None, now=NOW)

    assert [(r.unit_name, r.procedure_code, r.attempts) for r in report.refusals] == [
        (centre.name, INTERNAL_ONLINE, 2),
        (ward.name, INTERNAL_ONLINE, 1),
    ]  # by unit code: the Centre (000.00.40) before the ward (000.00.61)
    assert report.refused_total == 3
    # A ward leader's report counts the ward's attempts only.
    assert r21.internal_report(Q1, frozenset({ward.pk}), now=NOW).refused_total == 1


def test_r21_counter_dossier_of_an_internal_procedure_now_online_is_listed_as_a_breach(quarter):
    # The catalogue gave CONSULTED a partial online service after M N O P were received at the
    # counter: from now on R-19 refuses them in person, and the report shows the four to look into.
    Procedure.objects.filter(code=CONSULTED).update(online_level=OnlineLevel.PARTIAL)
    report = r21.internal_report(Q1, None, now=NOW)
    assert row_of(report.rows, HOME_AFFAIRS).offline_breach == 4
    listed = r21.LISTING.behind("offline_breach", Window(Q1, NOW), None)
    assert dossier_letters(quarter, listed) == set("MNOP")


# --- on the spot ------------------------------------------------------------------------------------


def test_r08_on_the_spot_share(quarter):
    report = r08.on_the_spot_report(Q1, None, now=NOW)
    ward = row_of(report.rows, WARD)
    assert (ward.received, ward.eligible, ward.on_the_spot, ward.eligible_not_on_the_spot) == (2, 2, 1, 1)
    assert (ward.procedures, ward.spot_procedures) == (17, 3)  # 1.019940, 2.000815, 2.000884
    assert (ward.eligible_share, ward.received_share, ward.procedures_share) == (
        Decimal("50.00"),
        Decimal("50.00"),
        Decimal("17.65"),
    )
    assert (report.total.received, report.total.on_the_spot) == (16, 1)
    assert report.total.received_share == Decimal("6.25")
    window = Window(Q1, NOW)
    assert dossier_letters(quarter, r08.LISTING.behind("on_the_spot", window, None)) == {"K"}
    assert dossier_letters(quarter, r08.LISTING.behind("eligible_not_on_the_spot", window, None)) == {"L"}


# --- repeated supplements --------------------------------------------------------------------------


def test_r17_repeated_supplements_per_unit_and_procedure(quarter):
    report = r17.supplement_report(Q1, None, now=NOW)
    ward = row_of(report.units, WARD)
    assert (ward.submitted, ward.supplemented, ward.repeated) == (4, 2, 1)  # K L U V; U V; U
    assert ward.repeated_share == Decimal("50.00")
    assert (row_of(report.units, JUSTICE).submitted, row_of(report.units, JUSTICE).supplemented) == (10, 0)
    assert (report.total.submitted, report.total.supplemented, report.total.repeated) == (19, 2, 1)
    assert [
        (p.unit.code, p.procedure_code, p.submitted, p.supplemented, p.repeated) for p in report.procedures
    ] == [(WARD, "2.000815", 4, 2, 1)]
    window = Window(Q1, NOW)
    pair = report.procedures[0].link_params
    assert pair == {"row": WARD, "procedure": "2.000815"}
    listed = r17.LISTING.behind("repeated", window, None, unit=pk(WARD), params={"procedure": "2.000815"})
    assert dossier_letters(quarter, listed) == {"U"}
    assert dossier_letters(quarter, r17.LISTING.behind("supplemented", window, None)) == {"U", "V"}


# --- cost: one query per grouping, whatever the number of dossiers -----------------------------------------


@pytest.mark.parametrize(
    "build, queries",
    [
        (lambda tree: r10.quarterly_report(Q1, None, now=NOW, tree=tree), 1),
        (lambda tree: r05.online_report(Q1, None, now=NOW, tree=tree), 3),
        (lambda tree: r05.zero_online_units(datetime.date(2026, 2, 1), None, today=NOW.date(), tree=tree), 3),
        (lambda tree: r16.consultation_report(Q1, None, now=NOW, tree=tree), 3),
        (lambda tree: r27.late_report(MARCH, None, now=NOW, tree=tree), 4),
        (lambda tree: r21.internal_report(Q1, None, now=NOW, tree=tree), 3),
        (lambda tree: r08.on_the_spot_report(Q1, None, now=NOW, tree=tree), 2),
        (lambda tree: r17.supplement_report(Q1, None, now=NOW, tree=tree), 3),
    ],
)
def test_reports_aggregate_in_a_fixed_number_of_queries(quarter, build, queries):
    tree = unit_tree()
    with CaptureQueriesContext(connection) as captured:
        build(tree)
    # Reads only (on PostgreSQL each aggregate also sets `jit = off` for its transaction).
    assert [q["sql"].lstrip().split()[0] for q in captured.captured_queries].count("SELECT") == queries


def test_dataset_is_what_the_story_says(quarter):
    """The story's own facts the expectations rest on (deadlines as the calendar computes them)."""
    due = {k: Dossier.objects.get(code=v).due_at for k, v in quarter.codes.items()}
    assert due["B"] == at("2026-02-02 10:00") and due["C"] == at("2026-02-09 10:00")
    assert due["M"] == at("2026-03-23 08:00") and due["Q"] == at("2026-03-16 09:00")
    assert DossierStep.objects.get(dossier__code=quarter["C"], order=2).planned_end_at == at(
        "2026-02-02 10:00"
    )
    assert Consultation.objects.get(dossier__code=quarter["O"]).due_at == at("2026-03-19 09:00")
    assert DossierEvent.objects.filter(action="apologise").count() == 2
