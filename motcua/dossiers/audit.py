"""The append-only, HMAC-chained event log (DESIGN.md): every change leaves a tamper-evident trace.

Three layers, each catching what the one before cannot (issue 8 item 7):

1. The chain. Each event's hash is an HMAC-SHA256, under a key kept outside the database
   (`MOTCUA_AUDIT_KEY`), of its own content and the previous event's hash; the dossier row keeps
   the hash of its last event and its version (= number of events). Editing, deleting or inserting
   an event anywhere in a dossier's history is detected by `verify_chain`, and — unlike a plain
   SHA-256 chain — whoever can write to the database but does not hold the key cannot re-hash the
   chain to hide the change. Each event records the id of its key (`key_id`), so after a rotation
   old chains verify with the old key kept in `MOTCUA_AUDIT_OLD_KEYS`.
2. The database (PostgreSQL, migration 0005): a trigger refuses UPDATE and DELETE of event rows,
   whoever sends them; only the table's owner can switch it off.
3. The digest. A consistent chain can still lose its tail (delete the last events and set the
   dossier's version and last hash back) or a whole dossier. `export_digest` writes, daily, every
   dossier's (code, version, last hash) signed with the key; `verify_chain` compares the database
   with it, so what existed when the digest was signed cannot disappear unnoticed.

What none of this stops: someone who holds both the database and the key can rewrite history
*and* sign a matching digest. Copies of the digests kept away from that person (another machine,
write-once storage) limit the damage to what happened since the last copy.
"""

import datetime
import hashlib
import hmac
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent

# Used while developing and in the tests only: `check_key_configured` refuses it when DEBUG is off.
DEMO_AUDIT_KEY = "motcua-DEMO-audit-key--not-secret--never-use-in-production"

MIN_KEY_LENGTH = 32
DIGEST_FORMAT = "motcua-audit-digest/1"
_DIGEST_NAME = re.compile(r"^audit-digest-(\d{4}-\d{2}-\d{2})(?:-(\d+))?\.json$")


# --- keys ------------------------------------------------------------------------------------------


def check_key_configured() -> None:
    """Refuse to run in production without a real audit key, as Django does for SECRET_KEY
    (called from DossiersConfig.ready, i.e. at start-up). The demo key is public: a log chained
    with it proves nothing."""
    key = getattr(settings, "MOTCUA_AUDIT_KEY", "")
    if not settings.DEBUG and (len(key) < MIN_KEY_LENGTH or key == DEMO_AUDIT_KEY):
        raise ImproperlyConfigured(
            f"MOTCUA_AUDIT_KEY must be set to a random secret of at least {MIN_KEY_LENGTH} characters, "
            "kept outside the database, when DEBUG is off (e.g. `openssl rand -hex 32`)."
        )


def signing_key() -> str:
    """The key new events and digests are signed with. Outside DEBUG, start-up has already refused
    an empty key (check_key_configured), so the demo fallback only serves development and tests."""
    return getattr(settings, "MOTCUA_AUDIT_KEY", "") or DEMO_AUDIT_KEY


@lru_cache(maxsize=16)
def key_id(key: str) -> str:
    """A short public name of a key, recorded in each event and digest (reveals nothing of it)."""
    return hmac.new(key.encode(), b"motcua-audit-key-id", hashlib.sha256).hexdigest()[:8]


def known_keys() -> dict[str, str]:
    """Key id → key, for verification: the current key and the retired ones."""
    keys = [signing_key(), *getattr(settings, "MOTCUA_AUDIT_OLD_KEYS", ())]
    return {key_id(k): k for k in keys if k}


@lru_cache(maxsize=8)
def _mac(key: str) -> "hmac.HMAC":
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def _sign(key: str, content: bytes) -> str:
    mac = _mac(key).copy()  # the key's padding is hashed once per process, not once per event
    mac.update(content)
    return mac.hexdigest()


# --- the chain -------------------------------------------------------------------------------------


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


def event_hash(event: DossierEvent, dossier_code: str, key: str | None = None) -> str:
    """HMAC-SHA256 of the event's canonical content under `key` (default: the signing key)."""
    return _sign(key or signing_key(), _canonical(event, dossier_code))


def chain_event(dossier: Dossier, **fields) -> DossierEvent:
    """The dossier's next event, hashed onto its chain but not yet saved: a new dossier needs the
    hash of its first event in its own row, before either row exists."""
    key = signing_key()
    event = DossierEvent(
        dossier=dossier, seq=dossier.version, prev_hash=dossier.last_event_hash, key_id=key_id(key), **fields
    )
    event.at = event.at.astimezone(UTC)
    event.data = json.loads(json.dumps(event.data, default=str))  # what the database will give back
    event.hash = event_hash(event, dossier.code, key)
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


