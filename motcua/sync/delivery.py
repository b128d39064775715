"""Delivery of the dossiers' national-portal outbox to the Cổng DVCQG (R-22, issue 9 item 1).

At least once, never twice at the same time, in each dossier's order:

1. **Claim** (one short transaction): the oldest undelivered message of each dossier is the only
   one that can be claimed — not parked (dead), its back-off over, nobody's lease running — up to
   `batch_size` of them, locked with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite runs
   every transaction IMMEDIATE: one writer at a time, so claims are serialised). Then the rest of
   those dossiers' pending messages are taken in order: nobody else can claim them while their
   oldest is undelivered. All get a lease (`claimed_by`, `claimed_until`) longer than the worst
   HTTP call, renewed while the round lasts; a worker that dies leaves leases that run out.
2. **Send** (outside any transaction): each dossier's record as it is *now*
   (`payload.dossier_records`) — `add_dossiers` for the dossiers the portal does not have yet,
   `update_dossiers` for the others, in batched arrays; an add answered "already exists" is sent
   again as an update and an update answered "not found" as an add — then the messages' progress
   rows in order, in chunks of `progress_chunk` (10, as the reference systems send them). A call the
   portal refuses is split in halves until the bad dossier is alone (one bad record never blocks
   the others); a dossier whose call must be retried sends nothing more in this round.
3. **Mark** (one short transaction, only rows this worker still holds): delivered; or retried
   later (`attempts` + 1, exponential back-off with full jitter — base 1 s, cap 5 min — or the
   portal's Retry-After); or parked (`dead_at`, the reason in `last_error`) when the portal
   refuses the dossier alone or after `max_attempts` failed rounds while the portal was answering
   others. A parked message's dossier-mates wait behind it; `resend_dead_letters` releases it.

Every record and row carries `MaBanTin` (the message id): a re-send after a lost acknowledgement is
recognised by the receiver and not applied twice. A record is stamped with the id of the newest
message of its dossier in the round (the state it shows); a row with its own message's id.

Settings (`MOTCUA_SYNC`, all optional): batch_size 200, progress_chunk 10, max_attempts 12,
backoff_base 1.0, backoff_cap 300.0 (seconds), lease_seconds (default: 3 × the portal's timeout,
at least 30), per_dossier 100 (messages of one dossier sent in one round), lanes 4 (threads
sending a round's progress rows at the same time, each dossier in one lane).
"""

from __future__ import annotations

import datetime
import functools
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from motcua.core import leasing
from motcua.core.leasing import default_worker_id
from motcua.dossiers import outbox
from motcua.dossiers.models import OutboxMessage, OutboxTopic
from motcua.integrations import registry
from motcua.integrations.dvcqg.base import NationalPortal, Outcome, Verdict
from motcua.sync.models import NationalRecord
from motcua.sync.payload import dossier_records

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "batch_size": 200,
    "progress_chunk": 10,
    "max_attempts": 12,
    "backoff_base": 1.0,
    "backoff_cap": 300.0,
    "lease_seconds": None,
    "per_dossier": 100,
    "lanes": 4,
}
# After this many calls in a row answered "try later", the round stops calling: the portal is down
# or unreachable, and every further call would only wait for its timeout.
OUTAGE_AFTER = 2
_UPDATE_CHUNK = leasing.UPDATE_CHUNK
_RETRY_PREFIX = "Thử lại sau"


def config() -> dict[str, Any]:
    return leasing.config("MOTCUA_SYNC", DEFAULTS)


def _portal_timeout() -> float:
    return float(registry.config("dvcqg").get("timeout") or 10)


def lease_seconds(requested: float | None = None) -> float:
    """Longer than the worst HTTP call (the adapter's timeout) with room for the round's marking."""
    timeout = _portal_timeout()
    wanted = requested or config()["lease_seconds"] or max(30.0, 3 * timeout)
    return max(float(wanted), timeout + 1.0)


def backoff(attempts: int, *, retry_after: float | None = None, base: float, cap: float) -> float:
    """Exponential back-off with full jitter, never shorter than what the portal asked for
    (Retry-After)."""
    wait = leasing.backoff(attempts, base=base, cap=cap, jitter="full")
    if retry_after:
        wait = max(wait, float(retry_after))
    return wait


# --- what a round did ------------------------------------------------------------------------------


