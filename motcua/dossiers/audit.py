"""The append-only, hash-chained event log (DESIGN.md): every change leaves a tamper-evident trace.

Each event's hash covers its own content and the previous event's hash; the dossier row keeps the
hash of its last event and its version (= number of events), so editing, deleting or inserting an
event anywhere in a dossier's history is detected by `verify_chain`.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from motcua.dossiers.models import Dossier, DossierEvent


def _canonical(event: DossierEvent, dossier_code: str) -> bytes:
    content = {
        "dossier": dossier_code,
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "step": event.step_id,
        "unit": event.unit_id,
        "reason": event.reason,
        "data": event.data,
        "documents": event.documents,
        "prev": event.prev_hash,
    }
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def event_hash(event: DossierEvent, dossier_code: str) -> str:
    return hashlib.sha256(_canonical(event, dossier_code)).hexdigest()


def chain_event(dossier: Dossier, **fields) -> DossierEvent:
    """The dossier's next event, hashed onto its chain but not yet saved: a new dossier needs the
    hash of its first event in its own row, before either row exists."""
    event = DossierEvent(dossier=dossier, seq=dossier.version, prev_hash=dossier.last_event_hash, **fields)
    event.at = event.at.astimezone(UTC)
    event.data = json.loads(json.dumps(event.data, default=str))  # what the database will give back
    event.hash = event_hash(event, dossier.code)
    dossier.last_event_hash = event.hash
    return event


def append_event(dossier: Dossier, **fields) -> DossierEvent:
    """Append the next event; the caller holds the dossier's row lock and saves the dossier."""
    event = chain_event(dossier, **fields)
    event.save(force_insert=True)
    return event


@dataclass
class Finding:
    dossier: str
    message: str


def verify_chain(dossiers=None) -> Iterator[Finding]:
    """Yield every inconsistency between the stored events and their hashes."""
    qs = dossiers if dossiers is not None else Dossier.objects.all()
    for dossier in qs.only("pk", "code", "version", "last_event_hash").iterator(chunk_size=500):
        prev, expected_seq = "", 1
        for event in DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("seq").iterator():
            if event.seq != expected_seq:
                yield Finding(
                    dossier.code, f"thiếu hoặc thừa sự kiện: gặp số {event.seq}, cần số {expected_seq}"
                )
            if event.prev_hash != prev:
                yield Finding(dossier.code, f"sự kiện số {event.seq} không nối với sự kiện trước")
            if event_hash(event, dossier.code) != event.hash:
                yield Finding(dossier.code, f"sự kiện số {event.seq} đã bị sửa")
            prev, expected_seq = event.hash, event.seq + 1
        if expected_seq - 1 != dossier.version or prev != dossier.last_event_hash:
            yield Finding(dossier.code, "chuỗi sự kiện không khớp với hồ sơ (có sự kiện bị xóa hoặc thêm)")
