"""The demo's SMS gateway: writes each message to the log and to `<base_url>/sms.log` (JSON lines)."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

from django.utils import timezone

from motcua.integrations.sms.base import SmsError, SmsSent

logger = logging.getLogger(__name__)


class LogGateway:
    def __init__(self, conf: dict[str, Any]):
        folder = str(conf["base_url"])
        self.path = Path(folder.removeprefix("file://").removeprefix("file:")) / "sms.log"
        self._lock = threading.Lock()

    def send(self, to: str, text: str, *, message_id: str) -> SmsSent:
        if not to.strip():
            raise SmsError("Không có số điện thoại người nhận.", permanent=True)
        line = {"at": timezone.now().isoformat(), "id": message_id, "to": to, "text": text}
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise SmsError(f"Không ghi được tệp nhật ký SMS {self.path}: {exc}") from exc
        logger.info("SMS (demo, không gửi thật) tới %s: %s", to, text)
        return SmsSent(reference=message_id)
