"""Dossier codes under concurrent submitters (issue 3: "gap-free and never duplicated under
concurrent submissions — prove it with parallel submitters on PostgreSQL").

Every test starts real threads, each with its own database connection, all calling
`services.submit` at once. On PostgreSQL they really run in parallel and meet on the counter row
lock (`codes.next_code`); on SQLite the writers serialise (IMMEDIATE transactions, 20 s busy
timeout), and the same assertions must hold. The tests need committed data visible to every
connection, hence `transaction=True`; the database is flushed after each test.
"""

import datetime
import threading
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from motcua.calendar.units import DurationUnit
from motcua.catalog.models import CaseDuration, Channel, Field, OnlineLevel, Procedure, ProcedureCase
from motcua.catalog.services import add_reception_point
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierCounter, DossierEvent, OutboxMessage
from motcua.org.models import Applicant, ApplicantKind, Role, Unit, UnitKind, UnitLevel
from motcua.org.services import grant_role

# Transactional: real parallel connections. The seeded calendar is put back after the module.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keep_seeded_data")]

THREADS = 8
PER_THREAD = 25
JOIN_TIMEOUT = 180  # seconds; SQLite serialises 200 transactions, a slow machine may need a while

UNIT_A = "000.00.61.H19"  # Phường Trấn Biên (as in the demo)
UNIT_B = "000.00.62.H19"  # Phường Biên Hòa
PROCEDURE = "1.001193"  # Đăng ký khai sinh, a commune procedure with an online service

# Working-hour mornings, Asia/Ho_Chi_Minh: the code's date part is the receiving unit's local day.
DAY_1 = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
DAY_2 = timezone.make_aware(datetime.datetime(2026, 3, 3, 9, 0))
# 00:30 local on DAY_2 is still DAY_1 in UTC: the unit's local day, not the UTC one, must count.
DAY_2_EARLY = timezone.make_aware(datetime.datetime(2026, 3, 3, 0, 30))


@dataclass
class Catalogue:
    procedure: Procedure
    units: dict[str, Unit]


@pytest.fixture
def catalogue(transactional_db) -> Catalogue:
    """Two communes receiving one online procedure — the least `submit` needs, built with the ORM
    and the catalogue service (much faster than loading the demo before every flushed test)."""
    province = Unit.objects.create(
        code="000.00.00.H19",
        name="Ủy ban nhân dân tỉnh Đồng Nai",
        kind=UnitKind.PEOPLES_COMMITTEE,
        level=UnitLevel.PROVINCE,
    )
    units = {
        code: Unit.objects.create(
            code=code, name=name, kind=UnitKind.COMMUNE, level=UnitLevel.COMMUNE, parent=province
        )
        for code, name in (
            (UNIT_A, "Ủy ban nhân dân phường Trấn Biên"),
            (UNIT_B, "Ủy ban nhân dân phường Biên Hòa"),
        )
    }
    civil_status, _ = Field.objects.get_or_create(code="HOTICH", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(
        code=PROCEDURE, name="Đăng ký khai sinh", field=civil_status, online_level=OnlineLevel.PARTIAL
    )
    case = ProcedureCase.objects.create(procedure=procedure, code="TH1", name="Trường hợp chung")
    CaseDuration.objects.create(
        case=case, channel=Channel.ONLINE, value=Decimal("8"), unit=DurationUnit.WORKING_HOURS
    )
    for unit in units.values():
        add_reception_point(procedure, channel=Channel.ONLINE, unit=unit)
    return Catalogue(procedure=procedure, units=units)


@pytest.fixture
def citizens(transactional_db) -> list:
    """One signed-up citizen per thread, each account linked to its verified identity (R-26: an
    online dossier is the account's own applicant's, issue 8 item 3)."""
    user_model = get_user_model()
    users = [user_model.objects.create_user(f"congdan{i}", password=None) for i in range(THREADS)]
    for i, user in enumerate(users):
        identity = submission(i).applicant
        Applicant.objects.create(
            user=user, kind=identity.kind, identifier=identity.identifier, name=identity.name
        )
    return users


def submission(applicant_no: int, unit_code: str = UNIT_A) -> services.SubmissionInput:
    return services.SubmissionInput(
        procedure_code=PROCEDURE,
        channel=Channel.ONLINE,
        unit_code=unit_code,
        applicant=services.ApplicantInput(
            kind=ApplicantKind.CITIZEN,
            identifier=f"0750880{applicant_no:05d}",
            name=f"Công dân thử {applicant_no}",
        ),
        summary="Đăng ký khai sinh cho con",
    )


@dataclass
class Outcome:
    codes: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_in_threads(work: Callable[[int], list[str]], threads: int = THREADS) -> Outcome:
    """Run `work(thread_no)` in `threads` threads released together; each thread uses (and at its
    end closes) its own connection. Returns every code the threads saw committed, and any error."""
    outcome = Outcome()
    start = threading.Barrier(threads)

    def body(thread_no: int) -> None:
        try:
            close_old_connections()
            start.wait(timeout=30)
            codes = work(thread_no)
            with outcome.lock:
                outcome.codes.extend(codes)
        except BaseException as exc:  # reported by the test, not lost in the thread
            with outcome.lock:
                outcome.errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=body, args=(n,), name=f"submitter-{n}") for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(JOIN_TIMEOUT)
    assert not any(w.is_alive() for w in workers), "submitters still running: a lock wait never ended"
    return outcome


