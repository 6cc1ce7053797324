"""The embeddable page: the same app in a minimal layout that other sites may frame."""

import pytest
from django.core.files.base import ContentFile

from builder.models import AppState
from generation.models import Run
from tests.factories import AppFactory

from .helpers import image_bytes

pytestmark = pytest.mark.django_db


def test_embed_may_be_framed_by_any_site(client):
    app = AppFactory(name="Sticker Studio")
    response = client.get(f"/a/{app.slug}/embed/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert response["Content-Security-Policy"] == "frame-ancestors *"
    assert "Sticker Studio" in html and 'name="subject"' in html
    assert 'class="site-header"' not in html


def test_embed_post_works_without_our_cookies_and_stays_in_the_embed(client):
    app = AppFactory()
    client.handler.enforce_csrf_checks = True  # a framed page on another site sends no CSRF cookie
    response = client.post(f"/a/{app.slug}/embed/", {"subject": "a fox"})
    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/a/{app.slug}/embed/?run={run.id}"
    page = client.get(response["Location"])
    assert f'id="run-{run.id}"' in page.content.decode()
    assert "X-Frame-Options" not in page.headers


def test_embed_shows_only_runs_of_its_own_app(client):
    app, other = AppFactory(), AppFactory()
    client.post(f"/a/{other.slug}/embed/", {"subject": "a fox"})
    run = Run.objects.get()
    html = client.get(f"/a/{app.slug}/embed/?run={run.id}").content.decode()
    assert f'id="run-{run.id}"' not in html
    assert client.get(f"/a/{app.slug}/embed/?run=not-a-uuid").status_code == 200


def test_normal_page_post_keeps_csrf_protection(client):
    app = AppFactory()
    client.handler.enforce_csrf_checks = True
    assert client.post(f"/a/{app.slug}/", {"subject": "a fox"}).status_code == 403
    assert not Run.objects.exists()


def test_draft_embed_is_404_for_visitors(client):
    app = AppFactory(state=AppState.DRAFT)
    assert client.get(f"/a/{app.slug}/embed/").status_code == 404


def test_cover_is_served_through_a_stable_url(client):
    app = AppFactory()
    app.cover.save("cover.png", ContentFile(image_bytes()), save=True)
    html = client.get(f"/a/{app.slug}/").content.decode()
    assert f'src="/a/{app.slug}/cover/"' in html
    response = client.get(f"/a/{app.slug}/cover/")
    assert response.status_code == 302 and "Signature=" in response["Location"]


def test_app_without_cover_has_no_cover_url(client):
    app = AppFactory()
    assert client.get(f"/a/{app.slug}/cover/").status_code == 404
