"""The reports' tests: the demo province with the first quarter of 2026 of `dataset.py`, made once
per module through the real services and rolled back after it."""

import pytest
from django.test import override_settings

from motcua.calendar import services as calendar_services
from tests.demo_province import demo  # noqa: F401 (fixture)
from tests.reports.dataset import Quarter, build


@pytest.fixture(scope="module")
def quarter(demo, django_db_blocker, tmp_path_factory) -> Quarter:  # noqa: F811
    """The dossiers of dataset.py, inside the module's demo transaction; their files in a
    temporary folder, never the developer's media/."""
    media = tmp_path_factory.mktemp("reports-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        calendar_services.invalidate_calendar()
        return build()
