"""Rate limits keyed by the client's address, read from settings at request time."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from motcua.core.net import client_address


class ClientAddressThrottle(SimpleRateThrottle):
    """Per client address, signed in or not: a login does not buy more guesses.

    DRF binds the rates when it is imported; reading them per request keeps
    `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` the one place to change them (and tests able to).
    """

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        # DRF's own get_ident believes any X-Forwarded-For when NUM_PROXIES is unset: one spoofed
        # header per request would give unlimited look-ups and password guesses (issue 8 item 2).
        return client_address(request)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LookupThrottle(ClientAddressThrottle):
    """The public status look-up (codes and secrets must not be probed)."""

    scope = "lookup"