@dataclass
class DeliveryRound:
    worker_id: str
    claimed: int = 0  # messages taken in this round
    delivered: int = 0  # marked delivered by this worker
    retried: int = 0  # released with a back-off
    dead: int = 0  # parked
    calls: int = 0  # HTTP calls to the portal
    added: int = 0  # records the portal has now for the first time
    lost_lease: bool = False  # another worker took over (this worker was too slow)
    errors: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        return self.claimed == 0

    @property
    def moved(self) -> bool:
        return self.delivered > 0 or self.dead > 0


@dataclass
class DrainResult:
    rounds: int = 0
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    calls: int = 0
    seconds: float = 0.0

    def add(self, r: DeliveryRound) -> None:
        self.rounds += 1
        self.claimed += r.claimed
        self.delivered += r.delivered
        self.retried += r.retried
        self.dead += r.dead
        self.calls += r.calls


@dataclass
class _Message:
    pk: int
    message_id: uuid.UUID
    dossier_id: int
    attempts: int
    row: dict[str, Any] | None


# --- 1. claim --------------------------------------------------------------------------------------


def _pending():
    return OutboxMessage.objects.filter(topic=OutboxTopic.NATIONAL_PORTAL, delivered_at__isnull=True)


def _claimable(now: datetime.datetime):
    """The oldest undelivered message of each dossier, when it may be tried now."""
    earlier = _pending().filter(dossier_id=OuterRef("dossier_id"), pk__lt=OuterRef("pk"))
    return (
        _pending()
        .filter(dead_at__isnull=True)
        .filter(leasing.ready(now, due_field="available_at"))
        .filter(~Exists(earlier))
        .order_by("pk")
    )


def _take_write_lock() -> None:
    """SQLite configured without IMMEDIATE transactions: take the write lock before reading, so two
    claimers queue on the busy timeout instead of failing when both try to upgrade."""
    if connection.vendor == "sqlite":
        options = connection.settings_dict.get("OPTIONS", {})
        if str(options.get("transaction_mode", "")).upper() != "IMMEDIATE":
            OutboxMessage.objects.filter(pk=-1).update(claimed_by="")


def claim(*, worker_id: str, batch_size: int, now: datetime.datetime, lease: float) -> list[_Message]:
    """Lease the claimable heads and their dossiers' other pending messages (in one transaction)."""
    per_dossier = int(config()["per_dossier"])
    with transaction.atomic():
        _take_write_lock()
        candidates = _claimable(now)
        if connection.features.has_select_for_update_skip_locked:
            # Two workers never hold the same head: each skips the rows the other has locked, and a
            # row claimed meanwhile fails the lease condition when PostgreSQL re-reads it.
            candidates = candidates.select_for_update(skip_locked=True)
        heads = list(candidates.values_list("pk", "dossier_id")[:batch_size])
        if not heads:
            return []
        dossiers = {dossier_id for _, dossier_id in heads}
        taken: dict[int, list[int]] = {}
        followers = (
            _pending()
            .filter(dossier_id__in=dossiers, dead_at__isnull=True)
            .order_by("dossier_id", "pk")
            .values_list("pk", "dossier_id")
        )
        if connection.features.has_select_for_update:
            followers = followers.select_for_update()
        head_pk = {d: pk for pk, d in heads}
        for pk, dossier_id in followers:
            ids = taken.setdefault(dossier_id, [])
            if pk >= head_pk[dossier_id] and len(ids) < per_dossier:
                ids.append(pk)
        ids = sorted(pk for pks in taken.values() for pk in pks)
        # Every row is locked (or the database has one writer): no condition to check again.
        leasing.take(OutboxMessage.objects.all(), ids, worker_id=worker_id, now=now, lease=lease)
    rows = OutboxMessage.objects.filter(pk__in=ids).order_by("pk")
    return [
        _Message(pk, message_id, dossier_id, attempts, _row(payload, message_id, seq))
        for pk, message_id, dossier_id, attempts, payload, seq in rows.values_list(
            "pk", "message_id", "dossier_id", "attempts", "payload", "event__seq"
        )
    ]


def _row(payload: Any, message_id: uuid.UUID, seq: int | None) -> dict[str, Any] | None:
    """The message's progress row with its MaBanTin and SoThuTu (messages written before issue 9
    carry neither: they are added here)."""
    row = payload.get("TienDo") if isinstance(payload, dict) else None
    if not isinstance(row, dict):
        return None
    row = {**row, "MaBanTin": str(message_id)}
    if row.get("SoThuTu") in (None, "") and seq is not None:
        row["SoThuTu"] = seq
    return row


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- 2. send ---------------------------------------------------------------------------------------


