"""Public-page fixtures: a private cache namespace per test, so rate-limit counters never leak between
tests, test runs or other areas sharing the same Redis."""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings


@pytest.fixture(autouse=True)
def isolated_cache():
    caches = {name: {**conf, "KEY_PREFIX": f"test-public-{uuid.uuid4().hex}"} for name, conf in settings.CACHES.items()}
    with override_settings(CACHES=caches):
        yield
