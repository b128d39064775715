"""Back-office page tests: the demo province loaded once per module, a signed-in Django test client
per demo account, uploads in a temporary folder and the calendar as migrated."""

from collections.abc import Callable

import pytest
from django.test import Client

from motcua.calendar import services as calendar_services
from tests.dossiers.kit import loaded_demo, user


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), loaded_demo() as summary:
        yield summary


@pytest.fixture(autouse=True)
def _backoffice_test(demo, db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    calendar_services.invalidate_calendar()
    yield
    calendar_services.invalidate_calendar()


@pytest.fixture
def client_for(demo, db) -> Callable[[str], Client]:
    """`client_for("tiepnhan.tinh")` → a test client signed in as that demo account (no password
    round trip: the sign-in page has its own tests)."""

    def signed_in(username: str) -> Client:
        client = Client()
        client.force_login(user(username))
        return client

    return signed_in
