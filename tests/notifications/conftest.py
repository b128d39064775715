"""A real SMTP server on loopback (aiosmtpd) and the
settings that point the mail framework and the SMS gateway at them."""

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from motcua.integrations import registry

PUBLIC_URL = "https://dichvucong.dongnai.test"
MAIL_FROM = "Một cửa điện tử Đồng Nai <khong-tra-loi@motcua.dongnai.test>"
# Addresses the test SMTP server refuses: for good (5xx) or for now (4xx).
UNKNOWN_MAILBOX = "khong-ton-tai@example.vn"
FULL_MAILBOX = "hop-thu-day@example.vn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server accepted: one entry per accepted DATA (one per message sent)."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == UNKNOWN_MAILBOX:
            return "550 5.1.1 Mailbox does not exist"
        if address == FULL_MAILBOX:
            return "452 4.2.2 Mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpts, m in self.messages if address in rcpts]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 (aiosmtpd in its own thread), startable on a chosen port."""

    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_settings(settings):
    """The mail framework on a free loopback port (nothing listens there until `smtp` starts)."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = MAIL_FROM
    settings.PUBLIC_URL = PUBLIC_URL
    settings.MOTCUA_NOTIFICATIONS = {"backoff_base": 60.0, "backoff_cap": 600.0, "max_attempts": 3}
    return port


@pytest.fixture
def smtp(mail_settings):
    server = SmtpServer(mail_settings).start()
    yield server
    server.stop()


@pytest.fixture
def sms_log(settings, tmp_path):
    """The demo SMS gateway, writing to a temporary folder."""
    folder = tmp_path / "sms"
    settings.MOTCUA_INTEGRATIONS = {
        **settings.MOTCUA_INTEGRATIONS,
        "sms": {"adapter": "log", "base_url": str(folder)},
    }
    registry.reset()
    yield folder / "sms.log"
    registry.reset()


@pytest.fixture
def no_sms(settings):
    settings.MOTCUA_INTEGRATIONS = {**settings.MOTCUA_INTEGRATIONS, "sms": {"adapter": "log", "base_url": ""}}
    registry.reset()
    yield
    registry.reset()
