"""Queries per page do not grow with the number of apps or runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from generation.models import OutputImage, RunStatus
from tests.factories import AppFactory, RunFactory, UserFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_runs(app, n):
    for i in range(n):
        run = RunFactory(app=app, status=RunStatus.SUCCEEDED if i % 3 else RunStatus.FAILED)
        OutputImage.objects.create(
            run=run, index=0, key=f"{i}.png", thumb_key=f"{i}.webp", width=8, height=8, bytes=1,
            content_type="image/png", sha256="x",
        )  # fmt: skip


def test_dashboard_queries_do_not_grow_with_apps(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)
    add_runs(AppFactory(owner=user), 2)
    one = count_queries(client, reverse("builder:dashboard"))
    for _ in range(15):
        add_runs(AppFactory(owner=user), 2)
    with django_assert_max_num_queries(one):
        client.get(reverse("builder:dashboard"))


def test_app_page_queries_do_not_grow_with_runs(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)
    app = AppFactory(owner=user)
    add_runs(app, 1)
    url = reverse("builder:app_detail", args=[app.pk])
    one = count_queries(client, url)
    add_runs(app, 30)
    with django_assert_max_num_queries(one):
        client.get(url)


def test_app_form_queries_do_not_grow_with_fields_or_apps(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)
    app = AppFactory(owner=user)
    url = reverse("builder:app_edit", args=[app.pk])
    one = count_queries(client, url)
    for i in range(10):
        app.fields.create(order=i + 1, key=f"extra{i}", label=f"Extra {i}", required=False)
        AppFactory(owner=user)
    with django_assert_max_num_queries(one):
        client.get(url)
