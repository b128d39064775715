"""SMS gateways (issue 11): one interface, several kinds chosen in settings.

`MOTCUA_INTEGRATIONS["sms"] = {"adapter": "log" | "http" | "<dotted.path.Factory>", "base_url": ...}`
(registered in `motcua.integrations.registry`). An empty `base_url` means "no SMS contract": nothing
is sent by SMS. Build one with `motcua.integrations.registry.get("sms")`.

- `log` (the demo): `base_url` is the folder the messages are written to (`sms.log`, one JSON
  line each) — they are also logged. Nothing leaves the machine.
- `http`: a JSON POST per message to `base_url` (`http_gateway.HttpGateway` documents the protocol), with
  `token` as a Bearer token and `timeout` in seconds.
"""

from motcua.integrations.sms.base import SmsError, SmsGateway, SmsSent

__all__ = ["SmsError", "SmsGateway", "SmsSent"]