def expected_codes(unit_code: str, day: datetime.datetime, count: int) -> list[str]:
    return [f"{unit_code}-{timezone.localdate(day):%y%m%d}-{n:04d}" for n in range(1, count + 1)]


def assert_no_errors(outcome: Outcome) -> None:
    assert not outcome.errors, f"{len(outcome.errors)} submissions failed, first: {outcome.errors[0]!r}"


def test_parallel_submitters_get_every_code_once(catalogue, citizens):
    """8 threads × 25 submissions to one unit on one day, starting with no counter row (so the
    first submitters also race to create it): codes -0001…-0200, each exactly once."""

    def work(thread_no: int) -> list[str]:
        return [
            services.submit(submission(thread_no), actor=citizens[thread_no], now=DAY_1).code
            for _ in range(PER_THREAD)
        ]

    assert not DossierCounter.objects.exists()
    outcome = run_in_threads(work)

    assert_no_errors(outcome)
    total = THREADS * PER_THREAD
    duplicates = [code for code, seen in Tally(outcome.codes).items() if seen > 1]
    assert not duplicates
    assert sorted(outcome.codes) == expected_codes(UNIT_A, DAY_1, total)
    stored = list(Dossier.objects.order_by("code").values_list("code", flat=True))
    assert stored == expected_codes(UNIT_A, DAY_1, total)
    counter = DossierCounter.objects.get()
    assert (counter.unit.code, counter.day, counter.last) == (UNIT_A, timezone.localdate(DAY_1), total)
    # Each submission wrote its whole transaction: one event, one message to the national portal.
    assert DossierEvent.objects.filter(action="submit", seq=1).count() == total
    assert OutboxMessage.objects.count() == total
    # Every thread's own codes are increasing: a number is never handed out twice or backwards.
    for thread_no in range(THREADS):
        own = list(
            Dossier.objects.filter(applicant_identifier=f"0750880{thread_no:05d}")
            .order_by("pk")
            .values_list("code", flat=True)
        )
        assert len(own) == PER_THREAD and own == sorted(own)


class Abandoned(Exception):
    """Raised after a submission, inside the caller's transaction, to roll it back."""


def test_rolled_back_submission_gives_its_number_back(catalogue, citizens):
    citizen = citizens[0]
    first = services.submit(submission(0), actor=citizen, now=DAY_1)
    with pytest.raises(Abandoned), transaction.atomic():
        abandoned = services.submit(submission(0), actor=citizen, now=DAY_1)
        assert abandoned.code.endswith("-0002")
        raise Abandoned
    again = services.submit(submission(0), actor=citizen, now=DAY_1)

    assert [first.code, again.code] == expected_codes(UNIT_A, DAY_1, 2)
    assert again.code == abandoned.code
    assert list(Dossier.objects.order_by("pk").values_list("pk", flat=True)) == [first.pk, again.pk]
    assert DossierCounter.objects.get().last == 2


def test_parallel_rollbacks_leave_no_gap(catalogue, citizens):
    """Every third submission is rolled back while the others commit around it: the committed
    codes are still exactly 1…N — no number lost, none reused."""

    def work(thread_no: int) -> list[str]:
        committed = []
        for i in range(PER_THREAD):
            if i % 3 == 1:
                try:
                    with transaction.atomic():
                        services.submit(submission(thread_no), actor=citizens[thread_no], now=DAY_1)
                        raise Abandoned
                except Abandoned:
                    continue
            committed.append(
                services.submit(submission(thread_no), actor=citizens[thread_no], now=DAY_1).code
            )
        return committed

    outcome = run_in_threads(work)

    assert_no_errors(outcome)
    committed = THREADS * len([i for i in range(PER_THREAD) if i % 3 != 1])
    assert sorted(outcome.codes) == expected_codes(UNIT_A, DAY_1, committed)
    assert Dossier.objects.count() == committed
    assert DossierCounter.objects.get().last == committed


