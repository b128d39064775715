import pytest

from tests.national_portal import national_portal, national_portal_process  # noqa: F401
from tests.sync_inbound.kit import FileHost


@pytest.fixture
def file_host():
    host = FileHost()
    yield host
    host.close()
