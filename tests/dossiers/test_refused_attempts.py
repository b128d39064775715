"""R-19 → R-21: an in-person submission of an internal procedure that must be submitted online is
refused (nothing written), and the refusal is recorded — once, after the refused transaction, in
its own — so that the provincial office can count the attempts refused."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from motcua.catalog.models import Channel, Procedure
from motcua.core.errors import PermissionDenied, RuleViolation
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers import selectors, services
from motcua.dossiers.context import ActionInput
from motcua.dossiers.guards import refuse_internal_offline
from motcua.dossiers.models import (
    Dossier,
    DossierCounter,
    DossierEvent,
    OutboxMessage,
    RefusedAttempt,
)
from motcua.dossiers.services import ApplicantInput, SubmissionInput, Upload
from motcua.org.models import Applicant, Counter, Unit
from tests.dossiers.kit import (
    CENTRE,
    CITIZEN,
    HOME_AFFAIRS,
    INTERNAL_ONLINE,
    NOTARY,
    ON_THE_SPOT,
    at,
    submit,
    user,
)

INTERNAL_PARTIAL = "1.019913"  # internal, partial online service, Sở Nội vụ (R-19 too)

# A state body applying for the internal procedure "Cử cán bộ đi công tác nước ngoài" (1.019912).
STATE_BODY = {
    "kind": "state_body",
    "identifier": "000.00.63.H19",
    "unit": "000.00.63.H19",
    "name": "Ủy ban nhân dân phường Long Khánh",
}
STATE_BODY_INPUT = ApplicantInput(
    kind="state_body", identifier="000.00.63.H19", name="Ủy ban nhân dân phường Long Khánh"
)


def r19_refusal() -> RuleViolation:
    """The refusal R-19 gives at the counter, as the guard words it."""
    with pytest.raises(RuleViolation) as exc:
        refuse_internal_offline(Procedure.objects.get(code=INTERNAL_ONLINE), Channel.COUNTER)
    return exc.value


def written() -> dict:
    """Everything a submission could leave behind."""
    return {
        "dossiers": Dossier.objects.count(),
        "events": DossierEvent.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "applicants": Applicant.objects.count(),
        "documents": Document.objects.count(),
        "code counters": sorted(DossierCounter.objects.values_list("unit_id", "day", "last")),
    }


def api_client(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user(username))
    return client


def test_r19_refused_counter_submission_is_recorded_and_changes_nothing_else():
    """Through the API (channel counter, the Centre's counter 3): the client gets R-19's 422 as
    before; one attempt is kept, at the officer's counter; no dossier, no code number, no event,
    no outbox message, no applicant record."""
    before = written()
    response = api_client("tiepnhan.tinh3").post(
        "/api/v1/dossiers",
        {"procedure": INTERNAL_ONLINE, "channel": "counter", "applicant": STATE_BODY},
        format="json",
        headers={"Idempotency-Key": "r19-quay-3"},
    )

    refusal = r19_refusal()
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "rule_violation",
            "message": refusal.message,
            "rule": "R-19",
            "details": {"channel": refusal.message},
        }
    }
    assert "phải nộp trực tuyến" in refusal.message
    assert written() == before

    attempt = RefusedAttempt.objects.get()
    centre = Unit.objects.get(code=CENTRE)
    assert attempt.procedure.code == INTERNAL_ONLINE
    assert attempt.unit == centre
    assert attempt.counter == Counter.objects.get(centre=centre, number=3)
    assert attempt.channel == Channel.COUNTER
    assert attempt.actor == user("tiepnhan.tinh3") and attempt.actor_name == "Vũ Thanh Yến"
    assert (attempt.rule, attempt.reason) == ("R-19", refusal.message)
    assert attempt.applicant_identifier == "000.00.63.H19"  # typed in the request


def test_r19_refused_submission_takes_no_code_number():
    """The unit's gap-free sequence (REGULATIONS §3.3) is untouched: the next dossier entered at
    the Centre that day takes the number right after the last one issued before the refusal."""
    now = at("2026-03-02 08:00")
    centre = Unit.objects.get(code=CENTRE)
    issued = (
        DossierCounter.objects.filter(unit=centre, day=datetime.date(2026, 3, 2))
        .values_list("last", flat=True)
        .first()
        or 0
    )
    data = SubmissionInput(procedure_code=INTERNAL_ONLINE, channel="counter", applicant=STATE_BODY_INPUT)
    with pytest.raises(RuleViolation) as exc:
        services.submit_or_replay(data, actor=user("tiepnhan.tinh3"), now=now)
    assert exc.value.rule == "R-19"

    following = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=now)
    assert following.code == f"{CENTRE}-260302-{issued + 1:04d}"
    assert RefusedAttempt.objects.get().at == now


def test_r19_refused_postal_submission_is_recorded_with_its_channel():
    """By post, at a department's own one-stop counter (Sở Nội vụ: a unit, no numbered counter)."""
    data = SubmissionInput(procedure_code=INTERNAL_ONLINE, channel="postal", applicant=STATE_BODY_INPUT)
    with pytest.raises(RuleViolation) as exc:
        services.submit_or_replay(data, actor=user("chuyenvien.sonoivu"), now=at("2026-03-02 09:30"))
    assert exc.value.rule == "R-19"
    attempt = RefusedAttempt.objects.get()
    assert (attempt.unit.code, attempt.counter, attempt.channel) == (HOME_AFFAIRS, None, Channel.POSTAL)


def test_r19_refused_counter_sitting_is_recorded_after_its_transaction_rolled_back():
    """At the counter the submission, its scans and the decision are one transaction: R-19 rolls it
    back (the scan stored in it is gone too) and the attempt is still recorded, once."""
    before = written()
    data = SubmissionInput(procedure_code=INTERNAL_ONLINE, channel="counter", applicant=STATE_BODY_INPUT)
    scan = Upload(name="cong-van.pdf", content=b"%PDF-1.4\n% scan\n", kind=DocumentKind.SUBMITTED)
    with pytest.raises(RuleViolation) as exc:
        services.receive_at_counter(
            data,
            "receive",
            ActionInput(version=0),
            actor=user("tiepnhan.tinh3"),
            uploads=[scan],
            now=at("2026-03-02 10:00"),
        )
    assert exc.value.rule == "R-19"
    assert written() == before
    assert RefusedAttempt.objects.count() == 1


def test_r21_other_refusals_and_online_submissions_record_nothing():
    """Only R-19's in-person refusals count: an applicant's own call naming the counter channel
    (no counter: no in-person attempt; R-19 still answers), another rule's refusal, a success."""
    citizen = api_client("congdan1")
    refused = citizen.post(
        "/api/v1/dossiers",
        {"procedure": INTERNAL_ONLINE, "channel": "counter", "applicant": STATE_BODY},
        format="json",
    )
    assert refused.status_code == 422 and refused.json()["error"]["rule"] == "R-19"

    no_online = SubmissionInput(procedure_code=ON_THE_SPOT, channel="online", applicant=CITIZEN)
    with pytest.raises(RuleViolation) as exc:
        services.submit_or_replay(no_online, actor=user("congdan1"), now=at("2026-03-02 08:00"))
    assert exc.value.rule == "R-28"
    other_counter = SubmissionInput(procedure_code=NOTARY, channel="counter", applicant=CITIZEN)
    with pytest.raises(PermissionDenied):  # not this counter's procedure
        services.submit_or_replay(other_counter, actor=user("tiepnhan.tranbien"), now=at("2026-03-02 08:00"))
    submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 08:00"))

    assert not RefusedAttempt.objects.exists()


def test_r21_attempt_is_never_written_inside_a_transaction_that_could_roll_it_back():
    """Its own transaction: called inside another one, recording refuses rather than be lost with it."""
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record_refused_attempt(
            Procedure.objects.get(code=INTERNAL_ONLINE),
            r19_refusal(),
            channel=Channel.COUNTER,
            actor=user("tiepnhan.tinh3"),
        )
    assert not RefusedAttempt.objects.exists()


def test_r21_selector_returns_the_units_attempts_in_the_half_open_period():
    procedure, refusal = Procedure.objects.get(code=INTERNAL_ONLINE), r19_refusal()

    def record(username: str, when: datetime.datetime) -> RefusedAttempt:
        attempt = services.record_refused_attempt(
            procedure, refusal, channel=Channel.COUNTER, actor=user(username), now=when
        )
        assert attempt is not None
        return attempt

    start, end = at("2026-04-01 00:00"), at("2026-07-01 00:00")
    first = record("tiepnhan.tinh3", start)  # the first instant of the period counts
    last = record("tiepnhan.tinh", at("2026-06-30 23:59"))
    record("tiepnhan.tinh3", end)  # the first instant of the next period does not
    record("tiepnhan.tinh3", at("2026-03-31 23:59"))
    record("chuyenvien.sonoivu", at("2026-05-04 08:00"))  # another unit (Sở Nội vụ)

    centre, home_affairs = Unit.objects.get(code=CENTRE), Unit.objects.get(code=HOME_AFFAIRS)
    assert list(selectors.refused_attempts([centre.pk], start, end)) == [last, first]
    assert selectors.refused_attempts([centre.pk, home_affairs.pk], start, end).count() == 3
    assert not selectors.refused_attempts([], start, end).exists()


def test_r21_admin_lists_refused_attempts_read_only(client):
    refusal = r19_refusal()
    services.record_refused_attempt(
        Procedure.objects.get(code=INTERNAL_ONLINE),
        refusal,
        channel=Channel.COUNTER,
        actor=user("tiepnhan.tinh3"),
        now=at("2026-03-02 08:05"),
    )
    # Another internal procedure with an online service, at Sở Nội vụ's own one-stop counter: two
    # units and two procedures, so that both filters have something to choose.
    services.record_counter_refusal(
        INTERNAL_PARTIAL, actor=user("chuyenvien.sonoivu"), now=at("2026-03-02 09:10")
    )
    client.force_login(user("quantri"))
    url = reverse("admin:dossiers_refusedattempt_changelist")
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert INTERNAL_ONLINE in text and "02/03/2026 08:05" in text and "Vũ Thanh Yến" in text
    assert INTERNAL_PARTIAL in text and "02/03/2026 09:10" in text
    for label in ("Bởi đơn vị tiếp nhận", "Bởi thủ tục", "Bởi thời điểm"):
        assert label in text
    assert client.get(url, {"channel__exact": "postal"}).status_code == 200
    other_day = client.get(url, {"at__year": "2026", "at__month": "3", "at__day": "3"}).content.decode()
    # Rows are told apart by their time (the filters list every procedure and unit, whatever is shown).
    assert "02/03/2026 08:05" not in other_day and "02/03/2026 09:10" not in other_day
    home_affairs = Unit.objects.get(code=HOME_AFFAIRS)
    by_unit = client.get(url, {"unit__id__exact": home_affairs.pk}).content.decode()
    assert "02/03/2026 09:10" in by_unit and "02/03/2026 08:05" not in by_unit
    attempt = RefusedAttempt.objects.get(procedure__code=INTERNAL_ONLINE)
    detail = client.get(reverse("admin:dossiers_refusedattempt_change", args=[attempt.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:dossiers_refusedattempt_add")).status_code == 403
    assert client.post(reverse("admin:dossiers_refusedattempt_delete", args=[attempt.pk])).status_code == 403
    assert RefusedAttempt.objects.count() == 2
