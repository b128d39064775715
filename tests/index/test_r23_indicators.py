"""R-23: every remaining indicator of the Decision 766 index on a small hand-made dataset, each with
its numerator, denominator, rate and points worked out by hand from REGULATIONS §1.3–1.5 (the
arithmetic is in the comments), each special rule of the indicator, the unit tree, and odd data that
must not break the engine (a procedure without cases, a unit without procedures, an empty period).

Procedure-based indicators run on a catalogue of hand-made procedures only (`only_these_procedures`
withdraws the demo's), so every denominator is the count written here."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from motcua.calendar.services import get_calendar
from motcua.catalog.models import (
    AgencyRole,
    CaseDuration,
    LegalBasis,
    OnlineLevel,
    Procedure,
    ProcedureLevel,
    RequiredDocument,
)
from motcua.documents.models import DocumentKind
from motcua.index.models import Indicator
from motcua.index.selectors import compute, dossiers_behind, procedures_behind
from motcua.org.models import Unit
from motcua.sync.selectors import Period, unit_tree
from tests.dossiers.kit import at
from tests.index.kit import (
    JUSTICE,
    MARCH,
    IndexKit,
    carrying,
    index_of,
    only_these_procedures,
    procedure,
)
from tests.sync_health.kit import FINANCE, JUSTICE_DIVISION, PROVINCE, WARD

APRIL = Period.month(2026, 4)
DAY = at("2026-03-05 09:00")  # a reception day of March
IN_APRIL = at("2026-04-06 09:00")
IMPLEMENTING, COMPETENT, COORDINATING = AgencyRole.IMPLEMENTING, AgencyRole.COMPETENT, AgencyRole.COORDINATING
SUBMITTED, SUPPLEMENT, RESULT = DocumentKind.SUBMITTED, DocumentKind.SUPPLEMENT, DocumentKind.RESULT
HEALTH = "000.00.09.H19"  # Sở Y tế: no procedure in the hand-made catalogues


def commune(n: int) -> str:
    """UBND of the demo's commune or ward n (61…66: six of them in force since 01/7/2025)."""
    return f"000.00.{n}.H19"


def commune_centre(n: int) -> str:
    return f"000.01.{n}.H19"


def figures(index, code: str) -> tuple[int, int, Decimal, Decimal]:
    s = index.score(code)
    return s.numerator, s.denominator, s.rate, s.points