def test_units_and_days_have_independent_sequences(catalogue, citizens):
    """Threads submit at the same time to two units on two days (some just after local midnight,
    still the previous day in UTC): each unit and local day has its own sequence 1…n."""
    plan = {
        # thread → (unit, moment)
        0: (UNIT_A, DAY_1),
        1: (UNIT_A, DAY_2_EARLY),
        2: (UNIT_A, DAY_2),
        3: (UNIT_A, DAY_2),
        4: (UNIT_B, DAY_1),
        5: (UNIT_B, DAY_1),
        6: (UNIT_B, DAY_2),
        7: (UNIT_B, DAY_2_EARLY),
    }

    def work(thread_no: int) -> list[str]:
        unit_code, moment = plan[thread_no]
        return [
            services.submit(submission(thread_no, unit_code), actor=citizens[thread_no], now=moment).code
            for _ in range(PER_THREAD)
        ]

    outcome = run_in_threads(work)

    assert_no_errors(outcome)
    per_sequence = Tally((unit, timezone.localdate(moment)) for unit, moment in plan.values())
    assert len(per_sequence) == 4
    expected = sorted(
        f"{unit}-{day:%y%m%d}-{n:04d}"
        for (unit, day), threads in per_sequence.items()
        for n in range(1, threads * PER_THREAD + 1)
    )
    assert sorted(outcome.codes) == expected
    counters = {(c.unit.code, c.day): c.last for c in DossierCounter.objects.select_related("unit")}
    assert counters == {key: threads * PER_THREAD for key, threads in per_sequence.items()}
    # The receiving unit is the one the code names.
    for dossier in Dossier.objects.select_related("receiving_unit"):
        assert dossier.code.startswith(f"{dossier.receiving_unit.code}-")


@pytest.fixture
def counter_clerks(catalogue, transactional_db) -> list:
    """One counter officer of UNIT_A per thread, at the unit's counter reception point (R-01)."""
    procedure, unit = catalogue.procedure, catalogue.units[UNIT_A]
    case = procedure.cases.get()
    CaseDuration.objects.create(
        case=case, channel=Channel.COUNTER, value=Decimal("8"), unit=DurationUnit.WORKING_HOURS
    )
    add_reception_point(procedure, channel=Channel.COUNTER, unit=unit)
    user_model = get_user_model()
    clerks = [user_model.objects.create_user(f"tiepnhan{i}", password=None) for i in range(THREADS)]
    for clerk in clerks:
        grant_role(clerk, unit, Role.COUNTER_OFFICER)
    return clerks


def test_first_submissions_of_one_new_applicant_in_parallel(catalogue, counter_clerks):
    """One person, never seen before, is entered at several counters at once (online a person can
    only submit as an identity already linked to the account): every dossier is accepted, with
    consecutive codes, and there is one applicant record. (SQLite passes because its writers are
    serialised before the applicant is read.)"""
    newcomer = replace(submission(THREADS + 1), channel=Channel.COUNTER)

    def work(thread_no: int) -> list[str]:
        return [services.submit(newcomer, actor=counter_clerks[thread_no], now=DAY_1).code]

    outcome = run_in_threads(work)

    assert_no_errors(outcome)
    assert sorted(outcome.codes) == expected_codes(UNIT_A, DAY_1, THREADS)
    assert Applicant.objects.filter(identifier=newcomer.applicant.identifier).count() == 1


def test_parallel_retries_with_one_idempotency_key_make_one_dossier(catalogue, citizens):
    """Issue 8 item 3: a client retries one submission from several connections at once with the
    same Idempotency-Key: one dossier, one code, and every retry answers with that dossier. On
    PostgreSQL the losers meet the unique (account, key) index, roll back (their code with them)
    and return the winner."""
    citizen = citizens[0]
    retried = replace(submission(0), idempotency_key="gui-lai-7f3c")

    def work(thread_no: int) -> list[str]:
        return [services.submit_or_replay(retried, actor=citizen, now=DAY_1).dossier.code]

    outcome = run_in_threads(work)

    assert_no_errors(outcome)
    assert outcome.codes == expected_codes(UNIT_A, DAY_1, 1) * THREADS
    assert list(Dossier.objects.values_list("code", flat=True)) == expected_codes(UNIT_A, DAY_1, 1)
    assert DossierCounter.objects.get().last == 1  # no number taken by a loser
    assert DossierEvent.objects.count() == 1 and OutboxMessage.objects.count() == 1
