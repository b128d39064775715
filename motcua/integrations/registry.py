"""The configured adapter of each national system, built once per process from settings.

`MOTCUA_INTEGRATIONS = {"dvcqg": {"adapter": "rest" | "service" | "<dotted.path.Factory>",
"base_url": ..., ...}}`; an empty `base_url` means "not connected" and `get()` answers None, so a
laptop without the simulator still works (the outbox keeps everything until a portal is there).
Later adapters (VNeID, payment platform, SMS, signing) register their kinds here the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

# name → {kind → dotted path of a factory taking the settings dict}
_KINDS: dict[str, dict[str, str]] = {
    "dvcqg": {
        "rest": "motcua.integrations.dvcqg.rest.RestPortal",
        "service": "motcua.integrations.dvcqg.service.ServicePortal",
    },
    # VNeID / the national SSO: an OpenID Connect relying party (R-26, issue 11).
    "vneid": {"oidc": "motcua.integrations.vneid.client.OidcClient"},
    # The payment platform on the national portal, PayGov (R-29, issue 11).
    "paygov": {"rest": "motcua.integrations.paygov.client.PayGovClient"},
    # SMS to applicants (issue 11): "log" writes them to a folder (the demo), "http" POSTs JSON.
    "sms": {
        "log": "motcua.integrations.sms.log.LogGateway",
        "http": "motcua.integrations.sms.http_gateway.HttpGateway",
    },
    # The units' PAdES seals on electronic results (issue 12): "local" keys in a folder (base_url)
    # or a "remote" signing service (ký số từ xa; base_url is its address).
    "signing": {
        "local": "motcua.integrations.signing.local.LocalKeys",
        "remote": "motcua.integrations.signing.remote.RemoteSigningService",
    },
}
_built: dict[str, Any] = {}
_lock = threading.Lock()


def register(name: str, kind: str, factory_path: str) -> None:
    _KINDS.setdefault(name, {})[kind] = factory_path


def config(name: str) -> dict[str, Any]:
    return dict(getattr(settings, "MOTCUA_INTEGRATIONS", {}).get(name, {}))


def get(name: str) -> Any | None:
    """The adapter for `name`, or None when it is not configured (no base URL)."""
    conf = config(name)
    if not conf.get("base_url"):
        return None
    key = f"{name}:{sorted(conf.items())!r}"  # settings overridden in a test build a fresh one
    with _lock:
        if key not in _built:
            kind = conf.get("adapter", "rest")
            path = _KINDS.get(name, {}).get(kind, kind)
            factory: Callable[[dict[str, Any]], Any] = import_string(path)
            _built[key] = factory(conf)
        return _built[key]


def reset() -> None:
    """Forget built adapters (tests that point the settings at a new simulator)."""
    with _lock:
        for adapter in _built.values():
            close = getattr(adapter, "close", None)
            if close:
                close()
        _built.clear()
