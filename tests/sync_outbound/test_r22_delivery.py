"""R-22: every status change reaches the national portal exactly once, in each dossier's order, over
real HTTP to the simulator (both protocol generations), whatever the portal does meanwhile:
outage, lost acknowledgements, "already exists", a refused dossier.

What was applied is counted on the simulator's side (`state()`): per dossier the progress rows in
the order applied, each with its MaBanTin (our message id) and SoThuTu (the event's sequence);
`duplicates` (acknowledged, not applied again) and `out_of_order` across the portal.
"""

import pytest
from django.contrib.auth import get_user_model

from motcua.dossiers.models import Dossier
from motcua.dossiers.outbox import national_code
from motcua.dossiers.states import national_status
from motcua.integrations.dvcqg.base import Outcome, Verdict
from motcua.sync import delivery
from motcua.sync.models import DeadLetter, NationalRecord
from motcua.sync.payload import dossier_records
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import at, forward_to, notary_processing, submit
from tests.sync_outbound.kit import (
    FAST_SYNC,
    applied_rows,
    drain_until_empty,
    expected_ids,
    national_messages,
    notary_history,
)

BOTH = pytest.mark.parametrize("national_portal", ["rest", "service"], indirect=True)


@pytest.fixture(autouse=True)
def fast_backoff(settings):
    settings.MOTCUA_SYNC = FAST_SYNC


def assert_delivered_once_in_order(state: dict, dossiers: list[Dossier]) -> None:
    """Each dossier's rows applied once each, in the order of its messages, with rising SoThuTu;
    its record on the portal shows its status now."""
    for d in dossiers:
        rows = applied_rows(state, d)
        assert [r["MaBanTin"] for r in rows] == expected_ids(d), d.code
        seqs = [r["SoThuTu"] for r in rows]
        assert seqs == sorted(set(seqs)), d.code
        record = state["dossiers"][national_code(d)]["record"]
        assert record["TrangThaiHoSo"] == str(national_status(Dossier.objects.get(pk=d.pk)))
    assert state["out_of_order"] == 0
    assert not national_messages().filter(delivered_at__isnull=True).exists()


@BOTH
def test_r22_burst_during_outage_then_recovery_delivers_every_message_once_in_order(national_portal):
    national_portal.control(outage=True)
    dossiers = [notary_history(2 + 3 * n, returned=n % 2 == 0) for n in range(4)]
    messages = national_messages().count()
    assert messages >= 4 * 8

    during = delivery.drain(worker_id="w1")
    assert during.delivered == 0 and during.dead == 0 and during.retried > 0
    waiting = national_messages().filter(delivered_at__isnull=True)
    assert waiting.count() == messages
    # An outage is nobody's fault: messages wait (back-off), none is parked, none stays leased.
    assert not waiting.filter(dead_at__isnull=False).exists()
    assert not waiting.exclude(claimed_by="").exists()
    assert waiting.filter(attempts__gte=1).exists()
    assert national_portal.state()["applied"] == 0

    national_portal.control(outage=False)
    drain_until_empty(worker_id="w2")

    state = national_portal.state()
    assert_delivered_once_in_order(state, dossiers)
    assert sum(len(applied_rows(state, d)) for d in dossiers) == messages
    assert state["duplicates"] == 0
    for d in dossiers:
        kept = NationalRecord.objects.get(dossier=d)
        assert kept.added_at is not None and kept.last_status == national_status(d)
        assert kept.last_message_id == national_messages(d).last().message_id


@BOTH
def test_r22_lost_acknowledgements_are_resent_but_never_applied_twice(national_portal, settings):
    # Parking after too many failures has its own test; here every message must get through.
    settings.MOTCUA_SYNC = {**FAST_SYNC, "max_attempts": 1000}
    dossiers = [notary_history(2 + 3 * n) for n in range(3)]
    messages = national_messages().count()
    national_portal.control(lost_ack_rate=0.4)

    drain_until_empty(worker_id="w1", progress_chunk=3)

    state = national_portal.state()
    assert state["duplicates"] > 0  # the portal applied, the answer was lost, we sent again
    assert_delivered_once_in_order(state, dossiers)
    assert sum(len(applied_rows(state, d)) for d in dossiers) == messages


@BOTH
def test_r22_already_exists_is_answered_by_an_update(national_portal):
    d = notary_history(2)
    # The portal has the dossier already (an earlier system synced it); the province does not know.
    records = dossier_records([d])
    assert national_portal.adapter().add_dossiers([records[d.pk]]).ok
    assert not NationalRecord.objects.filter(dossier=d).exists()

    drain_until_empty(worker_id="w1")

    state = national_portal.state()
    assert_delivered_once_in_order(state, [d])
    assert NationalRecord.objects.get(dossier=d).added_at is not None


def test_r22_an_update_the_portal_does_not_know_is_sent_as_an_add(national_portal):
    d = notary_processing(at("2026-03-02 08:00"), channel="online")
    drain_until_empty(worker_id="w1")
    assert NationalRecord.objects.get(dossier=d).added_at is not None
    national_portal.reset()  # the portal lost everything (e.g. restored from an old backup)
    d = forward_to(d, 3, now=at("2026-03-03 08:00"))

    drain_until_empty(worker_id="w1")

    state = national_portal.state()
    assert state["dossiers"][d.code]["record"]["TrangThaiHoSo"] == str(national_status(d))
    assert [r["MaBanTin"] for r in applied_rows(state, d)] == expected_ids(d)[-1:]


