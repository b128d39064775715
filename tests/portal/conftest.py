import pytest

from tests.dossiers.kit import loaded_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), loaded_demo() as summary:
        yield summary
