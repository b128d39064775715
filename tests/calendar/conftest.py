"""Fixtures for the working-calendar tests. The test database is migrated, so it holds the seeded
2020–2030 calendar and the default office hours (migration 0002)."""

import pytest

from motcua.calendar import services
from motcua.calendar.services import WorkingCalendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    # A rolled-back test transaction sends no signal: never let one test's calendar leak into the next.
    services.invalidate_calendar()
    yield
    services.invalidate_calendar()


@pytest.fixture(scope="module")
def calendar(django_db_setup, django_db_blocker) -> WorkingCalendar:
    """The installation's calendar as seeded by the migrations, read once per module."""
    with django_db_blocker.unblock():
        return services.load_calendar()
