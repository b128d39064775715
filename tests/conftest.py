"""Shared fixtures: a small real unit tree in the real database (SQLite or PostgreSQL)."""

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from hypothesis import HealthCheck, settings
from playwright.sync_api import Browser, sync_playwright

from motcua.org.models import Counter, Unit, UnitKind, UnitLevel

# Deadline-free, reproducible property tests: these machines are noisy and CI must not flake.
settings.register_profile(
    "motcua", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("motcua")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def province(db) -> Unit:
    return Unit.objects.create(
        code="000.00.00.H19",
        name="Ủy ban nhân dân tỉnh Đồng Nai",
        kind=UnitKind.PEOPLES_COMMITTEE,
        level=UnitLevel.PROVINCE,
    )


@pytest.fixture
def justice_dept(province) -> Unit:
    return Unit.objects.create(
        code="000.00.05.H19",
        name="Sở Tư pháp",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
        parent=province,
    )


@pytest.fixture
def construction_dept(province) -> Unit:
    return Unit.objects.create(
        code="000.00.08.H19",
        name="Sở Xây dựng",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
        parent=province,
    )


@pytest.fixture
def provincial_centre(province) -> Unit:
    return Unit.objects.create(
        code="000.00.40.H19",
        name="Trung tâm Phục vụ hành chính công tỉnh Đồng Nai",
        kind=UnitKind.SERVICE_CENTRE,
        level=UnitLevel.PROVINCE,
        parent=province,
    )


@pytest.fixture
def counter(provincial_centre, justice_dept) -> Counter:
    c = Counter.objects.create(centre=provincial_centre, number=1, name="Quầy Tư pháp")
    c.serves.add(justice_dept)
    return c


@pytest.fixture
def merger_day() -> datetime.date:
    return datetime.date(2025, 7, 1)


@pytest.fixture(scope="session", autouse=True)
def test_ca(tmp_path_factory) -> Iterator[Path]:
    """The TEST CA of the units' seals (`manage.py make_test_ca`), made once per session in a
    temporary folder that the demo settings trust (MOTCUA_TRUST_TEST_CA). No unit has a key there:
    results are sealed only where a test gives its unit one (`tests/documents/sealing.py`), so the
    rest of the suite issues results as before, whatever ran earlier."""
    from django.conf import settings as django_settings

    from motcua.integrations.signing.testca import ensure_test_ca

    directory = tmp_path_factory.mktemp("signing")
    ensure_test_ca(directory)
    saved = django_settings.MOTCUA_SIGNING_KEYS_DIR, django_settings.MOTCUA_INTEGRATIONS
    django_settings.MOTCUA_SIGNING_KEYS_DIR = str(directory)
    django_settings.MOTCUA_INTEGRATIONS = {**saved[1], "signing": {**saved[1]["signing"], "base_url": ""}}
    yield directory
    django_settings.MOTCUA_SIGNING_KEYS_DIR, django_settings.MOTCUA_INTEGRATIONS = saved


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to its own folder, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def keep_seeded_data(django_db_setup, django_db_blocker):
    """Transactional tests flush every table, the migrations' seed (working calendar, office hours)
    included; put it back after the module for the modules that run later, as Django's
    `serialized_rollback` would."""
    with django_db_blocker.unblock():
        seeded = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(seeded)
        # The seed comes back with its own ids; PostgreSQL's sequences, reset by the flush, must
        # move past them or the next insert collides with row 1.
        statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


@pytest.fixture(autouse=True)
def _seed_restored_after_transactional_modules(request):
    """Every module with a transactional test (marked so, or serving `live_server`) gets
    `keep_seeded_data`, even where its author forgot it: otherwise the modules that run later
    find no public holidays and count Tết as working days."""
    marker = request.node.get_closest_marker("django_db")
    if (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(
        request.fixturenames
    ):
        request.getfixturevalue("keep_seeded_data")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module's tests. Playwright's sync API keeps an event loop running in this
    thread while it is open: Django then refuses new database connections here, and a second
    instance cannot start. So it is closed after each module, and every browser test uses this."""
    assert Path(CHROMIUM).exists(), (
        "Debian's Chromium is needed: apt-get install -y chromium (make test does it)"
    )
    with sync_playwright() as playwright:
        # --lang: a Vietnamese browser, whose date boxes read dd/mm/yyyy as the officers' do.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=vi-VN"])
        yield browser
        browser.close()
