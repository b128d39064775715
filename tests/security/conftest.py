"""Fixtures for the security tests: a superuser with a known password, a clean cache."""

import pytest
from django.core.cache import cache

PASSWORD = "Mật-khẩu-đúng-2026"


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    # Rate-limit counters live in the cache, which outlives a test (lock-outs live in the database,
    # rolled back with each test).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("quantri.thu", "quantri@example.invalid", PASSWORD)
