"""Sending the applicants' notifications (issue 11): at least once, never by two workers at once.

1. **Claim**: the messages due now (pending, or failed and their back-off over), nobody's lease
   running, oldest first, are leased to this worker by one conditional UPDATE (`claimed_by`,
   `claimed_until`). Two workers that read the same rows both try to lease them; the database
   applies the UPDATEs one after the other and the second finds the lease taken (PostgreSQL
   re-checks the WHERE on the row the first one committed; SQLite has one writer at a time). Each
   then sends only the rows it holds.
2. **Send** (outside any transaction): e-mail through Django's mail framework (one connection per
   round), SMS through the configured gateway (`motcua.integrations.sms`).
3. **Mark**, only rows this worker still holds: sent; failed with a back-off (exponential with
   jitter); or dead with the reason — an address the server refuses for good (SMTP 5xx), a text
   the gateway refuses, or `max_attempts` refusals in a row. A server that cannot be reached never
   sets a message aside: it is tried again, its wait growing up to the cap, until it gets through.

A worker that dies between sending and marking leaves a lease that runs out: the message is sent
again (at least once). Its `Message-ID` (and the SMS's `id`) stays the same, so mail clients and
gateways can see the duplicate.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.utils import timezone

from motcua.core import leasing
from motcua.core.leasing import default_worker_id
from motcua.integrations import registry
from motcua.integrations.sms import SmsError
from motcua.notifications.models import Channel, Notification, NotificationState

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "batch_size": 50,
    "max_attempts": 10,
    "backoff_base": 30.0,
    "backoff_cap": 3600.0,
    "lease_seconds": 120.0,
}
TO_SEND = (NotificationState.PENDING, NotificationState.FAILED)


def config() -> dict[str, Any]:
    return leasing.config("MOTCUA_NOTIFICATIONS", DEFAULTS)


# --- what a round did ------------------------------------------------------------------------------


@dataclass
class Round:
    worker_id: str
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    lost_lease: int = 0  # marked by nobody: another worker took the message over (too slow)
    errors: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        return self.claimed == 0

    @property
    def moved(self) -> bool:
        return self.sent > 0 or self.dead > 0


@dataclass
class DrainResult:
    rounds: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0

    def add(self, r: Round) -> None:
        self.rounds += 1
        self.sent += r.sent
        self.retried += r.retried
        self.dead += r.dead


@dataclass
class Outcome:
    """`sent`; `retry` (counts towards max_attempts); `outage` (the server or gateway cannot be
    reached: retried, never set aside); `dead` (can never succeed)."""

    kind: str
    reason: str = ""


SENT = Outcome("sent")


# --- 1. claim --------------------------------------------------------------------------------------


def _due(now: datetime.datetime) -> Q:
    return Q(state__in=TO_SEND) & leasing.ready(now, due_field="next_attempt_at")


def claim(*, worker_id: str, batch_size: int, now: datetime.datetime, lease: float) -> list[Notification]:
    candidates = list(
        Notification.objects.filter(_due(now)).order_by("pk").values_list("pk", flat=True)[:batch_size]
    )
    if not candidates:
        return []
    # The condition is checked again by the UPDATE itself: a row another worker leased meanwhile
    # is left alone (module docstring).
    until = leasing.take(
        Notification.objects.filter(_due(now)), candidates, worker_id=worker_id, now=now, lease=lease
    )
    return list(
        Notification.objects.filter(pk__in=candidates, claimed_by=worker_id, claimed_until=until).order_by(
            "pk"
        )
    )


def ready_count(now: datetime.datetime | None = None) -> int:
    return Notification.objects.filter(_due(now or timezone.now())).count()


def next_attempt_at() -> datetime.datetime | None:
    """When the earliest message waiting for its back-off may be tried again."""
    waiting = Notification.objects.filter(state__in=TO_SEND)
    return leasing.next_due(waiting, due_field="next_attempt_at", now=timezone.now())


# --- 2. send ---------------------------------------------------------------------------------------


def _mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)
    return address[1].strip(" >") if len(address) == 2 else "motcua.invalid"


def _smtp_outcome(exc: Exception) -> Outcome:
    """How an SMTP failure is taken: 5xx about this message or address → dead, 4xx → retry,
    no server → outage."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refusals = [f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()]
        codes = [code for code, _ in exc.recipients.values()]
        reason = "Máy chủ thư từ chối địa chỉ người nhận — " + "; ".join(refusals)
        return Outcome("dead" if codes and all(c >= 500 for c in codes) else "retry", reason)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        # The sender address is the installation's, not the message's fault: retried, never dead.
        return Outcome(
            "outage", f"Máy chủ thư từ chối địa chỉ gửi {exc.sender}: {exc.smtp_code} {_text(exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPDataError):
        kind = "dead" if exc.smtp_code >= 500 else "retry"
        return Outcome(kind, f"Máy chủ thư từ chối thư: {exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return Outcome("retry", f"Máy chủ thư trả lời {exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, (smtplib.SMTPException, OSError)):
        return Outcome("outage", f"Không kết nối được máy chủ thư: {exc!r}")
    if isinstance(exc, (ValueError, UnicodeError)):
        # Django refuses to build the message: an address that is not one (R: nothing to retry).
        return Outcome("dead", f"Địa chỉ thư điện tử không hợp lệ: {exc}")
    return Outcome("retry", f"Lỗi khi gửi thư: {exc!r}")


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


class _Mailer:
    """One SMTP connection for the round; after an outage the round stops trying e-mails (each
    would only wait for its own timeout)."""

    def __init__(self):
        self.connection = None
        self.down: Outcome | None = None

    def send(self, n: Notification) -> Outcome:
        if self.down is not None:
            return self.down
        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
            message = EmailMessage(
                subject=n.subject,
                body=n.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[n.recipient],
                headers={"Message-ID": f"<{n.message_id}@{_mail_domain()}>"},
                connection=self.connection,
            )
            message.send()
        except Exception as exc:
            outcome = _smtp_outcome(exc)
            if outcome.kind == "outage":
                self.down = outcome
                self.close()
            elif not isinstance(exc, smtplib.SMTPRecipientsRefused):
                self.close()  # the session may be in any state: a fresh one for the next message
            return outcome
        return SENT

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # already broken: nothing to close cleanly
                logger.debug("SMTP connection close failed", exc_info=True)
            self.connection = None


def _send_sms(gateway, n: Notification) -> Outcome:
    if gateway is None:
        return Outcome("outage", "Chưa cấu hình cổng SMS (MOTCUA_SMS_URL).")
    try:
        gateway.send(n.recipient, n.body, message_id=str(n.message_id))
    except SmsError as exc:
        return Outcome("dead" if exc.permanent else "outage", exc.message[:2000])
    except Exception as exc:
        return Outcome("retry", f"Lỗi khi gửi SMS: {exc!r}")
    return SENT


# --- 3. mark ---------------------------------------------------------------------------------------


def _mark(n: Notification, outcome: Outcome, *, worker_id: str, conf: dict, result: Round) -> None:
    now = timezone.now()
    held = Notification.objects.filter(pk=n.pk, claimed_by=worker_id, claimed_until=n.claimed_until)
    attempts = n.attempts + 1
    release = {"claimed_by": "", "claimed_until": None, "attempts": attempts}
    if outcome.kind == "sent":
        done = held.update(state=NotificationState.SENT, sent_at=now, next_attempt_at=None, **release)
        result.sent += done
    elif outcome.kind == "dead" or (outcome.kind == "retry" and attempts >= int(conf["max_attempts"])):
        reason = (
            outcome.reason
            if outcome.kind == "dead"
            else f"Gửi {attempts} lần không thành công. {outcome.reason}"
        )
        done = held.update(
            state=NotificationState.DEAD, last_error=reason[:2000], next_attempt_at=None, **release
        )
        result.dead += done
    else:
        wait = leasing.backoff(
            attempts, base=float(conf["backoff_base"]), cap=float(conf["backoff_cap"]), jitter="equal"
        )
        done = held.update(
            state=NotificationState.FAILED,
            last_error=outcome.reason[:2000],
            next_attempt_at=now + datetime.timedelta(seconds=wait),
            **release,
        )
        result.retried += done
    if not done:
        result.lost_lease += 1
        logger.warning("Thông báo %s: đã hết thời hạn giữ, một tiến trình khác đã nhận gửi", n.pk)


# --- the services ----------------------------------------------------------------------------------


def deliver_ready(
    *,
    worker_id: str,
    batch_size: int | None = None,
    now: datetime.datetime | None = None,
    lease: float | None = None,
) -> Round:
    """One round: claim, send, mark (module docstring)."""
    conf = config()
    result = Round(worker_id=worker_id)
    messages = claim(
        worker_id=worker_id,
        batch_size=batch_size or int(conf["batch_size"]),
        now=now or timezone.now(),
        lease=float(lease or conf["lease_seconds"]),
    )
    result.claimed = len(messages)
    if not messages:
        return result
    mailer = _Mailer()
    gateway = registry.get("sms") if any(n.channel == Channel.SMS for n in messages) else None
    try:
        for n in messages:
            try:
                outcome = mailer.send(n) if n.channel == Channel.EMAIL else _send_sms(gateway, n)
            except Exception as exc:  # a bug must not leave the lease to run out silently
                logger.exception("Thông báo %s: lỗi khi gửi", n.pk)
                result.errors.append(repr(exc))
                outcome = Outcome("retry", f"Lỗi nội bộ: {exc!r}")
            _mark(n, outcome, worker_id=worker_id, conf=conf, result=result)
    finally:
        mailer.close()
    return result


def drain(
    *,
    worker_id: str | None = None,
    batch_size: int | None = None,
    max_seconds: float | None = None,
    max_rounds: int | None = None,
    now: datetime.datetime | None = None,
    lease: float | None = None,
) -> DrainResult:
    """Rounds until nothing is due (or the time or round budget is spent)."""
    worker_id = worker_id or default_worker_id()
    total = DrainResult()
    for r in leasing.rounds(
        lambda: deliver_ready(worker_id=worker_id, batch_size=batch_size, now=now, lease=lease),
        max_rounds=max_rounds,
        max_seconds=max_seconds,
    ):
        total.add(r)
    return total
