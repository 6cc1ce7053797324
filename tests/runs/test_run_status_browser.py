"""In Chromium: the status page polls while the worker paints, then shows the image and stops polling."""

import pytest
from django.urls import reverse

from generation import services
from generation.models import ImageModel
from tests.factories import AppFactory, image_model

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_status_page_shows_progress_then_the_image_with_a_download(celery_worker, live_server, page, tmp_path):
    offline = image_model("offline")
    slow = ImageModel.objects.create(
        key="offline-browser",
        display_name="Offline, slow",
        provider="offline",
        capabilities={**offline.capabilities, "simulated_latency_ms": 2500},
    )
    run = services.run_start(
        app=AppFactory(model=slow),
        model=slow,
        prompt="A sticker of a red fox",
        params={"size": "512x512", "quality": "low", "output_format": "png", "n": 1},
    )
    polls = []
    page.on("response", lambda r: polls.append(r.status) if "/status/" in r.url else None)

    page.goto(live_server.url + reverse("generation:run_status", args=[run.id]))

    fragment = page.locator(f"#run-{run.id}")
    fragment.locator("progress").wait_for()
    assert fragment.locator(".badge").inner_text() in {"Queued", "Running"}
    thumb = fragment.locator("img[alt='Generated image 1']")
    thumb.wait_for(timeout=20_000)
    assert fragment.locator(".badge").inner_text() == "Succeeded"
    page.wait_for_function("img => img.complete && img.naturalWidth === 384", arg=thumb.element_handle())
    download = fragment.get_by_role("link", name="Download")
    assert download.get_attribute("href") == reverse("generation:image", args=[run.id, 0]) + "?download=1"
    assert "Took" in fragment.inner_text() and "Offline" not in fragment.inner_text()
    page.screenshot(path=str(tmp_path / "run-status.png"))

    page.wait_for_timeout(2500)  # polling has stopped: no request after the 286
    assert polls[-1] == 286 and polls.count(286) == 1
