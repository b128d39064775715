"""Systems allowed to push forwarded dossiers to `POST /api/v1/national/dossiers` (the national
portal through the LGSP, a ministry's system), each with its own key and its own units.

A key is shown once, when it is made; only its SHA-256 digest is stored, so the partner table read
from a backup or a leaked dump lets no one push dossiers. A key is long and random (256 bits), so a
plain digest is enough: there is nothing to guess that a slow hash would protect.
"""

import datetime
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.errors import InvalidInput
from motcua.org.models import Unit
from motcua.sync.models import Partner

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
# `last_used_at` is written at most this often: concurrent pushes of one partner must not all
# queue on its row to record the same minute.
_TOUCH_EVERY = datetime.timedelta(seconds=60)
# Compared against when the partner code is unknown, so that an unknown code and a wrong key take
# the same time (the code of a partner is not to be found out by timing).
_NO_DIGEST = hashlib.sha256(b"motcua-no-such-partner").hexdigest()


@dataclass(frozen=True)
class NewKey:
    partner: Partner
    key: str  # shown once; never stored

    @property
    def credentials(self) -> str:
        """What the partner sends: `Authorization: Partner <code>:<key>`."""
        return f"{self.partner.code}:{self.key}"


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> str:
    return secrets.token_urlsafe(32)


def _units(codes: Iterable[str]) -> list[Unit]:
    wanted = sorted({c.strip() for c in codes if c.strip()})
    found = {u.code: u for u in Unit.objects.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise InvalidInput(f"Không có đơn vị mã: {', '.join(missing)}.", field="units")
    return [found[c] for c in wanted]


def create_partner(code: str, name: str, *, unit_codes: Iterable[str]) -> NewKey:
    """A new partner with a random key (returned once) allowed to forward to `unit_codes` and
    their sub-units."""
    code = code.strip().lower()
    if not _CODE.match(code):
        raise InvalidInput(
            "Mã đối tác gồm 2–64 ký tự chữ thường không dấu, chữ số, “-” hoặc “_”.", field="code"
        )
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Phải có tên đối tác.", field="name")
    units = _units(unit_codes)
    if not units:
        raise InvalidInput("Phải chọn ít nhất một đơn vị đối tác được chuyển hồ sơ đến.", field="units")
    key = _new_key()
    try:
        with transaction.atomic():
            partner = Partner.objects.create(code=code, name=name[:255], key_digest=key_digest(key))
            partner.units.set(units)
    except IntegrityError:
        raise InvalidInput(f"Đã có đối tác mã “{code}”.", field="code") from None
    return NewKey(partner=partner, key=key)


def set_new_key(partner: Partner) -> str:
    """Give an unsaved (or about to be saved) partner a new key: its digest is set on the instance,
    the key returned to be shown once."""
    key = _new_key()
    partner.key_digest = key_digest(key)
    return key


def rotate_key(partner: Partner) -> NewKey:
    """A new key for `partner` (the old one stops working at once); returned once."""
    key = set_new_key(partner)
    Partner.objects.filter(pk=partner.pk).update(key_digest=partner.key_digest)
    return NewKey(partner=partner, key=key)


def authenticate(code: str, key: str, *, now: datetime.datetime | None = None) -> Partner | None:
    """The active partner these credentials are of, or None. The digests are compared in constant
    time, and an unknown code costs the same comparison as a wrong key."""
    partner = Partner.objects.filter(code=code.strip().lower(), active=True).first() if code else None
    given = key_digest(key or "")
    if not hmac.compare_digest(given, partner.key_digest if partner else _NO_DIGEST) or partner is None:
        return None
    now = now or timezone.now()
    if partner.last_used_at is None or partner.last_used_at < now - _TOUCH_EVERY:
        Partner.objects.filter(pk=partner.pk).update(last_used_at=now)
        partner.last_used_at = now
    return partner


def parse_credentials(value: str) -> tuple[str, str] | None:
    """`<code>:<key>` → (code, key); None when it is not of that shape."""
    code, sep, key = value.strip().partition(":")
    if not sep or not code or not key:
        return None
    return code, key


def in_scope(partner: Partner, unit: Unit) -> bool:
    """Whether `partner` may forward dossiers to `unit`: one of its units or below one of them."""
    allowed = set(partner.units.values_list("pk", flat=True))
    return bool(allowed & {unit.pk, *(a.pk for a in unit.ancestors())})
