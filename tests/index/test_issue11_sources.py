"""What issue 11 records reaches the Decision 766 index (REGULATIONS §1.3): fees paid online (3.4,
3.6 — R-29), components reused from the applicant's store (4.4 — R-30), PAKN (5.1–5.4 — R-31) and
ratings of dossiers (5.4 — R-32); and each of these changes, made the way the application makes
it, marks the dossier so the next reading of the index sees it without a rebuild."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.documents.models import DocumentKind
from motcua.documents.services import copy_for_reuse
from motcua.dossiers.models import Dossier, DossierDocument, DossierFee
from motcua.dossiers.states import State
from motcua.feedback import services as feedback
from motcua.feedback.models import Classification
from motcua.feedback.selectors import petition_figures
from motcua.index import facts
from motcua.index.models import IndexFact
from motcua.index.selectors import compute, dossiers_behind
from motcua.org.models import Unit
from motcua.payments import services as payments
from motcua.sync.selectors import unit_tree
from tests.dossiers.kit import act, at, doc, notary_processing, submit, user
from tests.feedback.kit import OFFICER, OWN_IDENTITY, petition
from tests.index.kit import JUSTICE, MARCH, IndexKit, carrying, index_of, only_these_procedures, procedure
from tests.payments.paygov import paygov, paygov_process  # noqa: F401 (fixtures)
from tests.sync_health.kit import PROVINCE

DAY = at("2026-03-05 09:00")
NOWHERE = "http://127.0.0.1:9/thanh-toan/xac-nhan/"  # nobody listens: the callback is relayed
RETURN = "http://testserver/thanh-toan/ket-qua/"


def figures(code: str, unit: str = JUSTICE) -> tuple[int, int, Decimal, Decimal]:
    s = index_of(unit).score(code)
    return s.numerator, s.denominator, s.rate, s.points


def fact(d: Dossier) -> IndexFact:
    facts.refresh()
    return IndexFact.objects.get(dossier_id=d.pk)


# --- 3.4, 3.6: paid online (R-29) ----------------------------------------------------------------


def test_r29_a_payment_on_the_platform_counts_for_3_4_and_3_6(paygov, client):  # noqa: F811
    """Sở Tư pháp, March: one online dossier of K1 (100 000 đ in the catalogue) owing 100 000 đ.
    Before paying: 3.4 0 / 1, 3.6 0 / 1. Paid through the platform simulator (its signed callback
    relayed to our endpoint, the service marks the fees with a bulk update): 3.4 1 / 1 = 100 % → 2.00
    (full from 80 %), 3.6 1 / 1 = 100 % → 6.00 — read without a rebuild."""
    d = notary_processing(at("2026-03-02 08:00"), channel="online")
    k1 = procedure(fees=[100_000])
    only_these_procedures(k1)
    d.procedure = k1
    d.save()
    DossierFee.objects.filter(dossier=d).delete()
    DossierFee.objects.create(dossier=d, kind="fee", amount=100_000, description="Phí thẩm định")
    assert figures("3.4")[:2] == (0, 1) and figures("3.6")[:2] == (0, 1)

    started = payments.start_payment(
        Dossier.objects.get(pk=d.pk),
        actor=user("congdan1"),
        return_url=RETURN,
        callback_url=NOWHERE,
        now=at("2026-03-02 09:00"),
    )
    paygov.pay(started.transaction.reference)
    (sent,) = paygov.state()["callbacks"]
    answer = client.post(
        reverse("portal:payment-callback"), data=json.dumps(sent["payload"]), content_type="application/json"
    )
    assert answer.json()["MaLoi"] == "00"

    assert figures("3.4") == (1, 1, Decimal("100.00"), Decimal("2.00"))
    assert figures("3.6") == (1, 1, Decimal("100.00"), Decimal("6.00"))


@pytest.mark.parametrize(
    "paid, online",
    [
        ([(100_000, "dvcqg_platform")], True),
        ([(100_000, "local_gateway")], True),  # DuocThanhToanTrucTuyen = 2 counts too (§1.3, 3.6)
        ([(100_000, "counter")], False),  # taken at the counter: not online
        ([(100_000, "dvcqg_platform"), (50_000, "")], False),  # a fee still owed
        ([(100_000, "dvcqg_platform"), (0, "")], True),  # a 0 đ line owes nothing
    ],
)
def test_r29_a_dossier_is_paid_online_when_every_non_zero_fee_is(paid, online):
    """The fees are recorded unpaid, the index read, then each fee paid as `paid` says and saved
    alone (no save of the dossier): the fee's own save marks the dossier. 3.6 = 1 / 1 → 6.00 or
    0 / 1 → 0.00."""
    kit = IndexKit.start()
    k1 = procedure(fees=[100_000])
    only_these_procedures(k1)
    d = carrying(kit.dossier(DAY), procedure=k1, fees=[amount for amount, _ in paid])
    assert fact(d).fee_obligation and not fact(d).paid_online

    for fee, (_, via) in zip(DossierFee.objects.filter(dossier=d).order_by("pk"), paid, strict=True):
        if via:
            fee.paid_at, fee.paid_via = at("2026-03-06 10:00"), via
            fee.save()

    assert fact(d).paid_online is online
    assert figures("3.6") == (
        (1, 1, Decimal("100.00"), Decimal("6.00")) if online else (0, 1, Decimal("0.00"), Decimal("0.00"))
    )


# --- 4.4: reused components (R-30) ---------------------------------------------------------------


def test_r30_a_component_copied_from_the_applicants_store_counts_for_4_4():
    """Four dossiers received in March: a submitted component reused, a supplement reused, a result
    copied from the store (not a component the applicant gave: not counted) and a plain upload →
    4.4 = 2 / 4 = 50.00 %; full marks from 80 %: 2 × 50 / 80 = 1.25."""
    kit = IndexKit.start()
    owner = user("congdan1")
    reused = carrying(kit.dossier(DAY))
    supplemented = carrying(kit.dossier(DAY))
    result_only = carrying(kit.dossier(DAY))
    plain = carrying(kit.dossier(DAY), kinds=[DocumentKind.SUBMITTED])
    for d, kind in (
        (reused, DocumentKind.SUBMITTED),
        (supplemented, DocumentKind.SUPPLEMENT),
        (result_only, DocumentKind.RESULT),
    ):
        copy = copy_for_reuse(doc(DocumentKind.SUBMITTED), kind=kind, reused_by=owner)
        DossierDocument.objects.create(dossier=d, document=copy, attached_at=DAY)
        d.save()  # as reception or the supplement's hand-in does

    assert figures("4.4") == (2, 4, Decimal("50.00"), Decimal("1.25"))
    indicator = index_of(JUSTICE).score("4.4").indicator
    unit = Unit.objects.get(code=JUSTICE).pk
    assert set(dossiers_behind(indicator, unit, MARCH, part="numerator")) == {reused, supplemented}
    assert set(dossiers_behind(indicator, unit, MARCH, part="shortfall")) == {result_only, plain}


# --- 5.4: ratings and PAKN about a dossier (R-31, R-32) --------------------------------------------


def finished_of_congdan1(when: str) -> Dossier:
    """An online notary dossier of congdan1 received at `when` and handed back the next day, long
    before its appointment (on time for 2.1 and 5.4)."""
    d = submit("1.019901", actor="congdan1", applicant=OWN_IDENTITY, now=at(when))
    d = act(d, "receive", "chuyenvien.sotuphap", now=at(when))
    d = Dossier.objects.get(pk=d.pk)
    d.state = State.RETURNED
    d.finished_at = d.returned_at = d.received_at + (at("2026-03-03 08:00") - at("2026-03-02 08:00"))
    d.save()
    return d


def test_r32_a_not_satisfied_rating_takes_the_dossier_out_of_5_4():
    """Two dossiers on time: 5.4 = 2 / 2 → 6.00. Rated "satisfied" then "not satisfied": 1 / 2 =
    50.00 %; full marks from 90 %: 6 × 50 / 90 = 3.33."""
    liked = finished_of_congdan1("2026-03-02 08:00")
    disliked = finished_of_congdan1("2026-03-02 08:10")
    assert figures("5.4") == (2, 2, Decimal("100.00"), Decimal("6.00"))

    feedback.rate_dossier(liked.code, True, actor=user("congdan1"), now=at("2026-03-04 08:00"))
    feedback.rate_dossier(disliked.code, False, actor=user("congdan1"), now=at("2026-03-04 08:00"))

    assert figures("5.4") == (1, 2, Decimal("50.00"), Decimal("3.33"))
    assert fact(disliked).complained and not fact(liked).complained


def test_r31_a_petition_about_a_dossier_takes_it_out_of_5_4_unless_it_is_not_one():
    """A PAKN about one of two dossiers on time: 5.4 = 1 / 2 → 3.33. Classified "not a PAKN" by
    the officer: it no longer counts, 2 / 2 → 6.00."""
    quiet = finished_of_congdan1("2026-03-02 08:00")
    complained = finished_of_congdan1("2026-03-02 08:10")
    assert figures("5.4") == (2, 2, Decimal("100.00"), Decimal("6.00"))

    p = petition("2026-03-04 08:00", dossier=complained.code, by="congdan1")
    assert figures("5.4") == (1, 2, Decimal("50.00"), Decimal("3.33"))
    assert fact(complained).complained and not fact(quiet).complained

    feedback.classify(p, Classification.NOT_PETITION, actor=user(OFFICER), now=at("2026-03-04 09:00"))
    assert figures("5.4") == (2, 2, Decimal("100.00"), Decimal("6.00"))


# --- 5.1–5.3: PAKN handled by a unit (R-31) --------------------------------------------------------


def test_r31_petition_figures_feed_5_1_to_5_3_of_the_unit_and_the_province():
    """No PAKN: 5.2 and 5.3 are 0 / 0 and score full (6.00 each, the portal's rule). Then, to Sở
    Tư pháp in March: one classified the next day, answered and published in time and rated
    satisfied; one never handled, whose answer deadline (15 working days) passed on 23/03.
    5.2 = 1 / 2 = 50.00 % → 3.00; 5.1 and 5.3 are what motcua.feedback counts for the unit, and the
    province counts its departments' PAKN."""
    assert figures("5.2") == (0, 0, Decimal("0.00"), Decimal("6.00"))
    assert figures("5.3") == (0, 0, Decimal("0.00"), Decimal("6.00"))

    handled = petition("2026-03-02 08:00", procedure="1.019901", by="congdan1")
    feedback.classify(handled, Classification.RULES, actor=user(OFFICER), now=at("2026-03-03 08:00"))
    feedback.answer(handled, "Trả lời.", actor=user(OFFICER), now=at("2026-03-10 08:00"))
    feedback.publish(handled, actor=user("lanhdao.sotuphap"), now=at("2026-03-11 08:00"))
    feedback.rate_answer(handled, True, actor=user("congdan1"), now=at("2026-03-11 09:00"))
    petition("2026-03-02 08:00", procedure="1.019901")

    assert figures("5.2") == (1, 2, Decimal("50.00"), Decimal("3.00"))
    justice = Unit.objects.get(code=JUSTICE).pk
    start, end = MARCH.bounds()
    counted = petition_figures(set(unit_tree().subtree(justice)), start, end)
    for code, measure in (("5.1", "petition_classification"), ("5.3", "petition_satisfaction")):
        assert figures(code)[:2] == counted[measure] != (0, 0)
    assert figures("5.1")[3] == Decimal("0.00")  # tracked only
    province = Unit.objects.get(code=PROVINCE).pk
    everywhere = petition_figures(set(unit_tree().subtree(province)), start, end)
    assert figures("5.2", PROVINCE)[:2] == everywhere["petition_on_time"] != (0, 0)


def test_r31_another_units_petitions_do_not_count():
    """A PAKN to the provincial office (no dossier, no procedure) is not Sở Tư pháp's: 0 / 0 → full."""
    petition("2026-03-02 08:00")
    assert figures("5.2") == (0, 0, Decimal("0.00"), Decimal("6.00"))


def test_r31_the_index_of_every_unit_asks_for_petitions_only_where_there_are_some():
    """The index of every unit reads which units hold PAKN once; only Sở Tư pháp and the units
    above it (their sub-trees hold its PAKN) then ask motcua.feedback for their figures."""
    tree = unit_tree()
    compute(MARCH, tree=tree)  # the facts refreshed once

    def petition_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            compute(MARCH, tree=tree, refresh=False)
        return sum("feedback_petition" in q["sql"] for q in captured.captured_queries)

    assert petition_queries() == 1
    petition("2026-03-02 08:00", procedure="1.019901")
    chain, node = 0, Unit.objects.get(code=JUSTICE).pk
    while node is not None:
        chain, node = chain + 1, tree.nodes[node].parent_id
    start, end = MARCH.bounds()
    with CaptureQueriesContext(connection) as one_unit:
        petition_figures({Unit.objects.get(code=JUSTICE).pk}, start, end)
    assert 1 < petition_queries() <= 1 + chain * len(one_unit.captured_queries)