def verify_chain(dossiers: QuerySet | None = None, digest: "Digest | None" = None) -> Iterator[Finding]:
    """Yield every inconsistency between the stored events, their HMACs and the dossier rows — and,
    given a verified `digest`, with the chain heads it signed. A digest entry whose dossier is gone
    is reported only when all dossiers are checked (`dossiers` is None)."""
    qs = dossiers if dossiers is not None else Dossier.objects.all()
    keys = known_keys()
    # Both sides in primary-key order: the digest is merged in, never held in memory.
    entries = iter(digest.entries() if digest else ())
    pending = next(entries, None)
    rows = qs.only("pk", "code", "version", "last_event_hash").order_by("pk").iterator(chunk_size=500)
    for dossier in rows:
        while pending is not None and pending.id < dossier.pk:
            if dossiers is None:
                yield digest.gone(pending)
            pending = next(entries, None)
        signed = None
        if pending is not None and pending.id == dossier.pk:
            signed, pending = pending, next(entries, None)
        yield from _verify_dossier(dossier, keys, signed, digest)
    while pending is not None and dossiers is None:
        yield digest.gone(pending)
        pending = next(entries, None)


def _verify_dossier(dossier: Dossier, keys: dict[str, str], signed, digest) -> Iterator[Finding]:
    prev, expected_seq = "", 1
    for event in DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("seq").iterator():
        if event.seq != expected_seq:
            yield Finding(dossier.code, f"thiếu hoặc thừa sự kiện: gặp số {event.seq}, cần số {expected_seq}")
        if event.prev_hash != prev:
            yield Finding(dossier.code, f"sự kiện số {event.seq} không nối với sự kiện trước")
        key = keys.get(event.key_id)
        if key is None:
            yield Finding(
                dossier.code, f"sự kiện số {event.seq} ký bằng khóa không xác định (mã khóa “{event.key_id}”)"
            )
        elif event_hash(event, dossier.code, key) != event.hash:
            yield Finding(dossier.code, f"sự kiện số {event.seq} đã bị sửa")
        if signed is not None and event.seq == signed.version and event.hash != signed.last_hash:
            yield Finding(
                dossier.code,
                f"sự kiện số {event.seq} khác với bản tóm lược ngày {digest.date} (chuỗi đã bị băm lại)",
            )
        prev, expected_seq = event.hash, event.seq + 1
    if expected_seq - 1 != dossier.version or prev != dossier.last_event_hash:
        yield Finding(dossier.code, "chuỗi sự kiện không khớp với hồ sơ (có sự kiện bị xóa hoặc thêm)")
    if signed is not None and signed.code != dossier.code:
        yield Finding(dossier.code, f"bản tóm lược ngày {digest.date} ghi mã hồ sơ {signed.code}")
    if signed is not None and expected_seq - 1 < signed.version:
        yield Finding(
            dossier.code,
            f"bản tóm lược ngày {digest.date} ghi {signed.version} sự kiện, "
            f"nay chỉ còn {expected_seq - 1} (sự kiện cuối đã bị xóa)",
        )


# --- signed digests of the chain heads ----------------------------------------------------------------
#
# One JSON document, laid out one dossier per line so it is written and checked as a stream
# (5 million dossiers make ~500 MB): the signature is the HMAC of every byte before its own line.
#
#   {"format":"motcua-audit-digest/1","date":"2026-03-02","generated_at":"…","key_id":"…","dossiers":[
#   [12,"000.00.05.H19-260302-0001",4,"<last hash>"],
#   …
#   ],"dossier_count":2,"event_count":7,
#   "signature":"<hmac>"}


class DigestError(Exception):
    """A digest file that cannot be trusted; the message is Vietnamese, for the operator."""


@dataclass(frozen=True)
class DigestEntry:
    id: int
    code: str
    version: int
    last_hash: str


@dataclass
class Digest:
    path: Path
    date: str
    generated_at: str
    dossier_count: int
    event_count: int

    def entries(self) -> Iterator[DigestEntry]:
        """The signed chain heads in primary-key order (the file was verified when read)."""
        with open(self.path, "rb") as f:
            next(f)
            for line in f:
                if line.startswith(b"]"):
                    return
                row = json.loads(line.rstrip(b",\n"))
                yield DigestEntry(*row)

    def gone(self, entry: DigestEntry) -> Finding:
        return Finding(
            entry.code, f"có trong bản tóm lược ngày {self.date} nhưng đã bị xóa khỏi cơ sở dữ liệu"
        )


