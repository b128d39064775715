"""The demo province, loaded once per module and rolled back after it; each test in a savepoint."""

import pytest

from motcua.calendar import services as calendar_services
from tests.dossiers.kit import loaded_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), loaded_demo() as summary:
        yield summary


@pytest.fixture(autouse=True)
def _printing_test(demo, db, settings, tmp_path):
    """Every test here runs on the demo data, stores its files in a temporary folder and reads the
    calendar as migrated (another module's rolled-back edits must not linger in the cache)."""
    settings.MEDIA_ROOT = str(tmp_path)
    calendar_services.invalidate_calendar()
    yield
    calendar_services.invalidate_calendar()
