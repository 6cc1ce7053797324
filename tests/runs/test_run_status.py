"""The run status endpoint: a self-polling htmx fragment, JSON for scripts, and a small page."""

import pytest
from django.urls import reverse

from generation.models import RunStatus
from tests.factories import RunFactory
from tests.runs.helpers import finish_with_images

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_running_run_fragment_polls_itself_with_progress_and_message(client):
    run = RunFactory(status=RunStatus.RUNNING, progress=40, status_message="Painting")
    url = reverse("generation:run_status", args=[run.id])

    response = client.get(url, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'hx-get="{url}"' in html
    assert 'hx-trigger="every 1s"' in html and 'hx-swap="outerHTML"' in html
    assert '<progress max="100" value="40"' in html
    assert "Painting" in html and "Running" in html


def test_preview_image_is_shown_while_running(client):
    run = RunFactory(status=RunStatus.RUNNING, preview_key="runs/x/preview.png")
    html = client.get(reverse("generation:run_status", args=[run.id]), **HTMX).content.decode()
    assert reverse("generation:preview", args=[run.id]) in html


def test_finished_run_fragment_answers_286_with_images_downloads_time_and_cost(client):
    run = RunFactory()
    finish_with_images(run, count=2, revised_prompt="A cheerful red fox sticker", cost_usd="0.0110")
    client.force_login(run.app.owner)

    response = client.get(reverse("generation:run_status", args=[run.id]), **HTMX)

    assert response.status_code == 286
    html = response.content.decode()
    assert "hx-get" not in html
    for index in (0, 1):
        assert reverse("generation:thumb", args=[run.id, index]) in html
        assert f"{reverse('generation:image', args=[run.id, index])}?download=1" in html
    assert html.count(">Download<") == 2
    assert "A cheerful red fox sticker" in html
    assert "Took 0.0 s" in html and "$0.0110" in html
    assert "X-Amz" not in html and "Signature" not in html  # no expiring URL in the page


def test_visitors_see_neither_the_cost_nor_the_vendors_error_detail(client):
    done = RunFactory()
    finish_with_images(done, count=1, cost_usd="0.0110")
    failed = RunFactory(
        status=RunStatus.FAILED,
        error_code="invalid_request",
        error_message="The image service refused the request.",
        error_detail="Invalid size for gpt-image-2.5-sunburst-2026-09-08",
    )

    done_html = client.get(reverse("generation:run_status", args=[done.id]), **HTMX).content.decode()
    failed_html = client.get(reverse("generation:run_status", args=[failed.id]), **HTMX).content.decode()

    assert "$0.0110" not in done_html and "Cost" not in done_html
    assert "The image service refused the request." in failed_html
    assert "sunburst" not in failed_html
    client.force_login(failed.app.owner)
    owner_html = client.get(reverse("generation:run_status", args=[failed.id]), **HTMX).content.decode()
    assert "Invalid size for gpt-image-2.5-sunburst-2026-09-08" in owner_html


def test_failed_run_fragment_shows_the_error_and_stops_polling(client):
    run = RunFactory(status=RunStatus.FAILED, error_code="content_policy", error_message="Blocked by safety.")
    response = client.get(reverse("generation:run_status", args=[run.id]), **HTMX)
    assert response.status_code == 286
    assert "Blocked by safety." in response.content.decode()


def test_status_never_names_the_model_that_served_the_run(client):
    run = RunFactory(status=RunStatus.RUNNING, vendor_model_sent="gpt-image-1.5")
    finish_with_images(run)
    for kwargs in (HTMX, {"HTTP_ACCEPT": "application/json"}, {}):
        body = client.get(reverse("generation:run_status", args=[run.id]), **kwargs).content.decode()
        assert run.model.display_name not in body
        assert "gpt-image" not in body and "offline" not in body.lower()


def test_json_status_has_the_documented_shape(client):
    run = RunFactory()
    finish_with_images(run)

    data = client.get(reverse("generation:run_status", args=[run.id]), HTTP_ACCEPT="application/json").json()

    assert data == {
        "id": str(run.id),
        "status": "succeeded",
        "progress": 100,
        "message": "",
        "error": {"code": "", "message": ""},
        "images": [
            {
                "index": 0,
                "url": reverse("generation:image", args=[run.id, 0]),
                "thumb_url": reverse("generation:thumb", args=[run.id, 0]),
                "width": 64,
                "height": 48,
            }
        ],
    }


def test_json_status_of_a_failed_run_carries_the_error_code(client):
    run = RunFactory(status=RunStatus.FAILED, error_code="bad_output", error_message="Unreadable image.")
    data = client.get(reverse("generation:run_status", args=[run.id]), HTTP_ACCEPT="application/json").json()
    assert data["status"] == "failed"
    assert data["error"] == {"code": "bad_output", "message": "Unreadable image."}
    assert data["images"] == []


def test_plain_browser_get_renders_a_page_with_the_fragment(client):
    run = RunFactory(status=RunStatus.QUEUED)
    response = client.get(reverse("generation:run_status", args=[run.id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and f'id="run-{run.id}"' in html and "Waiting for a worker" in html


def test_unknown_run_is_404(client):
    url = reverse("generation:run_status", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url, **HTMX).status_code == 404
    assert client.get(url, HTTP_ACCEPT="application/json").status_code == 404


def test_progress_bar_is_indeterminate_until_progress_is_reported(client):
    run = RunFactory(status=RunStatus.RUNNING, progress=0, status_message="Generating")
    html = client.get(reverse("generation:run_status", args=[run.id]), **HTMX).content.decode()
    assert '<progress max="100" aria-label="Progress">' in html and "Generating" in html
