"""Sync-health tests: hand-built dossiers and outbox rows (the delivery history is written
directly: the delivery engine has its own tests) and a test client signed in per demo account.
The modules that work on the demo province import its fixtures themselves (the browser test runs
its own server and must not hold the test database)."""

from collections.abc import Callable

import pytest
from django.test import Client

from tests.dossiers.kit import user
from tests.sync_health.kit import Kit


@pytest.fixture
def kit(db) -> Kit:
    return Kit.start()


@pytest.fixture
def client_for(db) -> Callable[[str], Client]:
    def signed_in(username: str) -> Client:
        client = Client()
        client.force_login(user(username))
        return client

    return signed_in
