"""The client's network address: one answer for every rate limit and lock-out.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only as far as our own
proxies wrote it: with `NUM_PROXIES` (env MOTCUA_NUM_PROXIES) reverse proxies in front of the app,
each appends the address it received from, and the N-th entry from the right is the one our
outermost proxy saw. Anything to its left was supplied by the client and is ignored; with no proxy
configured (the default) the header is ignored altogether. A spoofed header therefore buys neither
more look-ups nor more password guesses.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return peer
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        # Fewer entries than proxies: the request did not come through all of them.
        return peer
    return _valid(hops[-proxies]) or peer


def over_rate(request: HttpRequest, scope: str, rate: str) -> bool:
    """Count one request of `scope` from this client address against `rate` ("<n>/<s|min|h|day>",
    DRF's notation) and say whether it goes over. The counters live in the cache, which several
    server processes must share (MOTCUA_CACHE_URL) or each would grant its own quota."""
    count, timeout = SimpleRateThrottle.parse_rate(None, rate)  # DRF's "<n>/<period>" notation
    key = f"rate:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=timeout)
    try:
        seen = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        seen = 1
    return seen > count
