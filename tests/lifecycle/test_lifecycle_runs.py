"""Runs around a shutdown date, end to end through the local OpenAI server: a model serves itself (deprecated,
days left) until the day it shuts down and its successor from that day on; a deprecated model still runs; a
text model's image tool always names its registry image model."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from generation import pricing, registry, services
from generation.models import ModelState, RunStatus
from generation.providers.base import Usage
from tests.factories import AppFactory, image_model

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PARAMS = {"size": "1024x1024", "quality": "low", "background": "auto", "output_format": "png", "n": 1}
SUNBURST_SNAPSHOT = "gpt-image-2.5-sunburst-2026-09-08"
FLARE_SNAPSHOT = "gpt-image-2.5-flare-2026-09-08"


def run_app(app):
    run = services.run_start(app=app, model=app.model, prompt="A sticker of a red fox", params=PARAMS)
    services.run_execute(run_id=run.id)
    run.refresh_from_db()
    return run


def sunburst_shutting_down(days_from_today: int):
    """GPT Image 2.5 Sunburst with a shutdown date relative to today's clock, succeeded by Flare."""
    sunburst = image_model("gpt-image-2.5-sunburst")
    sunburst.deprecation_announced = datetime.date(2026, 11, 1)
    sunburst.shutdown_date = timezone.now().date() + datetime.timedelta(days=days_from_today)
    sunburst.successor = image_model("gpt-image-2.5-flare")
    sunburst.save()
    return sunburst


def test_the_day_before_its_shutdown_a_deprecated_model_still_serves_its_own_runs(openai_server, private_queue):
    sunburst = sunburst_shutting_down(1)
    assert (sunburst.state, sunburst.days_left) == (ModelState.DEPRECATED, 1)

    run = run_app(AppFactory(model=sunburst))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert (run.requested_model.key, run.model.key, run.served_by_successor) == (sunburst.key, sunburst.key, False)
    assert [r.model for r in openai_server.requests] == [SUNBURST_SNAPSHOT]


def test_from_its_shutdown_day_the_successor_serves_and_the_retired_id_is_never_sent(openai_server, private_queue):
    sunburst = sunburst_shutting_down(0)
    assert sunburst.state == ModelState.RETIRED

    run = run_app(AppFactory(model=sunburst))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert (run.requested_model.key, run.model.key, run.served_by_successor) == (
        "gpt-image-2.5-sunburst",
        "gpt-image-2.5-flare",
        True,
    )
    assert run.vendor_model_sent == FLARE_SNAPSHOT
    assert [r.model for r in openai_server.requests] == [FLARE_SNAPSHOT]
    openai_server.assert_valid()


def test_deprecated_gpt_4_1_mini_still_runs_and_always_names_its_image_tool_model(openai_server, private_queue):
    mini = image_model("gpt-4.1-mini")
    assert mini.state == ModelState.DEPRECATED and mini.days_left > 0

    run = run_app(AppFactory(model=mini))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.model == mini and run.vendor_model_sent == "gpt-4.1-mini"
    [sent] = openai_server.requests
    assert sent.path == "/v1/responses"
    assert (sent.model, sent.tool_models) == ("gpt-4.1-mini", [FLARE_SNAPSHOT])
    openai_server.assert_valid()
    assert run.images.count() == 1
    assert run.cost_usd == pricing.cost_from_usage(registry.spec_for(mini), Usage.from_dict(run.usage)) > 0


def test_the_tool_model_staff_choose_is_the_one_sent(openai_server, private_queue):
    mini = image_model("gpt-4.1-mini")
    mini.tool_image_model = image_model("gpt-image-2")
    mini.save()

    run = run_app(AppFactory(model=mini))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert openai_server.requests[0].tool_models == ["gpt-image-2-2026-04-21"]


def test_a_retired_image_tool_model_is_never_sent_its_successor_is(openai_server, private_queue):
    flare = image_model("gpt-image-2.5-flare")
    flare.shutdown_date = timezone.now().date()
    flare.successor = image_model("gpt-image-2.5-sunburst")
    flare.save()

    run = run_app(AppFactory(model=image_model("gpt-4.1-mini")))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert openai_server.requests[0].tool_models == [SUNBURST_SNAPSHOT]


def test_a_retired_image_tool_model_with_no_successor_refuses_the_run_before_any_call(openai_server):
    flare = image_model("gpt-image-2.5-flare")
    flare.shutdown_date = timezone.now().date()
    flare.successor = None
    flare.save()

    with pytest.raises(services.RunRefusedError) as caught:
        services.run_start(
            app=AppFactory(model=image_model("gpt-4.1-mini")),
            model=image_model("gpt-4.1-mini"),
            prompt="x",
            params=PARAMS,
        )

    assert caught.value.message == "This app is being updated. Please try again later."
    assert "GPT Image 2.5 Flare" in caught.value.owner_message and "retired" in caught.value.owner_message
    assert openai_server.requests == []


def test_a_key_refused_the_model_is_model_unavailable_not_retried_and_shown_to_staff(
    openai_server, private_queue, admin_client
):
    openai_server.queue("forbidden")
    flare = image_model("gpt-image-2.5-flare")

    run = run_app(AppFactory(model=flare))

    assert (run.status, run.error_code, run.attempts) == (RunStatus.FAILED, "model_unavailable", 1)
    assert run.error_message == "This app's model is not available right now. The app is being updated."
    assert len(openai_server.requests) == 1
    flare.refresh_from_db()
    assert (flare.reachable, flare.last_error_code) == (False, "model_unavailable")
    model_page = admin_client.get(reverse("admin:generation_imagemodel_change", args=[flare.pk])).content.decode()
    assert "model_unavailable" in model_page
    run_page = admin_client.get(reverse("admin:generation_run_change", args=[run.pk])).content.decode()
    assert "model_unavailable" in run_page


def test_a_run_queued_before_the_shutdown_and_executed_after_it_goes_to_the_successor(openai_server, private_queue):
    sunburst = sunburst_shutting_down(1)
    run = services.run_start(app=AppFactory(model=sunburst), model=sunburst, prompt="A red fox", params=PARAMS)
    assert run.vendor_model_sent == SUNBURST_SNAPSHOT  # queued while it still served itself
    sunburst_shutting_down(0)  # the backlog drains after midnight on its shutdown day

    services.run_execute(run_id=run.id)

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert (run.requested_model.key, run.model.key) == ("gpt-image-2.5-sunburst", "gpt-image-2.5-flare")
    assert run.vendor_model_sent == FLARE_SNAPSHOT
    assert [r.model for r in openai_server.requests] == [FLARE_SNAPSHOT]


def test_a_run_queued_before_the_shutdown_of_a_model_with_no_successor_fails_clearly_without_a_call(
    openai_server, private_queue
):
    sunburst = sunburst_shutting_down(1)
    run = services.run_start(app=AppFactory(model=sunburst), model=sunburst, prompt="A red fox", params=PARAMS)
    sunburst.shutdown_date = timezone.now().date()
    sunburst.successor = None
    sunburst.save()

    services.run_execute(run_id=run.id)

    run.refresh_from_db()
    assert (run.status, run.error_code) == (RunStatus.FAILED, "model_retired")
    assert run.error_message == "This app is being updated. Please try again later."
    assert "was retired on" in run.error_detail and "Choose another model" in run.error_detail
    assert openai_server.requests == []