def digest_dir() -> Path:
    configured = getattr(settings, "MOTCUA_AUDIT_DIGEST_DIR", "")
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "audit"


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _digest_lines(now: datetime.datetime, key: str) -> Iterable[bytes]:
    dossiers, events = 0, 0
    yield (
        _dumps(
            {
                "format": DIGEST_FORMAT,
                "date": timezone.localdate(now).isoformat(),
                "generated_at": now.astimezone(UTC).isoformat(),
                "key_id": key_id(key),
            }
        )[:-1]
        + b',"dossiers":[\n'
    )
    # One query, one snapshot: the heads and the counts describe the same moment.
    rows = Dossier.objects.order_by("pk").values_list("pk", "code", "version", "last_event_hash")
    previous = None
    for row in rows.iterator(chunk_size=5000):
        if previous is not None:
            yield _dumps(list(previous)) + b",\n"
        previous = row
        dossiers, events = dossiers + 1, events + row[2]  # version = number of events
    if previous is not None:
        yield _dumps(list(previous)) + b"\n"
    yield b'],"dossier_count":' + str(dossiers).encode() + b',"event_count":' + str(events).encode() + b",\n"


def export_digest(directory: Path | None = None, now: datetime.datetime | None = None) -> Path:
    """Write today's signed digest of every dossier's chain head and return its path.

    Written to a temporary file in the same folder, then linked to its final name, which fails
    rather than replace an existing file: a second export the same day becomes `…-2.json`, and a
    half-written digest never carries a digest's name."""
    now = now or timezone.now()
    directory = Path(directory) if directory else digest_dir()
    directory.mkdir(parents=True, exist_ok=True)
    key = signing_key()
    mac = _mac(key).copy()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".audit-digest-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f, transaction.atomic():
            for line in _digest_lines(now, key):
                mac.update(line)
                f.write(line)
            f.write(b'"signature":"' + mac.hexdigest().encode() + b'"}\n')
            f.flush()
            os.fsync(f.fileno())
        day = timezone.localdate(now).isoformat()
        for n in range(1, 10_000):
            path = directory / (f"audit-digest-{day}.json" if n == 1 else f"audit-digest-{day}-{n}.json")
            try:
                os.link(tmp, path)
            except FileExistsError:
                continue
            break
        else:
            raise DigestError(f"Đã có quá nhiều bản tóm lược ngày {day} trong {directory}.")
    finally:
        os.unlink(tmp)
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the new name survives a crash
    finally:
        os.close(dir_fd)
    return path


def latest_digest(directory: Path | None = None) -> Path | None:
    """The most recent digest in the folder by its name (day, then run of the day), or None."""
    directory = Path(directory) if directory else digest_dir()
    if not directory.is_dir():
        return None
    named = [
        (m.group(1), int(m.group(2) or 1), p)
        for p in directory.iterdir()
        if (m := _DIGEST_NAME.match(p.name))
    ]
    return max(named)[2] if named else None


def read_digest(path: Path) -> Digest:
    """Check a digest's signature with the known keys and return its header and counts.
    Raise FileNotFoundError if it cannot be read, DigestError if it cannot be trusted."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            header, mac, counts_line, last = _read_signed(f, path)
    except OSError as exc:
        raise FileNotFoundError(f"Không đọc được bản tóm lược {path}: {exc.strerror}.") from exc
    try:
        signature = json.loads(b"{" + last)["signature"]
        counts = json.loads(b"{" + counts_line.removeprefix(b"],").rstrip(b",\n") + b"}")
    except (ValueError, KeyError, TypeError):
        signature, counts = "", {}
    if not isinstance(signature, str) or not hmac.compare_digest(signature, mac.hexdigest()):
        raise DigestError(f"Bản tóm lược {path} không hợp lệ: chữ ký sai, tệp đã bị sửa.")
    return Digest(
        path, header["date"], header["generated_at"], counts["dossier_count"], counts["event_count"]
    )


def _read_signed(f, path: Path) -> tuple[dict, "hmac.HMAC", bytes, bytes]:
    """The header, the HMAC of every line before the last one, the counts line and the last line."""
    first = f.readline()
    try:
        header = json.loads(first.removesuffix(b',"dossiers":[\n') + b"}")
        if header.get("format") != DIGEST_FORMAT:
            raise ValueError(header.get("format"))
    except (ValueError, AttributeError) as exc:
        raise DigestError(f"Bản tóm lược {path} không hợp lệ: không đúng định dạng {DIGEST_FORMAT}.") from exc
    kid = header.get("key_id")
    key = known_keys().get(kid) if isinstance(kid, str) else None
    if key is None:
        raise DigestError(f"Bản tóm lược {path} không hợp lệ: ký bằng khóa không xác định (mã khóa “{kid}”).")
    mac = _mac(key).copy()
    mac.update(first)
    counts_line, last = b"", b""
    for line in f:  # everything before the last line is signed
        mac.update(last)
        counts_line, last = last, line
    return header, mac, counts_line, last
