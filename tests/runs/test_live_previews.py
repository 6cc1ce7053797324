"""Live previews: a builder opts in; models that stream send partial images, which the run shows while it
works; their extra tokens are in the estimate; models that do not stream simply run without them."""

import time
from decimal import Decimal

import pytest
from django.urls import reverse

from builder.models import App
from generation import registry, services
from generation.models import Run, RunStatus
from tests.builder.helpers import app_data
from tests.factories import AppFactory, UserFactory, image_model

PARAMS = {"size": "1024x1024", "quality": "low", "background": "auto", "output_format": "png", "n": 1}


@pytest.mark.django_db
def test_builder_turns_live_previews_on_for_a_model_that_streams(client):
    client.force_login(UserFactory())
    data = app_data(model="gpt-image-2.5-sunburst", params_for="gpt-image-2.5-sunburst", live_previews="on")

    client.post(reverse("builder:app_new"), data)

    assert App.objects.get(slug="mug-shots").params["partial_images"] == 1
    page = client.get(reverse("builder:app_edit", args=[App.objects.get().pk])).content.decode()
    assert "Live previews" in page


@pytest.mark.django_db
def test_live_previews_are_priced_and_dropped_for_a_model_that_does_not_stream(settings):
    settings.OPENAI_API_KEY = "sk-test"
    sunburst, offline = image_model("gpt-image-2.5-sunburst"), image_model("offline")
    with_previews = {**PARAMS, "partial_images": 1}
    plain = services.run_prepare(model=sunburst, prompt="A fox", params=PARAMS)
    previewed = services.run_prepare(model=sunburst, prompt="A fox", params=with_previews)
    offline_run = services.run_prepare(model=offline, prompt="A fox", params=with_previews)

    # 100 extra image output tokens at $30 per million.
    assert previewed.estimated_cost_usd - plain.estimated_cost_usd == Decimal("0.003")
    assert previewed.params["partial_images"] == 1
    assert "partial_images" not in offline_run.params


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_with_live_previews_streams_and_keeps_a_preview(celery_worker, openai_server):
    app = AppFactory(model=image_model("gpt-image-2.5-sunburst"), params={**PARAMS, "partial_images": 1})
    run = services.run_start(app=app, model=app.model, prompt="A sticker of a red fox", params=app.params)

    deadline = time.monotonic() + 20
    while not Run.objects.get(pk=run.pk).is_finished and time.monotonic() < deadline:
        time.sleep(0.1)

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    (request,) = openai_server.requests
    assert request.body["stream"] is True and request.body["partial_images"] == 1
    assert run.preview_key and run.images.count() == 1
    assert registry.spec_for(run.model).vendor_id == request.model
