"""A simple HTTP SMS gateway: one JSON POST per message.

Request (`POST <base_url>`, `Content-Type: application/json`, `Authorization: Bearer <token>` when
a token is set):

    {"id": "<message id, stable across retries>", "to": "0900000001", "text": "<≤ 160 GSM-7 chars>"}

Answer: any 2xx accepts the message (an optional JSON body `{"reference": "..."}` is kept); 400,
404, 410 and 422 refuse it for good (a bad number, a text the gateway will never take: the body's
`error` or text is the reason); anything else — 401/403 (a token problem the operator fixes),
408, 429, 5xx, a timeout, no connection — is tried again later. A gateway that already accepted a
message with the same `id` should answer 2xx again without sending it twice.
"""

from __future__ import annotations

from typing import Any

import httpx

from motcua.integrations.sms.base import SmsError, SmsSent

PERMANENT_STATUSES = frozenset({400, 404, 410, 422})


class HttpGateway:
    def __init__(self, conf: dict[str, Any]):
        self.url = str(conf["base_url"])
        headers = {"Accept": "application/json"}
        if conf.get("token"):
            headers["Authorization"] = f"Bearer {conf['token']}"
        self.client = httpx.Client(headers=headers, timeout=float(conf.get("timeout") or 10))

    def close(self) -> None:
        self.client.close()

    def send(self, to: str, text: str, *, message_id: str) -> SmsSent:
        try:
            response = self.client.post(self.url, json={"id": message_id, "to": to, "text": text})
        except httpx.HTTPError as exc:
            raise SmsError(f"Không kết nối được cổng SMS: {exc!r}"[:500]) from exc
        if response.is_success:
            return SmsSent(reference=str(_json(response).get("reference", "")))
        reason = str(_json(response).get("error") or response.text or response.reason_phrase)[:500]
        raise SmsError(
            f"Cổng SMS trả lời {response.status_code}: {reason}",
            permanent=response.status_code in PERMANENT_STATUSES,
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
