"""The fixtures of every test package that works on the demo province: import them into the
package's conftest (`from tests.demo_province import demo, on_demo  # noqa: F401`)."""

import pytest

from motcua.calendar import services as calendar_services
from tests.dossiers.kit import loaded_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo province, loaded once per module and rolled back after it."""
    with django_db_blocker.unblock(), loaded_demo() as summary:
        yield summary


@pytest.fixture(autouse=True)
def on_demo(demo, db, settings, tmp_path):
    """Every test runs on the demo data in its own savepoint, stores its files in a temporary
    folder and reads the calendar as migrated (another module's rolled-back edits must not linger
    in the cache)."""
    settings.MEDIA_ROOT = str(tmp_path)
    calendar_services.invalidate_calendar()
    yield
    calendar_services.invalidate_calendar()
