"""Leased work queues: what the outbound workers share (national portal R-22, notifications issue 11).

A row is taken by one worker at a time through a lease — `claimed_by` (who) and `claimed_until`
(when the lease runs out, so a worker that dies leaves no row stuck) — and a row that failed waits
for its back-off in a "due" field of its own (`available_at`, `next_attempt_at`). Each delivery
module keeps its own claim transaction (locking differs), sending and marking; this module only
holds the pieces that are the same for all of them.
"""

from __future__ import annotations

import datetime
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, Protocol, TypeVar

from django.conf import settings
from django.db.models import Q, QuerySet

UPDATE_CHUNK = 500  # ids per UPDATE … WHERE id IN (…): well under SQLite's parameter limit


def config(setting: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """The module's defaults, overridden by whatever the settings give (all keys optional)."""
    return {**defaults, **getattr(settings, setting, {})}


def default_worker_id() -> str:
    """Host, process and a random tail: two workers in one process still hold different leases."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:64]


def backoff(attempts: int, *, base: float, cap: float, jitter: Literal["full", "equal"]) -> float:
    """Exponential back-off, min(cap, base·2^(attempts−1)), with jitter so that workers that failed
    together do not come back together: "full" waits anywhere in [0, that], "equal" in [half, all]
    of it (a retry never comes at once)."""
    ceiling = min(cap, base * (2 ** max(0, attempts - 1)))
    if jitter == "equal":
        return ceiling / 2 + random.uniform(0, ceiling / 2)
    return random.uniform(0, ceiling)


def ready(now: datetime.datetime, *, due_field: str) -> Q:
    """Rows whose back-off is over and whose lease, if any, has run out."""
    return (Q(**{f"{due_field}__isnull": True}) | Q(**{f"{due_field}__lte": now})) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def take(
    queryset: QuerySet, ids: Sequence[int], *, worker_id: str, now: datetime.datetime, lease: float
) -> datetime.datetime:
    """Lease the rows `ids` of `queryset` to `worker_id` for `lease` seconds; returns when the lease
    runs out. Only rows the queryset still matches are leased: a queryset that repeats the claim
    condition makes the UPDATE itself the arbiter between two workers that read the same rows."""
    until = now + datetime.timedelta(seconds=lease)
    for start in range(0, len(ids), UPDATE_CHUNK):
        queryset.filter(pk__in=ids[start : start + UPDATE_CHUNK]).update(
            claimed_by=worker_id, claimed_until=until
        )
    return until


def next_due(queryset: QuerySet, *, due_field: str, now: datetime.datetime) -> datetime.datetime | None:
    """When the earliest row waiting for its back-off may be tried again."""
    return (
        queryset.filter(**{f"{due_field}__gt": now})
        .order_by(due_field)
        .values_list(due_field, flat=True)
        .first()
    )


class _Round(Protocol):
    @property
    def moved(self) -> bool: ...  # some row left the queue (delivered or set aside)


R = TypeVar("R", bound=_Round)


def rounds(
    one_round: Callable[[], R], *, max_rounds: int | None = None, max_seconds: float | None = None
) -> Iterator[R]:
    """Rounds until one moves nothing — nothing due, or nothing got through: the rest waits for its
    back-off — or the round or time budget is spent."""
    began = time.monotonic()
    done = 0
    while True:
        r = one_round()
        done += 1
        yield r
        if not r.moved:
            return
        if max_rounds is not None and done >= max_rounds:
            return
        if max_seconds is not None and time.monotonic() - began >= max_seconds:
            return
