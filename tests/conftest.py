"""Real services for the suite: PostgreSQL and Redis (must answer), S3 from moto's server on loopback,
a Celery worker, and headless Chromium through Playwright.

Under CI=true a missing PostgreSQL, Redis or Chromium fails the run; elsewhere browser tests skip.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import threading
import uuid

import pytest
from django.test import override_settings

IN_CI = os.getenv("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.getenv("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
S3_BUCKET = "appaca-test"
S3_CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pytest_sessionstart(session):
    """PostgreSQL and Redis must answer: the suite never silently falls back to something else."""
    import redis
    from django.conf import settings

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        pytest.exit(f"Redis at {settings.CELERY_BROKER_URL} does not answer: {exc}", returncode=3)
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit("The suite runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.", returncode=3)


# --- S3 (moto server mode) -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 endpoint on a free loopback port, for the whole session."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=S3_BUCKET)
    yield {"endpoint": endpoint, "bucket": S3_BUCKET, "client": client}
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def s3_storage(s3_server):
    """Every test stores through django-storages into the moto bucket, as production does."""
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": s3_server["endpoint"],
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 900,
            "file_overwrite": True,
            **S3_CREDENTIALS,
        },
    }
    from django.conf import settings

    overrides = override_settings(
        STORAGES={**settings.STORAGES, "default": storage},
        AWS_STORAGE_BUCKET_NAME=S3_BUCKET,
        AWS_S3_ENDPOINT_URL=s3_server["endpoint"],
    )
    overrides.enable()
    yield s3_server
    overrides.disable()


@pytest.fixture
def worker_env(s3_server, django_db_setup):
    """Environment for a worker *process*: the test database, Redis, the moto bucket."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        AWS_STORAGE_BUCKET_NAME=S3_BUCKET,
        AWS_S3_ENDPOINT_URL=s3_server["endpoint"],
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_S3_REGION_NAME="us-east-1",
        DJANGO_SETTINGS_MODULE="appaca.settings",
    )
    return env


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Transactional tests (real workers, live_server) flush the database at teardown, the seeded registry
    with it. Serialized rollback (pytest-django reads this fixture's name) reloads the migrated data before
    each of them, so their order does not matter."""


@pytest.fixture(autouse=True)
def seeded_registry(request):
    """Every database test starts with the registry the data migration seeds. A transactional test flushes
    the tables at teardown; whatever ran before, the seed (idempotent) puts the registry back."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        from django.apps import apps

        from generation.models import ImageModel

        if not ImageModel.objects.filter(key="offline").exists():
            importlib.import_module("generation.migrations.0002_seed_registry").seed(apps, None)
    yield


@pytest.fixture(scope="session", autouse=True)
def private_cache_keys():
    """Rate-limit counters and other cache keys live in the shared Redis: give this session its own prefix."""
    from django.conf import settings

    caches = {name: {**conf, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"} for name, conf in settings.CACHES.items()}
    overrides = override_settings(CACHES=caches)
    overrides.enable()
    yield
    overrides.disable()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the serialized migrated data reachable once Playwright runs its event loop in this thread: from
    then on asgiref hands the thread new connection objects, which would lack it (and skip the reload)."""
    from django.db import connections

    connection = connections["default"]
    if hasattr(connection, "_test_serialized_contents"):
        type(connection)._test_serialized_contents = connection._test_serialized_contents


# --- Celery ------------------------------------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (thread pool) consuming from Redis inside the test process.

    It sees the test database because it runs in this process. Tests about the queue itself (crashes,
    re-delivery) start a worker process instead, with `worker_env`.
    """
    from celery.contrib.testing.worker import start_worker

    from appaca.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    try:
        with start_worker(
            app, pool="threads", concurrency=4, perform_ping_check=False, queues=[queue], shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        app.conf.task_default_queue = os.getenv("CELERY_QUEUE", "appaca")


# --- Browser -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright():
    if not CHROMIUM:
        if IN_CI:
            pytest.fail("Chromium is not installed (apt-get install chromium); CI must run browser tests.")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def login_in_browser(live_server):
    """Sign a user in to a browser context by setting Django's session cookie."""
    from django.conf import settings as django_settings
    from django.test import Client

    def login(context, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return login


@pytest.fixture
def screenshot_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


__all__ = ["free_port", "threading"]


# --- OpenAI (a local server speaking its wire format; API in tests/openai_fake.py) --------------------------


@pytest.fixture
def openai_server(settings):
    """The real `openai` SDK talks to a local fake (validated against the OpenAPI spec): see tests/openai_fake.py
    for `queue(...)`, `requests`, `models`. OPENAI_TIMEOUT is 2 s so the "slow" behaviour times out fast.
    A request body that breaks the spec fails the test at teardown."""
    from tests.openai_fake import shared_server

    server = shared_server()
    server.reset()
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = server.url
    settings.OPENAI_TIMEOUT = 2
    yield server
    failures = list(server.validation_failures)
    server.reset()
    assert not failures, f"requests that break OpenAI's spec were sent: {failures}"
