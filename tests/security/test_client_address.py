"""Item 2: the client address comes from one function; `X-Forwarded-For` is trusted only for the
configured number of proxies (`MOTCUA_NUM_PROXIES`, default 0), so a spoofed header buys no quota."""

import pytest
from django.test import RequestFactory, override_settings

from motcua.core.net import client_address

pytestmark = pytest.mark.django_db


def _rest(rates: dict) -> dict:
    from django.conf import settings

    return {"REST_FRAMEWORK": {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}}


@pytest.mark.parametrize(
    "num_proxies, forwarded, expected",
    [
        (0, "", "10.0.0.9"),
        (0, "203.0.113.7", "10.0.0.9"),  # no proxy configured: the header is anyone's to write
        (1, "203.0.113.7", "203.0.113.7"),  # the proxy appended the address it saw
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own prefix is ignored
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
        (1, "not-an-address", "10.0.0.9"),  # malformed: fall back to the peer
        (2, "203.0.113.7", "10.0.0.9"),  # fewer hops than proxies: the header was not ours
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_trusts_only_configured_proxies(num_proxies, forwarded, expected):
    meta = {"REMOTE_ADDR": "10.0.0.9"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    with override_settings(NUM_PROXIES=num_proxies):
        assert client_address(request) == expected


def test_spoofed_forwarded_for_cannot_exceed_the_api_lookup_quota(client):
    with override_settings(**_rest({"lookup": "3/min"})):
        statuses = [
            client.get(
                "/api/v1/lookup", {"code": "X", "secret": "Y"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
            ).status_code
            for i in range(5)
        ]
    assert statuses == [404, 404, 404, 429, 429]


def test_spoofed_forwarded_for_cannot_exceed_the_lookup_page_quota(client, settings):
    settings.LOOKUP_RATE = "3/min"
    statuses = [
        client.get(
            "/tra-cuu/", {"ma": "X", "ma_tra_cuu": "Y"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        ).status_code
        for i in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]


def test_behind_one_proxy_each_client_address_has_its_own_quota(client, settings):
    settings.NUM_PROXIES = 1
    settings.LOOKUP_RATE = "2/min"
    with override_settings(**_rest({"lookup": "2/min"})):
        for path, params in (
            ("/tra-cuu/", {"ma": "X", "ma_tra_cuu": "Y"}),
            ("/api/v1/lookup", {"code": "X", "secret": "Y"}),
        ):
            first = [
                client.get(path, params, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code for _ in range(3)
            ]
            other = client.get(path, params, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code
            assert first == [404, 404, 429], path
            assert other == 404, path
