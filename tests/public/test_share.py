"""The share link of one result: keeps working, counts opens, and never holds an expiring URL."""

import pytest
from django.urls import reverse

from builder.models import AppState
from generation.models import Run
from tests.factories import RunFactory
from tests.runs.helpers import finish_with_images

from .helpers import generate

pytestmark = pytest.mark.django_db


def test_share_page_shows_images_through_stable_urls_only(client):
    run = RunFactory()
    finish_with_images(run, count=2)
    response = client.get(f"/r/{run.id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert run.app.name in html
    assert reverse("generation:thumb", args=[run.id, 1]) in html
    assert reverse("generation:image", args=[run.id, 0]) + "?download=1" in html
    assert "X-Amz" not in html and "Signature" not in html and "Expires" not in html
    assert f"Make your own with {run.app.name}" in html
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_opening_a_share_link_counts(client):
    run = RunFactory()
    client.get(f"/r/{run.id}/", REMOTE_ADDR="198.51.100.2")
    client.get(f"/r/{run.id}/", REMOTE_ADDR="198.51.100.3")
    run.refresh_from_db()
    assert run.share_open_count == 2


def test_the_visitor_who_made_it_opening_it_again_is_not_a_share(client):
    app = RunFactory().app
    generate(client, app, ip="203.0.113.7")
    run = Run.objects.get(visitor_hash__gt="")
    client.get(f"/r/{run.id}/", REMOTE_ADDR="203.0.113.7")
    client.get(f"/r/{run.id}/", REMOTE_ADDR="198.51.100.9")
    run.refresh_from_db()
    assert run.share_open_count == 1


def test_share_of_a_running_run_shows_progress(client):
    run = RunFactory()
    html = client.get(f"/r/{run.id}/").content.decode()
    assert reverse("generation:run_status", args=[run.id]) in html and "<progress" in html


def test_share_of_a_draft_apps_result_does_not_link_the_app(client):
    run = RunFactory(app__state=AppState.DRAFT)
    html = client.get(f"/r/{run.id}/").content.decode()
    assert "Make your own" not in html


def test_unknown_share_link_is_404(client):
    assert client.get("/r/2b1f2c34-8d6e-4f59-9e83-3f0c0a1b2c3d/").status_code == 404
