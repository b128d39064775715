"""The figures the 766 index reads for group 5 (REGULATIONS §1.3, indicators 5.1–5.4)."""

from motcua.dossiers.states import State
from motcua.feedback import services
from motcua.feedback.models import Classification
from motcua.feedback.selectors import petition_figures, unhappy_dossier_ids
from motcua.org.models import Unit
from tests.dossiers.kit import JUSTICE, NOTARY, at, user
from tests.feedback.kit import LEADER, OFFICER, dossier_of, petition

MARCH = (at("2026-03-01 00:00"), at("2026-04-01 00:00"))


def _handle(p, classified: str, answered: str, published: str | None, *, rating: bool | None = None):
    services.classify(p, Classification.RULES, actor=user(OFFICER), now=at(classified))
    services.answer(p, "Trả lời.", actor=user(OFFICER), now=at(answered))
    if published:
        services.publish(p, actor=user(LEADER), now=at(published))
    if rating is not None:
        services.rate_answer(p, rating, actor=user("congdan1"), now=at(published))


def test_r31_petition_figures_on_hand_built_data():
    justice = Unit.objects.get(code=JUSTICE)
    # 1: all in time, rated satisfied.
    a = petition("2026-03-02 08:00", procedure=NOTARY, by="congdan1")
    _handle(a, "2026-03-03 08:00", "2026-03-10 08:00", "2026-03-11 08:00", rating=True)
    # 2: classified late (after 2 working days), answered in time, published late, rated unhappy.
    b = petition("2026-03-02 08:00", procedure=NOTARY, by="congdan1")
    _handle(b, "2026-03-06 08:00", "2026-03-10 08:00", "2026-03-16 08:00", rating=False)
    # 3: never handled: its answer deadline (15 working days, 23/03) passed in the period.
    petition("2026-03-02 08:00", procedure=NOTARY)
    # 4: received late in March, answer due in April: counted as received, not as due.
    petition("2026-03-30 08:00", procedure=NOTARY)
    # Another unit's PAKN does not count.
    petition("2026-03-02 08:00")
    figures = petition_figures({justice.pk}, *MARCH)
    assert figures["petition_classification"] == (1, 4)
    # REGULATIONS §1.3 5.2/5.3: over the PAKN received in the period; 5.3 = received − unhappy − late.
    assert figures["petition_on_time"] == (2, 4)  # 1 and 4
    assert figures["petition_satisfaction"] == (2, 4)  # 2 is late and unhappy, 3 is late


def test_r31_no_petition_gives_empty_figures():
    justice = Unit.objects.get(code=JUSTICE)
    assert petition_figures({justice.pk}, *MARCH) == {
        "petition_classification": (0, 0),
        "petition_on_time": (0, 0),
        "petition_satisfaction": (0, 0),
    }


def test_r32_unhappy_dossiers_are_disliked_or_complained_about():
    liked = dossier_of("congdan1", "2026-03-02 08:00", State.RETURNED)
    disliked = dossier_of("congdan1", "2026-03-02 08:05", State.RETURNED)
    complained = dossier_of("congdan1", "2026-03-02 08:10", State.PROCESSING)
    not_a_petition = dossier_of("congdan1", "2026-03-02 08:15", State.PROCESSING)
    quiet = dossier_of("congdan1", "2026-03-02 08:20", State.PROCESSING)
    services.rate_dossier(liked.code, True, actor=user("congdan1"))
    services.rate_dossier(disliked.code, False, actor=user("congdan1"))
    petition("2026-03-03 08:00", dossier=complained.code)
    p = petition("2026-03-03 08:00", dossier=not_a_petition.code)
    services.refuse(p, "Không phải phản ánh.", actor=user(OFFICER), now=at("2026-03-03 09:00"))
    ids = [d.pk for d in (liked, disliked, complained, not_a_petition, quiet)]
    assert unhappy_dossier_ids(ids) == {disliked.pk, complained.pk}
    assert unhappy_dossier_ids([]) == set()