def d(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


# --- 1.1 and 1.2: publication on time (province only) -------------------------------------------------


def publish(p: Procedure, decided: str, public: str | None, effective: tuple[str | None, ...]) -> None:
    p.publication_decision = "Quyết định công bố danh mục TTHC (thử)"
    p.publication_decided_on = d(decided)
    p.made_public_on = d(public) if public else None
    p.save()
    for n, when in enumerate(effective):
        LegalBasis.objects.create(
            procedure=p,
            number=f"{n + 1}/2026/NĐ-CP",
            title="Căn cứ thử",
            effective_on=d(when) if when else None,
        )


def test_r23_1_1_and_1_2_the_calendar_the_cases_rely_on():
    """The working days of late April 2026 the cases below are built on (REGULATIONS §7.2): the
    Hùng Kings' day falls on Sunday 26/4 and is taken on Monday 27/4; 30/4 and 1/5 are holidays."""
    calendar = get_calendar()
    for day in ("2026-04-25", "2026-04-26", "2026-04-27", "2026-04-30", "2026-05-01", "2026-05-02"):
        assert not calendar.is_working_day(d(day)), day
    for day in ("2026-04-22", "2026-04-23", "2026-04-24", "2026-04-28", "2026-04-29", "2026-05-04"):
        assert calendar.is_working_day(d(day)), day


def test_r23_1_1_and_1_2_publication_on_time_by_hand():
    """April 2026, four procedures whose publication decision falls in April (one decided in March
    is not counted).

    1.1, on time when decided ≤ the latest effective date − 5 working days (tỉnh):
    - P1: bases effective 01/3 and 04/5 → the latest, Mon 04/5. Five working days back: Wed 29/4 (1),
      Tue 28/4 (2), [27/4 observed holiday, weekend], Fri 24/4 (3), Thu 23/4 (4), Wed 22/4 (5).
      Decided 22/4 ≤ 22/4: on time (and would be late against the earlier basis of 01/3).
    - P2: effective 04/5, decided Fri 24/4 > 22/4: late (on plain weekdays 27/4 would be the limit).
    - P3: a legal basis without an effective date: on time.
    - P4: no legal basis at all: on time.
    → 3 / 4 = 75.00 %, 6 × 75 / 100 = 4.50.

    1.2, on time when made public ≤ decision + 5 working days:
    - P1: 22/4 + 5 = Thu 23/4 (1), Fri 24/4 (2), Tue 28/4 (3), Wed 29/4 (4), Mon 04/5 (5): public
      04/5 → on time.
    - P2: 24/4 + 5 = 28/4, 29/4, 04/5, 05/5, Wed 06/5: public 06/5 → on time (on plain weekdays the
      limit would be Fri 01/5).
    - P3: never made public → late.
    - P4: Fri 10/4 + 5 = 13, 14, 15, 16, Fri 17/4: public Mon 20/4 → late.
    → 2 / 4 = 50.00 %, 4 × 50 / 100 = 2.00.
    """
    IndexKit.start()
    p1, p2, p3, p4, march = (procedure() for _ in range(5))
    publish(p1, "2026-04-22", "2026-05-04", ("2026-03-01", "2026-05-04"))
    publish(p2, "2026-04-24", "2026-05-06", ("2026-05-04",))
    publish(p3, "2026-04-29", None, (None,))
    publish(p4, "2026-04-10", "2026-04-20", ())
    publish(march, "2026-03-20", "2026-05-20", ("2026-03-02",))  # decided in March: not April's

    province = index_of(PROVINCE, APRIL)

    assert figures(province, "1.1") == (3, 4, Decimal("75.00"), Decimal("4.50"))
    assert figures(province, "1.2") == (2, 4, Decimal("50.00"), Decimal("2.00"))
    department = index_of(JUSTICE, APRIL)  # "computed at tỉnh/bộ level only"
    assert not department.score("1.1").applicable and not department.score("1.2").applicable
    assert department.score("1.1").points == Decimal("0.00")


def test_r23_1_1_a_decision_on_the_limit_day_counts_and_the_next_day_does_not():
    """Effective Mon 04/5/2026, limit Wed 22/4 (see above): decided 22/4 on time, Thu 23/4 late →
    1 / 2 = 50.00 %, 6 × 50 / 100 = 3.00."""
    IndexKit.start()
    on_limit, day_after = procedure(), procedure()
    publish(on_limit, "2026-04-22", "2026-04-22", ("2026-05-04",))
    publish(day_after, "2026-04-23", "2026-04-23", ("2026-05-04",))

    assert figures(index_of(PROVINCE, APRIL), "1.1") == (1, 2, Decimal("50.00"), Decimal("3.00"))


def test_r23_1_1_an_empty_effective_date_of_the_old_software_does_not_break_the_index():
    """Odd data: a legal basis "effective" on 01/01/0001 (the empty date of .NET systems, as imported
    national payloads can carry). The procedure is counted (1 in the denominator) and the index is
    computed, never a 500; the placeholder is read as "no effective date", so on time."""
    IndexKit.start()
    p = procedure()
    publish(p, "2026-04-22", "2026-04-23", ("0001-01-01",))

    score = index_of(PROVINCE, APRIL).score("1.1")

    assert (score.numerator, score.denominator) == (1, 1)


# --- 1.3: the seven parts of khoản 2 Điều 8 NĐ 63/2010/NĐ-CP ----------------------------------------


def _no_name(p):
    p.name = ""
    p.save()


def _no_steps(p):
    p.steps_text = ""
    p.save()


def _no_methods(p):
    p.methods_text = ""
    p.save()


def _no_documents(p):
    RequiredDocument.objects.filter(case__procedure=p).delete()


def _no_time_limit(p):
    CaseDuration.objects.filter(case__procedure=p).delete()


def _no_applicants(p):
    p.applicants_text = ""
    p.save()


def _no_agency(p):
    p.agency_text = ""
    p.save()


PARTS = {
    "a) tên TTHC": _no_name,
    "b) trình tự thực hiện": _no_steps,
    "c) cách thức thực hiện": _no_methods,
    "d) thành phần, số lượng hồ sơ": _no_documents,
    "đ) thời hạn giải quyết": _no_time_limit,
    "e) đối tượng thực hiện": _no_applicants,
    "g) cơ quan thực hiện": _no_agency,
}


def test_r23_1_3_procedures_with_all_seven_parts():
    """Sở Tư pháp answers for four procedures, all complete: 4 / 4 = 100.00 %, 2 × 100 / 100 = 2.00.
    Measured as of now: the period does not matter (the same in April)."""
    IndexKit.start()
    only_these_procedures(*(procedure() for _ in range(4)))

    assert figures(index_of(JUSTICE), "1.3") == (4, 4, Decimal("100.00"), Decimal("2.00"))
    assert figures(index_of(JUSTICE, APRIL), "1.3") == (4, 4, Decimal("100.00"), Decimal("2.00"))


@pytest.mark.parametrize("remove", list(PARTS.values()), ids=list(PARTS))
def test_r23_1_3_a_procedure_missing_one_part_leaves_the_numerator(remove):
    """One of the four loses one part: 3 / 4 = 75.00 %, 2 × 75 / 100 = 1.50; it is the one listed
    as keeping the indicator from its maximum."""
    IndexKit.start()
    made = [procedure() for _ in range(4)]
    only_these_procedures(*made)
    remove(made[3])

    index = index_of(JUSTICE)

    assert figures(index, "1.3") == (3, 4, Decimal("75.00"), Decimal("1.50"))
    missing = procedures_behind(
        index.score("1.3").indicator, Unit.objects.get(code=JUSTICE).pk, MARCH, part="shortfall"
    )
    assert list(missing) == [made[3]]


# --- 3.1, 3.2: online services ---------------------------------------------------------------------


def online_catalogue():
    """Sở Tư pháp answers for A (partial online), B (full online), C and D (none) and, through its
    division as the competent body, E (full online). F names Sở Tư pháp only as coordinating, G is
    Sở Tài chính's, H is internal (R-18): none of the three is Sở Tư pháp's. Published: A–H."""
    made = {
        "A": procedure(online=OnlineLevel.PARTIAL),
        "B": procedure(online=OnlineLevel.FULL),
        "C": procedure(),
        "D": procedure(),
        "E": procedure(online=OnlineLevel.FULL, units=[(JUSTICE_DIVISION, COMPETENT)]),
        "F": procedure(online=OnlineLevel.FULL, units=[(JUSTICE, COORDINATING)]),
        "G": procedure(online=OnlineLevel.FULL, units=[(FINANCE, IMPLEMENTING)]),
        "H": procedure(online=OnlineLevel.FULL, internal=True),
    }
    only_these_procedures(*made.values())
    return made


def test_r23_3_1_procedures_with_an_online_service():
    """Sở Tư pháp: online A, B, E of A–E → 3 / 5 = 60.00 %; full marks from 80 %: 2 × 60 / 80 = 1.50.
    The province answers for every published procedure but the internal one, A–G: online A, B, E, F,
    G → 5 / 7 = 71.43 %, 2 × 71.43 / 80 = 1.785… → 1.79."""
    IndexKit.start()
    online_catalogue()

    assert figures(index_of(JUSTICE), "3.1") == (3, 5, Decimal("60.00"), Decimal("1.50"))
    assert figures(index_of(PROVINCE), "3.1") == (5, 7, Decimal("71.43"), Decimal("1.79"))


def test_r23_3_1_full_marks_from_eighty_percent():
    """C gets a partial online service: 4 / 5 = 80.00 % → 2.00, the maximum."""
    IndexKit.start()
    made = online_catalogue()
    made["C"].online_level = OnlineLevel.PARTIAL
    made["C"].save()

    assert figures(index_of(JUSTICE), "3.1") == (4, 5, Decimal("80.00"), Decimal("2.00"))


def test_r23_3_2_online_services_with_a_dossier_received_online_in_the_period():
    """Sở Tư pháp's online services: A, B, E (3). In March: A has an online dossier; E an online
    dossier decided by the division (the department counts its divisions'); B only a counter
    dossier, and an online one received in April. Used: A, E → 2 / 3 = 66.67 %, linear:
    4 × 66.67 / 100 = 2.6668 → 2.67. In April: B only → 1 / 3 = 33.33 %, 4 × 33.33 / 100 = 1.33."""
    kit = IndexKit.start()
    made = online_catalogue()
    carrying(kit.dossier(DAY, channel="online"), procedure=made["A"])
    carrying(kit.dossier(DAY, channel="online", deciding=JUSTICE_DIVISION), procedure=made["E"])
    carrying(kit.dossier(DAY, channel="counter"), procedure=made["B"])
    carrying(kit.dossier(IN_APRIL, channel="online"), procedure=made["B"])
    # An online dossier of a procedure without an online service is no online service used.
    carrying(kit.dossier(DAY, channel="online"), procedure=made["C"])

    index = index_of(JUSTICE)

    assert figures(index, "3.2") == (2, 3, Decimal("66.67"), Decimal("2.67"))
    assert figures(index_of(JUSTICE, APRIL), "3.2") == (1, 3, Decimal("33.33"), Decimal("1.33"))
    unused = procedures_behind(
        index.score("3.2").indicator, Unit.objects.get(code=JUSTICE).pk, MARCH, part="shortfall"
    )
    assert list(unused) == [made["B"]]


def test_r23_3_2_a_period_that_is_not_whole_months_counts_the_same():
    """From 02/3 to 30/3 (read from the per-dossier facts, not the monthly sums): the same dossiers
    of the 5th → 2 / 3 again."""
    kit = IndexKit.start()
    made = online_catalogue()
    carrying(kit.dossier(DAY, channel="online"), procedure=made["A"])
    carrying(kit.dossier(DAY, channel="online", deciding=JUSTICE_DIVISION), procedure=made["E"])

    between = Period.between(d("2026-03-02"), d("2026-03-30"))

    assert figures(index_of(JUSTICE, between), "3.2") == (2, 3, Decimal("66.67"), Decimal("2.67"))


# --- 3.4, 3.5, 3.6: online payment (no payment platform yet) --------------------------------------


def fee_catalogue():
    """Sở Tư pháp's procedures: K1 (lệ phí 100 000 đ), K2 (50 000 đ), K3 (a fee of 0 đ only), K4
    (20 000 đ, no dossier) and K5 (no fee). With fees in the catalogue: K1, K2, K4."""
    made = {
        "K1": procedure(fees=[100_000]),
        "K2": procedure(fees=[50_000]),
        "K3": procedure(fees=[0]),
        "K4": procedure(fees=[20_000]),
        "K5": procedure(),
    }
    only_these_procedures(*made.values())
    return made


def test_r23_3_4_3_5_3_6_fee_bearing_procedures_by_hand():
    """March: K1 has two dossiers carrying 100 000 đ, K2 one whose synced fee is 0 đ, K3 one of 0 đ.
    - 3.4: no online payment exists yet → 0 / 3 (K1, K2, K4), 0.00 %, 0.00.
    - 3.5: procedures whose dossiers carry a non-zero fee: K1 → 1 / 3 = 33.33 %; full marks from
      80 %: 2 × 33.33 / 80 = 0.833… → 0.83.
    - 3.6: dossiers of procedures with fees (K1 ×2, K2) less those whose fees are all 0 (K2's) →
      denominator 2; paid online 0 → 0.00 %, 0.00."""
    kit = IndexKit.start()
    made = fee_catalogue()
    for _ in range(2):
        carrying(kit.dossier(DAY), procedure=made["K1"], fees=[100_000])
    carrying(kit.dossier(DAY), procedure=made["K2"], fees=[0])
    carrying(kit.dossier(DAY), procedure=made["K3"], fees=[0])

    index = index_of(JUSTICE)

    assert figures(index, "3.4") == (0, 3, Decimal("0.00"), Decimal("0.00"))
    assert figures(index, "3.5") == (1, 3, Decimal("33.33"), Decimal("0.83"))
    assert figures(index, "3.6") == (0, 2, Decimal("0.00"), Decimal("0.00"))
    unit = Unit.objects.get(code=JUSTICE).pk
    missing = procedures_behind(index.score("3.5").indicator, unit, MARCH, part="shortfall")
    assert set(missing) == {made["K2"], made["K4"]}


def test_r23_3_5_full_marks_from_eighty_percent():
    """K1, K2 and K4 each with a dossier carrying its fee: 3 / 3 = 100.00 % → 2.00; and with K1
    and K2 only, 2 / 3 = 66.67 %, 2 × 66.67 / 80 = 1.666… → 1.67 (below the threshold)."""
    kit = IndexKit.start()
    made = fee_catalogue()
    carrying(kit.dossier(DAY), procedure=made["K1"], fees=[100_000])
    carrying(kit.dossier(DAY), procedure=made["K2"], fees=[50_000])
    assert figures(index_of(JUSTICE), "3.5") == (2, 3, Decimal("66.67"), Decimal("1.67"))

    carrying(kit.dossier(DAY), procedure=made["K4"], fees=[20_000])
    assert figures(index_of(JUSTICE), "3.5") == (3, 3, Decimal("100.00"), Decimal("2.00"))


def test_r23_3_6_only_dossiers_of_procedures_with_fees_in_the_catalogue_are_owed():
    """REGULATIONS §1.3, 3.6: the denominator is the dossiers "of TTHC with fee information in
    CSDLQG" less those whose fees are all 0. K5 has no fee in the catalogue: a dossier of K5 that
    carries 30 000 đ is not one of them. K1's dossier with 100 000 đ is → denominator 1 (0 / 1)."""
    kit = IndexKit.start()
    made = fee_catalogue()
    carrying(kit.dossier(DAY), procedure=made["K1"], fees=[100_000])
    carrying(kit.dossier(DAY), procedure=made["K5"], fees=[30_000])

    assert figures(index_of(JUSTICE), "3.6") == (0, 1, Decimal("0.00"), Decimal("0.00"))


# --- 4.1, 4.2: electronic results and digitised dossiers -------------------------------------------


def test_r23_4_1_electronic_results_of_procedures_with_a_result_document():
    """March, Sở Tư pháp. R issues a result document, N does not. R: d1 an electronic result, d2 an
    electronic result (decided by the division), d3 its components only, d4 nothing — all synced;
    N: d5 with an electronic result is not counted at all (no result document is due).
    → 2 / 4 = 50.00 %, linear: 6 × 50 / 100 = 3.00."""
    kit = IndexKit.start()
    r, n = procedure(), procedure(result_document=False)
    only_these_procedures(r, n)
    d1 = carrying(kit.dossier(DAY, synced=True), procedure=r, kinds=[SUBMITTED, RESULT])
    d2 = carrying(kit.dossier(DAY, synced=True, deciding=JUSTICE_DIVISION), procedure=r, kinds=[RESULT])
    d3 = carrying(kit.dossier(DAY, synced=True), procedure=r, kinds=[SUBMITTED])
    d4 = carrying(kit.dossier(DAY, synced=True), procedure=r)
    carrying(kit.dossier(DAY, synced=True), procedure=n, kinds=[RESULT])

    index = index_of(JUSTICE)

    assert figures(index, "4.1") == (2, 4, Decimal("50.00"), Decimal("3.00"))
    unit = Unit.objects.get(code=JUSTICE).pk
    indicator = index.score("4.1").indicator
    counted = dossiers_behind(indicator, unit, MARCH, part="numerator")
    missing = dossiers_behind(indicator, unit, MARCH, part="shortfall")
    assert set(counted) == {d1, d2}
    assert set(missing) == {d3, d4}


def test_r23_4_1_an_electronic_result_the_portal_never_received_is_not_counted():
    """REGULATIONS §1.3, 4.1: "Numerator: synced dossiers with an attached result-file link". Two
    dossiers of R with an electronic result, one synced, one never synced → 1 / 2 = 50.00 %, 3.00."""
    kit = IndexKit.start()
    r = procedure()
    only_these_procedures(r)
    carrying(kit.dossier(DAY, synced=True), procedure=r, kinds=[RESULT])
    carrying(kit.dossier(DAY, synced=False), procedure=r, kinds=[RESULT])

    assert figures(index_of(JUSTICE), "4.1") == (1, 2, Decimal("50.00"), Decimal("3.00"))


def test_r23_4_2_digitised_components_and_the_electronic_result_where_a_paper_one_is_due():
    """March, Sở Tư pháp, seven dossiers (R issues a paper result, N none):
    R: submitted + result ✓; supplement + result ✓; submitted only ✗ (its result is not electronic);
       result only ✗ (no component digitised);
    N: submitted ✓; nothing ✗; an "other" document only ✗.
    → 3 / 7 = 42.857… → 42.86 %; linear (the live API, REGULATIONS §1.4): 4 × 42.86 / 100 = 1.7144
    → 1.71."""
    kit = IndexKit.start()
    r, n = procedure(), procedure(result_document=False)
    only_these_procedures(r, n)
    for p, kinds in [
        (r, [SUBMITTED, RESULT]),
        (r, [SUPPLEMENT, RESULT]),
        (r, [SUBMITTED]),
        (r, [RESULT]),
        (n, [SUBMITTED]),
        (n, []),
        (n, [DocumentKind.OTHER]),
    ]:
        carrying(kit.dossier(DAY, synced=True), procedure=p, kinds=kinds)

    assert figures(index_of(JUSTICE), "4.2") == (3, 7, Decimal("42.86"), Decimal("1.71"))


# --- 4.3: communes issuing electronic certified copies (province only) -----------------------------


def certified_copy_code() -> str:
    (code,) = Indicator.objects.get(indicator_set__code="QD766-2022", code="4.3").params["procedure_codes"]
    return code


def test_r23_4_3_communes_that_issued_an_electronic_certified_copy():
    """The procedure is the indicator's parameter (2.000815, chứng thực bản sao từ bản chính). The
    demo province has six communes and wards in force (000.00.61–66.H19). In March:
    - 61: two copies issued electronically (received at its centre, decided by the ward) → counts once;
    - 62: a copy on paper only → no;
    - 63: an electronic result of another procedure → no;
    - 64: an electronic copy received in April → not March's;
    - 65: an electronic copy → counts.
    → 2 / 6 = 33.33 %, linear: 2 × 33.33 / 100 = 0.6666 → 0.67. Province only."""
    kit = IndexKit.start()
    copy = Procedure.objects.get(code=certified_copy_code())
    other = procedure(units=[(commune(63), IMPLEMENTING)], levels=[ProcedureLevel.COMMUNE])

    def at_commune(n, when, p, kinds):
        dossier = kit.dossier(when, receiving=commune_centre(n), deciding=commune(n), synced=True)
        return carrying(dossier, procedure=p, kinds=kinds)

    at_commune(61, DAY, copy, [SUBMITTED, RESULT])
    at_commune(61, DAY, copy, [SUBMITTED, RESULT])
    at_commune(62, DAY, copy, [SUBMITTED])
    at_commune(63, DAY, other, [SUBMITTED, RESULT])
    at_commune(64, IN_APRIL, copy, [SUBMITTED, RESULT])
    at_commune(65, DAY, copy, [SUBMITTED, RESULT])

    assert figures(index_of(PROVINCE), "4.3") == (2, 6, Decimal("33.33"), Decimal("0.67"))
    assert not index_of(JUSTICE).score("4.3").applicable
    assert not index_of(WARD).score("4.3").applicable
    # The procedures are data: naming the other procedure instead, only commune 63 issued one
    # → 1 / 6 = 16.67 %, 2 × 16.67 / 100 = 0.3334 → 0.33.
    indicator = Indicator.objects.get(indicator_set__code="QD766-2022", code="4.3")
    indicator.params = {"procedure_codes": [other.code]}
    indicator.save()
    assert figures(index_of(PROVINCE), "4.3") == (1, 6, Decimal("16.67"), Decimal("0.33"))


def test_r23_4_3_a_copy_counts_whatever_the_catalogue_says_of_a_result_document():
    """The electronic certified copy is itself the result: a commune that issued one counts even if
    the catalogue's entry lacks the "result document" mark — for a whole month (read from the
    monthly sums) as for a from–to period (read from the facts). Commune 61 → 1 / 6 = 16.67 %, 0.33."""
    kit = IndexKit.start()
    copy = Procedure.objects.get(code=certified_copy_code())
    copy.has_result_document = False
    copy.save()
    dossier = kit.dossier(DAY, receiving=commune_centre(61), deciding=commune(61), synced=True)
    carrying(dossier, procedure=copy, kinds=[SUBMITTED, RESULT])

    between = Period.between(d("2026-03-02"), d("2026-03-30"))
    assert figures(index_of(PROVINCE, between), "4.3") == (1, 6, Decimal("16.67"), Decimal("0.33"))
    assert figures(index_of(PROVINCE), "4.3") == (1, 6, Decimal("16.67"), Decimal("0.33"))


# --- 4.7: citizen-facing procedures using the population data (province only) ----------------------


def test_r23_4_7_citizen_facing_procedures_with_a_vneid_verified_dossier():
    """Applicants of C1 "Công dân Việt Nam", C2 "Người Việt Nam định cư ở nước ngoài", C3 "Người nước
    ngoài", C4 "Công dân Việt Nam; Doanh nghiệp"; B1 "Doanh nghiệp" and B2 "Tổ chức nước ngoài" are
    not citizens. March: C1 and C4 have a VNeID-verified dossier; C2 a dossier without VNeID; C3 a
    verified one received in April; B1 a verified one (not in the denominator).
    → 2 / 4 = 50.00 %, linear: 2 × 50 / 100 = 1.00. Province only."""
    kit = IndexKit.start()
    c1, c2, c3, c4 = (
        procedure(applicants=text)
        for text in (
            "Công dân Việt Nam",
            "Người Việt Nam định cư ở nước ngoài",
            "Người nước ngoài",
            "Công dân Việt Nam; Doanh nghiệp",
        )
    )
    b1, b2 = procedure(applicants="Doanh nghiệp"), procedure(applicants="Tổ chức nước ngoài")
    only_these_procedures(c1, c2, c3, c4, b1, b2)
    carrying(kit.dossier(DAY, vneid=True), procedure=c1)
    carrying(kit.dossier(DAY, vneid=True, deciding=JUSTICE_DIVISION), procedure=c4)
    carrying(kit.dossier(DAY, vneid=False), procedure=c2)
    carrying(kit.dossier(IN_APRIL, vneid=True), procedure=c3)
    carrying(kit.dossier(DAY, vneid=True), procedure=b1)

    province = index_of(PROVINCE)

    assert figures(province, "4.7") == (2, 4, Decimal("50.00"), Decimal("1.00"))
    assert not index_of(JUSTICE).score("4.7").applicable
    unit = Unit.objects.get(code=PROVINCE).pk
    missing = procedures_behind(province.score("4.7").indicator, unit, MARCH, part="shortfall")
    assert set(missing) == {c2, c3}


# --- the unit tree ---------------------------------------------------------------------------------


def test_r23_the_unit_tree_for_procedure_and_dossier_measures():
    """Catalogue: P_div (full online, its division's only), P_dep (Sở Tư pháp's, none), P_shared
    (full online, implemented by Sở Tư pháp and Sở Tài chính), P_fin (Sở Tài chính's, none),
    P_commune (commune level, no unit named, full online), P_ward (phường Trấn Biên's, none).
    March: online dossiers of P_shared at Sở Tư pháp and at Sở Tài chính, of P_div decided by the
    division (all received at the provincial centre, all synced).

    3.1 (full marks from 80 %):
    - division: P_div → 1 / 1 = 100.00 % → 2.00;
    - Sở Tư pháp (its own and its division's): P_div, P_dep, P_shared; online 2 → 66.67 %,
      2 × 66.67 / 80 = 1.666… → 1.67;
    - Sở Tài chính: P_shared, P_fin → 1 / 2 = 50.00 %, 2 × 50 / 80 = 1.25;
    - phường Trấn Biên: the commune-level P_commune and its P_ward → 1 / 2 = 50.00 % → 1.25;
    - province: all six, P_shared once → online P_div, P_shared, P_commune: 3 / 6 = 50.00 % → 1.25.
    3.2 (linear, 4):
    - Sở Tư pháp: online services P_div, P_shared both used → 2 / 2 → 4.00;
    - province: P_div, P_shared, P_commune; used P_div and P_shared (once, though used by two
      units) → 2 / 3 = 66.67 %, 4 × 66.67 / 100 = 2.6668 → 2.67.
    1.4 (dossiers, each once): division 1, Sở Tư pháp 2, Sở Tài chính 1, province 3 (the centre
    received all three, the departments decided them: still three), all synced → 100 %, 6.00."""
    kit = IndexKit.start()
    p_div = procedure(online=OnlineLevel.FULL, units=[(JUSTICE_DIVISION, IMPLEMENTING)])
    p_dep = procedure()
    p_shared = procedure(online=OnlineLevel.FULL, units=[(JUSTICE, IMPLEMENTING), (FINANCE, IMPLEMENTING)])
    p_fin = procedure(units=[(FINANCE, IMPLEMENTING)])
    p_commune = procedure(online=OnlineLevel.FULL, units=[], levels=[ProcedureLevel.COMMUNE])
    p_ward = procedure(units=[(WARD, IMPLEMENTING)], levels=[ProcedureLevel.COMMUNE])
    only_these_procedures(p_div, p_dep, p_shared, p_fin, p_commune, p_ward)
    carrying(kit.dossier(DAY, channel="online", synced=True), procedure=p_shared)
    carrying(kit.dossier(DAY, channel="online", synced=True, deciding=FINANCE), procedure=p_shared)
    carrying(kit.dossier(DAY, channel="online", synced=True, deciding=JUSTICE_DIVISION), procedure=p_div)

    units = {
        code: Unit.objects.get(code=code).pk for code in (JUSTICE_DIVISION, JUSTICE, FINANCE, WARD, PROVINCE)
    }
    found = compute(MARCH, units.values(), tree=unit_tree())
    by_code = {code: found[pk] for code, pk in units.items()}

    assert figures(by_code[JUSTICE_DIVISION], "3.1") == (1, 1, Decimal("100.00"), Decimal("2.00"))
    assert figures(by_code[JUSTICE], "3.1") == (2, 3, Decimal("66.67"), Decimal("1.67"))
    assert figures(by_code[FINANCE], "3.1") == (1, 2, Decimal("50.00"), Decimal("1.25"))
    assert figures(by_code[WARD], "3.1") == (1, 2, Decimal("50.00"), Decimal("1.25"))
    assert figures(by_code[PROVINCE], "3.1") == (3, 6, Decimal("50.00"), Decimal("1.25"))
    assert figures(by_code[JUSTICE], "3.2") == (2, 2, Decimal("100.00"), Decimal("4.00"))
    assert figures(by_code[PROVINCE], "3.2") == (2, 3, Decimal("66.67"), Decimal("2.67"))
    expected_sync = {JUSTICE_DIVISION: 1, JUSTICE: 2, FINANCE: 1, PROVINCE: 3}
    for code, count in expected_sync.items():
        assert figures(by_code[code], "1.4") == (count, count, Decimal("100.00"), Decimal("6.00")), code


# --- odd data: never an error -----------------------------------------------------------------------


def test_r23_odd_data_a_procedure_without_cases_and_a_unit_without_procedures():
    """A published procedure of Sở Tư pháp with no case at all (so no documents, no time limit):
    incomplete for 1.3 → 1 / 2 = 50.00 %, 1.00. Sở Y tế answers for no procedure: every
    procedure-based figure is 0 / 0, 0.00 points; the whole index of every unit is computed."""
    IndexKit.start()
    whole, bare = procedure(), procedure()
    bare.cases.all().delete()
    only_these_procedures(whole, bare)

    assert figures(index_of(JUSTICE), "1.3") == (1, 2, Decimal("50.00"), Decimal("1.00"))
    health = index_of(HEALTH)
    for code in ("1.3", "3.1", "3.2", "3.4", "3.5"):
        assert figures(health, code) == (0, 0, Decimal("0.00"), Decimal("0.00")), code
    everyone = compute(MARCH, tree=unit_tree())
    assert len(everyone) >= 2
    unit = Unit.objects.get(code=HEALTH).pk
    for score in health.scores:
        procedures_behind(score.indicator, unit, MARCH, part="shortfall")
        dossiers_behind(score.indicator, unit, MARCH, part="shortfall")


def test_r23_odd_data_a_period_without_any_dossier():
    """January 2030, and a from–to period inside it: no dossier anywhere. Every dossier figure is
    0 / 0 scoring 0, PAKN 5.2 and 5.3 full marks (6 each, REGULATIONS §1.4); nothing fails."""
    IndexKit.start()
    for period in (Period.month(2030, 1), Period.between(d("2030-01-03"), d("2030-01-17"))):
        everyone = compute(period, tree=unit_tree())
        province = everyone[Unit.objects.get(code=PROVINCE).pk]
        for code in ("1.4", "2.1", "3.3", "3.6", "4.1", "4.2", "4.4", "4.5", "4.6", "5.4"):
            assert figures(province, code) == (0, 0, Decimal("0.00"), Decimal("0.00")), (period, code)
        assert province.score("5.2").points == province.score("5.3").points == Decimal("6.00")


def test_r23_odd_data_pages_and_api_answer_for_an_empty_unit_and_period(client):
    """The dashboard, an indicator's page and GET /api/v1/index for Sở Y tế (no procedure) in an
    empty month answer 200, never a 500."""
    IndexKit.start()
    only_these_procedures(procedure())
    admin = get_user_model().objects.create_superuser("chiso.thu", "chiso@example.invalid", "x")
    client.force_login(admin)
    query = f"unit={HEALTH}&period=month&year=2030&month=1"

    assert client.get(f"/bao-cao/?{query}").status_code == 200
    for code in ("1.1", "1.3", "3.2", "4.3", "4.7", "2.1"):
        assert client.get(f"/bao-cao/chi-so/{code}/?{query}").status_code == 200, code
    answer = client.get(f"/api/v1/index?period=2030-01&unit={HEALTH}")
    assert answer.status_code == 200
    assert {i["code"]: i["denominator"] for i in answer.json()["indicators"]}["3.1"] == 0