class _Round:
    """The state of one round's sending: per dossier, pending until delivered, retried or dead."""

    def __init__(
        self,
        portal: NationalPortal,
        messages: list[_Message],
        *,
        worker_id: str,
        lease: float,
        result: DeliveryRound,
        chunk: int,
    ):
        self.portal = portal
        self.worker_id = worker_id
        self.lease = lease
        self.result = result
        self.chunk = max(1, chunk)
        self.messages = messages
        self.by_dossier: dict[int, list[_Message]] = {}
        for m in messages:
            self.by_dossier.setdefault(m.dossier_id, []).append(m)
        self.delivered: set[int] = set()  # message pks acknowledged
        self.retry: dict[int, str] = {}  # dossier → reason
        self.retry_after: dict[int, float] = {}
        self.dead: dict[int, tuple[int, str]] = {}  # dossier → (message pk, reason)
        self.added: set[int] = set()  # dossiers the portal has now (add accepted or already there)
        self.tried: set[int] = set()  # messages sent in a call that failed (their attempt counts)
        self.lost: set[int] = set()  # dossiers the portal says it does not have
        self.portal_answered = False  # the portal answered some call: failures are the messages' own
        self.failures_in_row = 0
        self.stopped = False  # outage or lost lease: no more calls this round
        self.lease_ids = [m.pk for m in messages]
        self.lease_kept_elsewhere = False  # the lanes' calls: the round's thread renews the lease
        self.lock = threading.RLock()  # the lanes write the outcomes below at the same time
        self.lease_until = time.monotonic() + lease

    # --- helpers
    def blocked(self, dossier_id: int) -> bool:
        return dossier_id in self.retry or dossier_id in self.dead

    def give_up(self, dossiers: Iterable[int], outcome: Outcome) -> None:
        reason = f"{_RETRY_PREFIX}: {_describe(outcome)}"
        with self.lock:
            self._give_up(dossiers, reason, outcome)

    def _give_up(self, dossiers: Iterable[int], reason: str, outcome: Outcome) -> None:
        for d in dossiers:
            if not self.blocked(d):
                self.retry[d] = reason
                if outcome.retry_after:
                    self.retry_after[d] = outcome.retry_after

    def park(self, dossier_id: int, message_pk: int, outcome: Outcome) -> None:
        with self.lock:
            self._park(dossier_id, message_pk, outcome)

    def _park(self, dossier_id: int, message_pk: int, outcome: Outcome) -> None:
        if dossier_id not in self.dead:
            self.dead[dossier_id] = (message_pk, f"Cổng DVCQG từ chối: {_describe(outcome)}")

    def keep_lease(self) -> bool:
        """Renew the lease when less than two call timeouts remain; False when it was lost."""
        margin = 2 * _portal_timeout()
        if self.lease_until - time.monotonic() > margin:
            return True
        until = timezone.now() + datetime.timedelta(seconds=self.lease)
        kept = 0
        for chunk in _chunks(self.lease_ids, _UPDATE_CHUNK):
            kept += OutboxMessage.objects.filter(
                pk__in=chunk, claimed_by=self.worker_id, delivered_at__isnull=True
            ).update(claimed_until=until)
        self.lease_until = time.monotonic() + self.lease
        if kept < len(self.lease_ids):
            self.result.lost_lease = True
            self.stopped = True
            return False
        return True

    def call(self, method: Callable[[list[dict]], Outcome], items: list[dict]) -> Outcome | None:
        """One call to the portal, or None when the round stopped calling."""
        if self.stopped or (not self.lease_kept_elsewhere and not self.keep_lease()):
            return None
        try:
            outcome = method(items)
        except Exception as exc:  # an adapter must not raise; if it does, it is a "try later"
            logger.exception("Cổng DVCQG: lỗi không mong đợi của bộ kết nối")
            outcome = Outcome(Verdict.RETRY, code=type(exc).__name__, message=str(exc)[:500])
        with self.lock:
            self.result.calls += 1
            if outcome.verdict is Verdict.RETRY:
                self.failures_in_row += 1
                if self.failures_in_row >= OUTAGE_AFTER:
                    self.stopped = True
            else:
                self.failures_in_row = 0
                self.portal_answered = True
        return outcome

    # --- records
    def send_records(self, records: dict[int, dict], known: set[int]) -> None:
        to_add = [d for d in records if d not in known]
        to_update = [d for d in records if d in known]
        for dossiers, adding in ((to_add, True), (to_update, False)):
            if dossiers:
                self._sync(dossiers, records, adding=adding, flipped=False)

    def _sync(self, dossiers: list[int], records: dict[int, dict], *, adding: bool, flipped: bool) -> None:
        dossiers = [d for d in dossiers if not self.blocked(d)]
        if not dossiers:
            return
        method = self.portal.add_dossiers if adding else self.portal.update_dossiers
        outcome = self.call(method, [records[d] for d in dossiers])
        if outcome is None:
            self.give_up(dossiers, Outcome(Verdict.RETRY, message="Cổng DVCQG không trả lời"))
            return
        verdict = outcome.verdict
        if verdict is Verdict.ACCEPTED:
            self.added.update(dossiers)
            return
        # "Already exists" to an add: the same records as an update; "not found" to an update: as
        # an add (REGULATIONS §6.1). A batch mixing both is split until each half is one kind.
        complementary = Verdict.ALREADY_EXISTS if adding else Verdict.NOT_FOUND
        if verdict is complementary and not flipped:
            self._sync(dossiers, records, adding=not adding, flipped=True)
            return
        if verdict in (Verdict.REFUSED, Verdict.ALREADY_EXISTS, Verdict.NOT_FOUND) and len(dossiers) > 1:
            middle = len(dossiers) // 2
            self._sync(dossiers[:middle], records, adding=adding, flipped=False)
            self._sync(dossiers[middle:], records, adding=adding, flipped=False)
            return
        if verdict is Verdict.REFUSED:
            d = dossiers[0]
            self.park(d, self.by_dossier[d][0].pk, outcome)
            return
        # RETRY, or one record that is both "already there" and "not there": ask again later.
        self.tried.update(self.by_dossier[d][0].pk for d in dossiers)
        self.give_up(dossiers, outcome)

    # --- progress rows
    def send_rows(self, lanes: int = 1) -> None:
        """The rows in order, in chunks. With several lanes, the dossiers are shared out among
        threads that send at the same time — each dossier's rows stay in one lane, in order — while
        this thread keeps the lease alive (the lanes never touch the database)."""
        queue = [m for m in self.messages if m.row is not None and m.dossier_id in self.added]
        for m in self.messages:
            if m.row is None and not self.blocked(m.dossier_id):
                self.park(
                    m.dossier_id, m.pk, Outcome(Verdict.REFUSED, message="bản tin không có dòng tiến độ")
                )
        dossiers = list(dict.fromkeys(m.dossier_id for m in queue))
        lanes = max(1, min(lanes, len(dossiers), -(-len(queue) // self.chunk)))
        if lanes == 1:
            self._send_queue(queue)
            return
        lane_of = {d: n % lanes for n, d in enumerate(dossiers)}
        queues: list[list[_Message]] = [[] for _ in range(lanes)]
        for m in queue:
            queues[lane_of[m.dossier_id]].append(m)
        self.lease_kept_elsewhere = True
        threads = [threading.Thread(target=self._send_queue, args=(q,), daemon=True) for q in queues]
        for t in threads:
            t.start()
        try:
            for t in threads:
                while t.is_alive():
                    t.join(timeout=1.0)
                    if not self.keep_lease():
                        break  # lost: the lanes stop at their next call
        finally:
            self.lease_kept_elsewhere = False
            for t in threads:
                t.join()

    def _send_queue(self, queue: list[_Message]) -> None:
        position = 0
        while position < len(queue):
            batch: list[_Message] = []
            while position < len(queue) and len(batch) < self.chunk:
                m = queue[position]
                position += 1
                if not self.blocked(m.dossier_id):
                    batch.append(m)
            if batch:
                self._push(batch)

    def _push(self, batch: list[_Message]) -> None:
        batch = [m for m in batch if not self.blocked(m.dossier_id)]
        if not batch:
            return
        outcome = self.call(self.portal.push_progress, [m.row for m in batch])
        dossiers = list(dict.fromkeys(m.dossier_id for m in batch))
        if outcome is None:
            self.give_up(dossiers, Outcome(Verdict.RETRY, message="Cổng DVCQG không trả lời"))
            return
        if outcome.verdict is Verdict.ACCEPTED:
            with self.lock:
                self.delivered.update(m.pk for m in batch)
            return
        if outcome.verdict in (Verdict.REFUSED, Verdict.NOT_FOUND) and len(batch) > 1:
            # In order, left half first: a dossier's rows never overtake each other.
            middle = len(batch) // 2
            self._push(batch[:middle])
            self._push(batch[middle:])
            return
        if outcome.verdict is Verdict.REFUSED:
            self.park(batch[0].dossier_id, batch[0].pk, outcome)
            return
        if outcome.verdict is Verdict.NOT_FOUND:
            # The portal lost the dossier: add it again in the next round.
            with self.lock:
                self.lost.add(batch[0].dossier_id)
        with self.lock:
            self.tried.update(m.pk for m in batch)
        self.give_up(dossiers, outcome)


def _describe(outcome: Outcome) -> str:
    text = f"[{outcome.code}] {outcome.message}" if outcome.code else outcome.message
    return (text or outcome.verdict.value)[:1000]


# --- 3. mark ---------------------------------------------------------------------------------------


def _mark(state: _Round, records: dict[int, dict], *, now: datetime.datetime, settings_: dict) -> None:
    result = state.result
    worker_id = state.worker_id
    by_pk = {m.pk: m for m in state.messages}
    with transaction.atomic():
        _take_write_lock()
        delivered = sorted(state.delivered)
        for chunk in _chunks(delivered, _UPDATE_CHUNK):
            result.delivered += OutboxMessage.objects.filter(
                pk__in=chunk, claimed_by=worker_id, delivered_at__isnull=True
            ).update(delivered_at=now, claimed_by="", claimed_until=None, available_at=None, last_error="")
        rest = [m.pk for m in state.messages if m.pk not in state.delivered]
        held: list[OutboxMessage] = []
        for chunk in _chunks(rest, _UPDATE_CHUNK):
            qs = OutboxMessage.objects.filter(pk__in=chunk, claimed_by=worker_id, delivered_at__isnull=True)
            if connection.features.has_select_for_update:
                qs = qs.select_for_update()
            held.extend(qs.only("pk", "dossier_id", "attempts", "last_error"))
        if len(held) < len(rest):
            result.lost_lease = True
        _settle(state, held, by_pk, now=now, settings_=settings_)
        if held:
            OutboxMessage.objects.bulk_update(
                held,
                ["attempts", "available_at", "last_error", "dead_at", "claimed_by", "claimed_until"],
                batch_size=_UPDATE_CHUNK,
            )
        _record_national(state, records, now=now)


def _settle(
    state: _Round, held: list[OutboxMessage], by_pk: dict[int, _Message], *, now, settings_: dict
) -> None:
    """What becomes of the messages this worker still holds and did not deliver.

    An attempt counts for a message sent in a call that failed, in a round where its dossier made
    no progress (partial progress is not a failure of the rest); the back-off and the limit of
    `max_attempts` follow the dossier's oldest message. In a round where the portal answered
    nothing (an outage), attempts grow only until the back-off reaches its cap. A message whose
    dossier progressed, or that was not sent at all (the round stopped calling), is released."""
    result = state.result
    max_attempts = int(settings_["max_attempts"])
    base, cap = float(settings_["backoff_base"]), float(settings_["backoff_cap"])
    outage_ceiling = min(max_attempts - 1, math.ceil(math.log2(max(cap / base, 1.0))) + 1)
    by_held = {m.pk for m in held}
    progressed = {by_pk[pk].dossier_id for pk in state.delivered}
    first_held: dict[int, int] = {}
    for message in sorted(held, key=lambda m: m.pk):
        first_held.setdefault(message.dossier_id, message.pk)
    waits: dict[int, datetime.datetime | None] = {}
    for message in sorted(held, key=lambda m: m.pk):  # each dossier's head first
        d = message.dossier_id
        message.claimed_by, message.claimed_until = "", None
        head = message.pk == first_held[d]
        if d in state.dead:
            parked_pk, reason = state.dead[d]
            if message.pk == parked_pk or (head and parked_pk not in by_held):
                message.dead_at, message.last_error = now, reason[:2000]
                message.attempts += 1
                result.dead += 1
            continue  # the dossier's later messages wait behind the parked one
        reason = state.retry.get(d) or f"{_RETRY_PREFIX}: chưa gửi được trong lượt này"
        tried = message.pk in state.tried and d not in progressed
        if tried and (state.portal_answered or message.attempts < outage_ceiling):
            message.attempts += 1
        if tried and head and state.portal_answered and message.attempts >= max_attempts:
            # Failing again and again while the portal answers other calls: the message's own
            # fault. An outage alone never parks a message: its attempts stop growing once its
            # back-off has reached the cap (`outage_ceiling`).
            message.dead_at = now
            message.last_error = f"Gửi {message.attempts} lần không thành công. {reason}"[:2000]
            state.dead[d] = (message.pk, message.last_error)
            result.dead += 1
            continue
        if d not in waits:
            if d in progressed:
                waits[d] = None  # moving: the rest goes in the next round
            else:
                delay = backoff(
                    max(1, message.attempts), retry_after=state.retry_after.get(d), base=base, cap=cap
                )
                waits[d] = now + datetime.timedelta(seconds=delay)
        message.available_at = waits[d]
        message.last_error = reason[:2000]
        result.retried += 1


def _record_national(state: _Round, records: dict[int, dict], *, now: datetime.datetime) -> None:
    """NationalRecord: what the portal holds of each dossier after this round."""
    last: dict[int, _Message] = {}
    for m in state.messages:
        if m.pk in state.delivered:
            last[m.dossier_id] = m
    added = [d for d in state.added if d not in state.lost]
    existing = set(
        NationalRecord.objects.filter(dossier_id__in=set(added) | set(last)).values_list(
            "dossier_id", flat=True
        )
    )
    creates, updates = [], []
    for d in set(added) | set(last):
        row = NationalRecord(dossier_id=d)
        if d in added:
            row.added_at = now
        if d in last:
            row.last_delivered_at = now
            row.last_message_id = last[d].message_id
            row.last_status = int(records[d]["TrangThaiHoSo"]) if d in records else None
        (updates if d in existing else creates).append(row)
    if creates:
        NationalRecord.objects.bulk_create(creates, ignore_conflicts=True)
    state.result.added = sum(1 for row in creates if row.added_at)
    # Updates grouped by which fields they carry (an update never blanks what it does not know).
    for fields, group in _by_fields(updates).items():
        NationalRecord.objects.bulk_update(group, list(fields), batch_size=_UPDATE_CHUNK)
    # An add already counted before must keep its first date.
    new_adds = [d for d in added if d in existing]
    if new_adds:
        state.result.added += NationalRecord.objects.filter(
            dossier_id__in=new_adds, added_at__isnull=True
        ).update(added_at=now)
    if state.lost:
        NationalRecord.objects.filter(dossier_id__in=state.lost).update(added_at=None)


def _by_fields(rows: list[NationalRecord]) -> dict[tuple[str, ...], list[NationalRecord]]:
    groups: dict[tuple[str, ...], list[NationalRecord]] = {}
    for row in rows:
        fields = ("last_delivered_at", "last_message_id", "last_status") if row.last_delivered_at else ()
        if fields:
            groups.setdefault(fields, []).append(row)
    return groups


# --- the services ----------------------------------------------------------------------------------


def deliver_ready(
    *,
    portal: NationalPortal | None = None,
    worker_id: str,
    batch_size: int | None = None,
    now: datetime.datetime | None = None,
    lease: float | None = None,
    progress_chunk: int | None = None,
) -> DeliveryRound:
    """One round: claim, send, mark (module docstring). Nothing happens without a portal."""
    result = DeliveryRound(worker_id=worker_id)
    portal = portal or registry.get("dvcqg")
    if portal is None:
        return result
    conf = config()
    lease_s = lease_seconds(lease)
    messages = claim(
        worker_id=worker_id,
        batch_size=batch_size or int(conf["batch_size"]),
        now=now or timezone.now(),
        lease=lease_s,
    )
    result.claimed = len(messages)
    if not messages:
        return result
    state = _Round(
        portal,
        messages,
        worker_id=worker_id,
        lease=lease_s,
        result=result,
        chunk=progress_chunk or int(conf["progress_chunk"]),
    )
    records: dict[int, dict] = {}
    try:
        records = dossier_records(list(state.by_dossier))
        for d, mine in state.by_dossier.items():
            if d in records:
                # The record shows the state after the newest message of the round.
                records[d] = {**records[d], "MaBanTin": str(mine[-1].message_id)}
        known = set(
            NationalRecord.objects.filter(dossier_id__in=records, added_at__isnull=False).values_list(
                "dossier_id", flat=True
            )
        )
        state.send_records(records, known)
        state.send_rows(lanes=int(conf["lanes"]))
    except Exception as exc:  # a bug must not leave the leases to run out silently: release and say
        logger.exception("Đồng bộ Cổng DVCQG: lỗi trong lượt gửi")
        result.errors.append(repr(exc))
        state.give_up(state.by_dossier, Outcome(Verdict.RETRY, code="loi-noi-bo", message=repr(exc)[:500]))
    for d in state.by_dossier:
        if not state.blocked(d) and any(m.pk not in state.delivered for m in state.by_dossier[d]):
            state.give_up([d], Outcome(Verdict.RETRY, message="chưa gửi được trong lượt này"))
    _mark(state, records, now=timezone.now(), settings_=conf)
    return result


def drain(
    *,
    portal: NationalPortal | None = None,
    worker_id: str | None = None,
    batch_size: int | None = None,
    max_seconds: float | None = None,
    max_rounds: int | None = None,
    lease: float | None = None,
    progress_chunk: int | None = None,
) -> DrainResult:
    """Rounds until nothing is ready (or the time or round budget is spent)."""
    worker_id = worker_id or default_worker_id()
    total = DrainResult()
    began = time.monotonic()
    one_round = functools.partial(
        deliver_ready,
        portal=portal,
        worker_id=worker_id,
        batch_size=batch_size,
        lease=lease,
        progress_chunk=progress_chunk,
    )
    for r in leasing.rounds(one_round, max_rounds=max_rounds, max_seconds=max_seconds):
        total.add(r)
    total.seconds = time.monotonic() - began
    return total


def pending_count() -> int:
    """National-portal messages not delivered yet (parked ones included: they are not delivered)."""
    return _pending().count()


def ready_count(now: datetime.datetime | None = None) -> int:
    return _claimable(now or timezone.now()).count()


def next_available_at() -> datetime.datetime | None:
    """When the earliest message waiting for its back-off may be tried again."""
    waiting = _pending().filter(dead_at__isnull=True)
    return leasing.next_due(waiting, due_field="available_at", now=timezone.now())


def _actor_name(actor) -> str:
    if actor is None:
        return "hệ thống"
    if isinstance(actor, str):
        return actor
    return (getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "get_username", str)())[:100]


def resend_dead_letters(message_ids: Iterable[int], *, actor) -> int:
    """Queue parked messages again (after the cause was fixed): the dossier's later messages follow
    them. Who did it is kept in the message's `last_error` and logged."""
    ids = [int(i) for i in message_ids]
    if not ids:
        return 0
    now = timezone.now()
    who = _actor_name(actor)
    stamp = timezone.localtime(now).strftime("%d/%m/%Y %H:%M")
    with transaction.atomic():
        parked = list(
            OutboxMessage.objects.filter(pk__in=ids, topic=OutboxTopic.NATIONAL_PORTAL, dead_at__isnull=False)
            .select_for_update()
            .only("pk", "last_error", "dossier_id")
        )
        for message in parked:
            message.last_error = (
                f"Gửi lại theo yêu cầu của {who} lúc {stamp}. Lỗi trước: {message.last_error}"[:2000]
            )
            message.dead_at = None
            message.available_at = None
            message.attempts = 0
            message.claimed_by, message.claimed_until = "", None
        OutboxMessage.objects.bulk_update(
            parked, ["last_error", "dead_at", "available_at", "attempts", "claimed_by", "claimed_until"]
        )
        # Their dossiers' waiting messages start afresh too (their back-off was the parked one's).
        OutboxMessage.objects.filter(
            topic=OutboxTopic.NATIONAL_PORTAL,
            dossier_id__in={m.dossier_id for m in parked},
            delivered_at__isnull=True,
            dead_at__isnull=True,
        ).update(available_at=None)
        if parked:
            outbox.announce_after_commit()
    for message in parked:
        logger.info("Bản tin đồng bộ %s được gửi lại theo yêu cầu của %s", message.pk, who)
    return len(parked)