@BOTH
def test_r22_a_refused_dossier_is_parked_the_others_delivered_and_resent_after_the_fix(national_portal):
    good = notary_history(2)
    bad = notary_history(5)
    other = notary_history(8)
    national_portal.control(refuse_codes=[bad.code])

    drain_until_empty(worker_id="w1")

    state = national_portal.state()
    assert_delivered_once_in_order_except(state, [good, other])
    parked = list(DeadLetter.objects.filter(dossier=bad))
    assert len(parked) == 1  # its first message; the later ones wait behind it
    assert parked[0].pk == national_messages(bad).first().pk
    assert "MaHoSo không hợp lệ" in parked[0].last_error
    assert national_messages(bad).filter(delivered_at__isnull=True).count() == national_messages(bad).count()
    assert bad.code not in state["dossiers"] or not applied_rows(state, bad)

    national_portal.control(refuse_codes=[])
    officer = get_user_model().objects.get(username="chuyenvien.sotuphap")
    assert delivery.resend_dead_letters([parked[0].pk], actor=officer) == 1
    assert "Gửi lại theo yêu cầu" in national_messages(bad).first().last_error
    drain_until_empty(worker_id="w2")

    state = national_portal.state()
    assert_delivered_once_in_order(state, [good, bad, other])
    assert not DeadLetter.objects.exists()


def assert_delivered_once_in_order_except(state: dict, dossiers: list[Dossier]) -> None:
    for d in dossiers:
        assert [r["MaBanTin"] for r in applied_rows(state, d)] == expected_ids(d), d.code
    assert state["out_of_order"] == 0


def test_r22_records_go_in_one_array_and_progress_rows_in_chunks_of_ten(national_portal):
    dossiers = [notary_history(2, returned=True), notary_history(6)]
    rows = national_messages().count()
    assert rows > 10
    before = national_portal.state()["requests"]

    result = delivery.deliver_ready(worker_id="w1")

    assert result.delivered == rows and result.added == 2
    # One add carrying both records, then the rows ten at a time (REGULATIONS §6.1).
    assert result.calls == 1 + -(-rows // 10)
    assert national_portal.state()["requests"] - before == result.calls + 1  # + the token
    assert_delivered_once_in_order(national_portal.state(), dossiers)


def test_r22_an_outage_never_parks_a_message_however_often_it_is_tried(national_portal, settings):
    settings.MOTCUA_SYNC = {**FAST_SYNC, "max_attempts": 3}
    d = notary_processing(at("2026-03-02 08:00"), channel="online")
    national_portal.control(outage=True)
    for _ in range(6):
        delivery.drain(worker_id="w1")
        national_messages().update(available_at=None)  # the back-off waited out
    head = national_messages(d).first()
    # Its attempts grew while the back-off grew, then stopped short of the limit.
    assert head.attempts == 2 and head.dead_at is None and not DeadLetter.objects.exists()

    national_portal.control(outage=False)
    drain_until_empty(worker_id="w1")
    assert [r["MaBanTin"] for r in applied_rows(national_portal.state(), d)] == expected_ids(d)


class ChokesOn:
    """The simulator's adapter, except that a call carrying dossier `code` is answered with a 500,
    as a portal answers a record it cannot process. (The simulator's `error_rate` fails calls at
    random, whatever they carry; a record the portal chokes on every time is what `max_attempts`
    is for.)"""

    def __init__(self, portal, code: str):
        self.portal, self.code, self.protocol = portal, code, portal.protocol

    def _call(self, method, items):
        if any(item.get("MaHoSo") == self.code for item in items):
            return Outcome(Verdict.RETRY, "500", "Lỗi hệ thống, vui lòng thử lại sau")
        return method(items)

    def add_dossiers(self, records):
        return self._call(self.portal.add_dossiers, records)

    def update_dossiers(self, records):
        return self._call(self.portal.update_dossiers, records)

    def push_progress(self, rows):
        return self._call(self.portal.push_progress, rows)


def test_r22_a_message_failing_while_the_portal_answers_others_is_parked_after_max_attempts(
    national_portal, settings
):
    settings.MOTCUA_SYNC = {**FAST_SYNC, "max_attempts": 3}
    good = notary_processing(at("2026-03-02 08:00"), channel="online")
    drain_until_empty(worker_id="w1")  # the portal has it: its next records go as updates
    poison = notary_processing(at("2026-03-03 08:00"), channel="online")
    portal = ChokesOn(national_portal.adapter(), poison.code)
    for order in (3, 4, 5):  # each round, the good dossier moves on and is delivered
        forward_to(good, order, now=at("2026-03-04 08:00"))
        result = delivery.deliver_ready(portal=portal, worker_id="w1")
        assert result.delivered == 1
        national_messages().update(available_at=None)  # the back-off waited out
    head = national_messages(poison).first()
    assert head.dead_at is not None and head.attempts == 3
    assert "Gửi 3 lần không thành công" in head.last_error and "[500]" in head.last_error
    later = national_messages(poison).exclude(pk=head.pk)
    assert later.exists() and not later.filter(dead_at__isnull=False).exists()
    assert [r["MaBanTin"] for r in applied_rows(national_portal.state(), good)] == expected_ids(good)


def test_r22_nothing_is_sent_or_lost_without_a_portal(settings):
    settings.MOTCUA_INTEGRATIONS = {"dvcqg": {"base_url": ""}}
    submit("1.019901", now=at("2026-03-02 08:00"))
    result = delivery.deliver_ready(worker_id="w1")
    assert result.idle
    assert national_messages().filter(delivered_at__isnull=True, claimed_by="").count() == 1
