"""The public page of an app: what a visitor sees, and how Generate starts a run."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from builder.models import AppState, Field, FieldType
from generation.models import Run, RunSource, RunStatus
from tests.factories import AppFactory, RunFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_visitor_sees_name_description_form_and_estimate_without_signing_in(client):
    app = AppFactory(name="Sticker Studio", description="Cute stickers from a word.")
    response = client.get(f"/a/{app.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sticker Studio" in html and "Cute stickers from a word." in html
    assert '<label for="id_subject">Subject' in html
    assert "Takes about" in html and "Generate" in html
    assert "Preview" not in html


def test_every_field_type_gets_an_accessible_input(client):
    app = AppFactory(with_fields=False)
    Field.objects.create(app=app, order=0, key="subject", label="Subject", help_text="One or two words")
    Field.objects.create(app=app, order=1, key="story", label="Story", type=FieldType.LONG_TEXT, required=False)
    Field.objects.create(app=app, order=2, key="style", label="Style", type=FieldType.SELECT, options=["flat", "3d"])
    Field.objects.create(app=app, order=3, key="count", label="Count", type=FieldType.NUMBER, min_value=1, max_value=5)
    Field.objects.create(app=app, order=4, key="shiny", label="Shiny", type=FieldType.CHECKBOX)
    Field.objects.create(app=app, order=5, key="photo", label="Photo", type=FieldType.IMAGE, required=False)
    html = client.get(f"/a/{app.slug}/").content.decode()
    assert 'aria-describedby="id_subject_helptext"' in html and 'id="id_subject_helptext"' in html
    assert "<textarea" in html and 'name="story"' in html
    assert '<select name="style"' in html and '<option value="3d">' in html
    assert 'type="number" name="count"' in html and 'max="5.0"' in html
    assert 'type="checkbox" name="shiny"' in html
    assert 'type="file" name="photo"' in html and 'accept="image/png,image/jpeg,image/webp"' in html
    for key in ("subject", "story", "style", "count", "shiny", "photo"):
        assert f'for="id_{key}"' in html


def test_open_parameters_offer_only_what_the_model_can_do(client):
    app = AppFactory(visitor_params=["size", "quality", "n"])
    html = client.get(f"/a/{app.slug}/").content.decode()
    assert '<select name="param_size"' in html and "Landscape (1536 × 1024)" in html
    assert '<option value="high">High</option>' in html
    # The offline model makes at most 4 images a run.
    assert '<option value="4">4</option>' in html and '<option value="5">' not in html
    assert 'name="param_background"' not in html  # fixed by the builder: not offered


def test_plain_post_starts_a_public_run_and_redirects_to_its_result(client):
    app = AppFactory()
    response = client.post(f"/a/{app.slug}/", {"subject": "a red fox"})
    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("public:share", args=[run.id])
    assert run.source == RunSource.PUBLIC and run.app == app
    assert run.prompt == "A sticker of a red fox"
    assert run.inputs == {"subject": "a red fox"}
    assert len(run.visitor_hash) == 64 and "127.0.0.1" not in run.visitor_hash


def test_htmx_post_swaps_in_the_run_status(client):
    app = AppFactory()
    response = client.post(f"/a/{app.slug}/", {"subject": "a red fox"}, headers={"HX-Request": "true"})
    run = Run.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="generator"') and "<html" not in html
    assert f'id="run-{run.id}"' in html and reverse("generation:run_status", args=[run.id]) in html
    assert reverse("public:share", args=[run.id]) in html


def test_json_post_answers_201_with_the_run_links(client):
    app = AppFactory()
    response = client.post(f"/a/{app.slug}/", {"subject": "a fox"}, headers={"Accept": "application/json"})
    run = Run.objects.get()
    assert response.status_code == 201
    assert response.json()["run"]["id"] == str(run.id)
    assert response.json()["run"]["share_url"].endswith(f"/r/{run.id}/")


def test_missing_required_input_is_a_form_error_and_no_run(client):
    app = AppFactory()
    response = client.post(f"/a/{app.slug}/", {"subject": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html and 'id="id_subject_error"' in html
    assert 'aria-describedby="id_subject_error"' in html
    assert 'role="alert"' in html and "Please correct the highlighted fields." in html
    assert not Run.objects.exists()


def test_draft_app_is_404_for_visitors_and_other_builders(client):
    app = AppFactory(state=AppState.DRAFT)
    assert client.get(f"/a/{app.slug}/").status_code == 404
    assert client.post(f"/a/{app.slug}/", {"subject": "fox"}).status_code == 404
    assert client.get(f"/a/{app.slug}/embed/").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/a/{app.slug}/").status_code == 404
    assert not Run.objects.exists()


def test_owner_previews_a_draft_with_a_banner(client):
    app = AppFactory(state=AppState.DRAFT)
    client.force_login(app.owner)
    response = client.get(f"/a/{app.slug}/")
    assert response.status_code == 200
    assert "This app is a draft: only you can see this page." in response.content.decode()


def test_unknown_app_is_404(client):
    assert client.get("/a/no-such-app/").status_code == 404


def test_public_page_refuses_to_be_framed(client):
    app = AppFactory()
    response = client.get(f"/a/{app.slug}/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_time_estimate_follows_the_apps_recent_runs(client):
    app = AppFactory()
    now = timezone.now()
    for seconds in (10, 12, 40):
        RunFactory(app=app, status=RunStatus.SUCCEEDED, started_at=now - timedelta(seconds=seconds), finished_at=now)
    assert "Takes about 12 seconds." in client.get(f"/a/{app.slug}/").content.decode()
