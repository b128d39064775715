"""Helpers of the outbound-delivery tests: state changes through the real engine, what the
outbox holds, and what the simulator applied."""

from __future__ import annotations

import time

from motcua.documents.models import DocumentKind
from motcua.dossiers.models import Dossier, OutboxMessage, OutboxTopic
from motcua.dossiers.outbox import national_code
from motcua.sync import delivery
from tests.dossiers.kit import act, at, doc, forward_to, notary_processing

# Fast back-off for the tests: the rule (exponential, full jitter, capped) is the same; only the
# scale is shorter, so a test does not wait minutes after the portal recovers.
FAST_SYNC = {"backoff_base": 0.001, "backoff_cap": 0.01}


def notary_history(day: int, *, returned: bool = False) -> Dossier:
    """An online notary dossier with a real history: submit, receive, hand over, a supplement asked
    for and handed in, forwarded to the decision (and, `returned`, decided and handed over)."""
    d = notary_processing(at(f"2026-03-{day:02d} 08:00"), channel="online")
    d = act(
        d,
        "request_supplement",
        "chuyenvien.sotuphap",
        now=at(f"2026-03-{day:02d} 09:00"),
        reason="Thiếu giấy tờ",
        items=["Đề án thành lập"],
    )
    d = act(d, "submit_supplement", "congdan1", now=at(f"2026-03-{day:02d} 10:00"))
    d = forward_to(d, 5, now=at(f"2026-03-{day + 1:02d} 08:00"))
    if returned:
        d = act(
            d,
            "issue_result",
            "lanhdao.ubndtinh",
            now=at(f"2026-03-{day + 2:02d} 08:00"),
            documents=[doc(DocumentKind.RESULT)],
        )
        d = act(d, "return_result", "chuyenvien.sotuphap", now=at(f"2026-03-{day + 2:02d} 09:00"))
    return d


def national_messages(dossier: Dossier | None = None):
    qs = OutboxMessage.objects.filter(topic=OutboxTopic.NATIONAL_PORTAL).order_by("pk")
    return qs.filter(dossier=dossier) if dossier is not None else qs


def expected_ids(dossier: Dossier) -> list[str]:
    return [str(m) for m in national_messages(dossier).values_list("message_id", flat=True)]


def applied_rows(state: dict, dossier: Dossier) -> list[dict]:
    entry = state["dossiers"].get(national_code(dossier))
    return entry["progress"] if entry else []


def waiting():
    """Undelivered messages that are neither parked nor behind a parked one of their dossier."""
    parked = national_messages().filter(dead_at__isnull=False, delivered_at__isnull=True)
    return (
        national_messages()
        .filter(delivered_at__isnull=True, dead_at__isnull=True)
        .exclude(dossier_id__in=parked.values("dossier_id"))
    )


def drain_until_empty(*, rounds: int = 200, pause: float = 0.005, **kwargs) -> delivery.DrainResult:
    """Drain, waiting out the (fast) back-offs, until every message is delivered, parked or waiting
    behind a parked one."""
    total = delivery.DrainResult()
    for _ in range(rounds):
        result = delivery.drain(**kwargs)
        total.rounds += result.rounds
        total.delivered += result.delivered
        total.retried += result.retried
        total.dead += result.dead
        total.calls += result.calls
        if not waiting().exists():
            return total
        time.sleep(pause)
    stuck = list(
        national_messages()
        .filter(delivered_at__isnull=True)
        .values("pk", "dossier_id", "attempts", "available_at", "claimed_by", "claimed_until", "last_error")
    )
    raise AssertionError(f"outbox not drained after {rounds} drains: {stuck}")
