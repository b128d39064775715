"""Back-office page tests: the demo province loaded once per module, a signed-in Django test client
per demo account, uploads in a temporary folder and the calendar as migrated."""

from collections.abc import Callable

import pytest
from django.test import Client

from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import user


@pytest.fixture
def client_for(db) -> Callable[[str], Client]:
    """`client_for("tiepnhan.tinh")` → a test client signed in as that demo account (no password
    round trip: the sign-in page has its own tests)."""

    def signed_in(username: str) -> Client:
        client = Client()
        client.force_login(user(username))
        return client

    return signed_in
