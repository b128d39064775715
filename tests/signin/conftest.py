"""Sign-in tests: the app served by pytest-django's live server, the VNeID-shaped provider as a
real Node.js subprocess (tests/signin/oidc.py), a person played by an httpx client."""

from collections.abc import Iterator

import httpx
import pytest
from django.contrib.auth import get_user_model

from motcua.org.identity import set_officer_personal_id
from motcua.org.models import Role
from motcua.org.services import grant_role
from tests.signin.oidc import OFFICER_JUSTICE, oidc_provider, vneid  # noqa: F401 (fixtures)


@pytest.fixture
def browser_http() -> Iterator[httpx.Client]:
    """One person's browser: keeps cookies, follows nothing by itself."""
    with httpx.Client(timeout=30.0) as http:
        yield http


@pytest.fixture
def justice_officer(justice_dept):
    user = get_user_model().objects.create_user("chuyenvien.sotuphap", first_name="Hồ Văn Tâm")
    grant_role(user, justice_dept, Role.PROCESSING_OFFICER)
    set_officer_personal_id(user, OFFICER_JUSTICE)
    return user
