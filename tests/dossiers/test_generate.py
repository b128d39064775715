"""`manage.py generate_dossiers`: synthetic load data that the rest of the system accepts — codes
from the real per-unit sequence, a valid one-event audit chain, no real identity numbers."""

import io
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.dossiers.audit import verify_chain
from motcua.dossiers.models import Dossier, DossierCounter, DossierEvent, DossierFee, OutboxMessage
from motcua.dossiers.states import State
from tests.dossiers.kit import NOTARY, submit


def generate(count: int, seed: int = 7, days: int = 120) -> str:
    out = io.StringIO()
    call_command("generate_dossiers", count=count, seed=seed, days=days, batch=150, stdout=out)
    return out.getvalue()


def test_generates_the_asked_count_with_valid_audit_chains():
    before = Dossier.objects.count()
    outbox = OutboxMessage.objects.count()
    output = generate(400)
    assert "Đã sinh 400 hồ sơ" in output
    assert Dossier.objects.count() == before + 400
    assert list(verify_chain()) == []  # one submit event each, hashed like services.submit
    events = DossierEvent.objects.filter(data__synthetic=True)
    assert events.count() == 400 and set(events.values_list("action", flat=True)) == {"submit"}
    assert OutboxMessage.objects.count() == outbox  # never sent to the national portal


def test_generated_dossiers_are_realistic_and_synthetic():
    generate(600, seed=3)
    dossiers = Dossier.objects.all()
    states = Counter(dossiers.values_list("state", flat=True))
    assert states[State.RETURNED] > 200  # mostly finished
    assert sum(states[s] for s in (State.PROCESSING, State.RECEIVED, State.SUBMITTED)) > 0
    assert len(set(dossiers.values_list("channel", flat=True))) >= 2
    assert len(set(dossiers.values_list("receiving_unit_id", flat=True))) >= 3
    citizens = dossiers.filter(applicant__kind="citizen").values_list("applicant_identifier", flat=True)
    assert citizens and all(re.fullmatch(r"0750\d{8}", i) for i in citizens)
    sample = dossiers.exclude(state=State.SUBMITTED).exclude(state=State.REJECTED).first()
    assert sample.due_at is not None and sample.received_at >= sample.submitted_at
    assert sample.search_text.startswith(sample.code.lower())
    # Those at a step point at their open step.
    at_step = dossiers.filter(state=State.PROCESSING, current_step__isnull=False)
    assert at_step.exists() and all(d.current_step.ended_at is None for d in at_step)
    assert dossiers.filter(submitted_at__gt=timezone.now()).count() == 0


def test_r29_generated_fees_are_paid_at_the_counter_or_online_and_owed_while_paused_for_them():
    generate(800, seed=9)
    fees = DossierFee.objects.all()
    assert fees.exists()
    received = Dossier.objects.filter(received_at__isnull=False)
    assert not fees.filter(dossier__received_at__isnull=True).exists()  # fees come with reception
    owed = received.filter(state=State.PAUSED, pause_ground="financial_obligation")
    assert not fees.filter(dossier__in=owed, paid_at__isnull=False).exists()
    paid = fees.filter(paid_at__isnull=False)
    assert not fees.exclude(dossier__in=owed).filter(paid_at__isnull=True).exists()
    ways = Counter(paid.values_list("dossier__channel", "paid_via"))
    online_on_platform = ways[("online", "dvcqg_platform")] / max(
        1, sum(n for (channel, _), n in ways.items() if channel == "online")
    )
    assert 0.3 < online_on_platform < 0.7  # about half the online dossiers pay on the platform
    assert ways[("counter", "counter")] > ways[("counter", "dvcqg_platform")] > 0


def test_codes_are_unique_and_the_sequence_continues():
    generate(500, seed=11, days=3)
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    last = Counter()
    for code in codes:
        prefix, number = code.rsplit("-", 1)
        last[prefix] = max(last[prefix], int(number))
    for counter in DossierCounter.objects.select_related("unit"):
        prefix = f"{counter.unit.code}-{counter.day:%y%m%d}"
        assert counter.last >= last.get(prefix, 0)
    # A real submission today takes the next number, never one the generator used.
    d = submit(NOTARY, now=timezone.now())
    assert d.code not in codes


def test_same_seed_same_mix():
    fields = ("procedure_id", "channel", "receiving_unit_id", "applicant_name")
    generate(40, seed=5, days=30)
    first = list(Dossier.objects.order_by("pk").values_list(*fields))
    generate(40, seed=5, days=30)
    second = list(Dossier.objects.order_by("pk").values_list(*fields))[40:]
    assert first == second
    secrets = Dossier.objects.values_list("lookup_secret", flat=True)
    assert len(set(secrets)) == 80  # the look-up secrets are random whatever the seed


def test_bad_arguments_are_refused_in_vietnamese():
    with pytest.raises(CommandError, match="--count phải từ 1"):
        call_command("generate_dossiers", count=0)
