"""What every SMS gateway offers: send one text to one number, and say how a failure should be taken."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SmsSent:
    """The gateway accepted the message; `reference` is its own id of it (for the carrier's reports)."""

    reference: str = ""


class SmsError(Exception):
    """The gateway did not take the message. `permanent`: sending it again can never work (a number
    the gateway refuses, a text it rejects) — the message is set aside with this reason; otherwise
    (gateway down, overloaded, a timeout) it is tried again later."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class SmsGateway(Protocol):
    def send(self, to: str, text: str, *, message_id: str) -> SmsSent:
        """Send `text` to the phone number `to`. `message_id` is stable across retries of the same
        message, so a gateway that saw it already can drop the duplicate. Raises `SmsError`."""
        ...
