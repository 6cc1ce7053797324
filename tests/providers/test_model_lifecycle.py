"""Retired models: routed to a fitting successor (both recorded), refused before any call otherwise, never
sent; a vendor's "model not found" is its own error, not retried, and lands on the model's health."""

import datetime
from decimal import Decimal

import pytest

from generation import pricing, registry, services
from generation.models import ImageModel, Run, RunStatus
from generation.providers.base import Usage
from generation.services import RunRefusedError
from tests.factories import AppFactory, image_model

SHUTDOWN = datetime.date(2026, 10, 23)
SUNBURST_SNAPSHOT = "gpt-image-2.5-sunburst-2026-09-08"
PARAMS = {"size": "1024x1024", "quality": "low", "background": "auto", "output_format": "png", "n": 1}


def start(app, **params):
    return services.run_start(app=app, model=app.model, prompt="A sticker of a red fox", params={**PARAMS, **params})


@pytest.mark.django_db
def test_gpt_image_1_serves_itself_before_its_shutdown_and_its_successor_from_that_day():
    gpt_image_1 = image_model("gpt-image-1")

    assert registry.serving_model(gpt_image_1, PARAMS, day=SHUTDOWN - datetime.timedelta(days=1)) == gpt_image_1
    assert registry.serving_model(gpt_image_1, PARAMS, day=SHUTDOWN).key == "gpt-image-2.5-sunburst"
    assert registry.serving_model(gpt_image_1, PARAMS, day=datetime.date(2027, 3, 1)).key == "gpt-image-2.5-sunburst"


@pytest.mark.django_db
def test_run_for_an_app_on_gpt_image_1_records_the_requested_and_the_serving_model(openai_server):
    app = AppFactory(model=image_model("gpt-image-1"))

    run = start(app)

    assert run.requested_model.key == "gpt-image-1"
    assert run.model.key == "gpt-image-2.5-sunburst"
    assert run.vendor_model_sent == SUNBURST_SNAPSHOT
    assert run.served_by_successor
    assert run.estimated_cost_usd == Decimal("0.006")  # sunburst's published low estimate, not gpt-image-1's
    assert openai_server.requests == []  # nothing is sent before a worker executes the run


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retired_model_run_is_executed_by_the_successor_and_gpt_image_1_is_never_sent(openai_server, private_queue):
    app = AppFactory(model=image_model("gpt-image-1"))
    run = start(app)

    services.run_execute(run_id=run.id)

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    openai_server.assert_valid()
    assert [r.model for r in openai_server.requests] == [SUNBURST_SNAPSHOT]
    assert run.images.count() == 1
    assert run.vendor_request_id.startswith("req_fake")
    expected = pricing.cost_from_usage(registry.spec_for(run.model), Usage.from_dict(run.usage))
    assert run.cost_usd == expected > 0


@pytest.mark.django_db
def test_refused_before_any_call_when_the_successor_cannot_do_what_the_app_asks(openai_server):
    gpt_image_1 = image_model("gpt-image-1")
    gpt_image_1.successor = image_model("gpt-image-2")  # no transparent backgrounds there
    gpt_image_1.save()
    app = AppFactory(model=gpt_image_1)

    with pytest.raises(RunRefusedError) as caught:
        start(app, background="transparent")

    assert caught.value.message == "This app is being updated. Please try again later."
    assert "GPT Image 1 was retired on 2026-10-23" in caught.value.owner_message
    assert "GPT Image 2 cannot run this app" in caught.value.owner_message
    assert "transparent background" in caught.value.owner_message
    assert Run.objects.count() == 0
    assert openai_server.requests == []


@pytest.mark.django_db
def test_refused_before_any_call_when_a_retired_model_has_no_successor(openai_server):
    gpt_image_1 = image_model("gpt-image-1")
    gpt_image_1.successor = None
    gpt_image_1.save()

    with pytest.raises(RunRefusedError) as caught:
        start(AppFactory(model=gpt_image_1))

    assert "has no successor" in caught.value.owner_message
    assert Run.objects.count() == 0
    assert openai_server.requests == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_model_not_found_is_not_retried_and_marks_the_model_unreachable(openai_server, private_queue):
    openai_server.retired.add(SUNBURST_SNAPSHOT)  # the vendor withdraws the snapshot
    run = start(AppFactory(model=image_model("gpt-image-2.5-sunburst")))

    services.run_execute(run_id=run.id)

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error_code == "model_unavailable"
    assert run.attempts == 1
    assert len(openai_server.requests) == 1
    model = ImageModel.objects.get(key="gpt-image-2.5-sunburst")
    assert model.reachable is False
    assert model.last_error_code == "model_unavailable"
    assert model.last_error_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rate_limit_is_retried_by_the_one_retry_loop_after_retry_after(openai_server, private_queue, settings):
    settings.RUN_RETRY_BASE_SECONDS = 0.05
    settings.RUN_RETRY_MAX_SECONDS = 0.5
    openai_server.queue("rate_limit", retry_after=0.3)
    run = start(AppFactory(model=image_model("gpt-image-2.5-flare")))

    services.run_execute(run_id=run.id)

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert run.attempts == 2
    assert len(openai_server.requests) == 2  # one 429, one success: the SDK itself never retried


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("1000x1000", "Width and height must both be multiples of 16 (got 1000x1000)."),
        ("3856x1296", "The longest edge may be at most 3840 px (got 3856)."),
        ("3840x2176", "At most 8,294,400 pixels in all (got 8,355,840)."),
        ("3072x1008", "The long side may be at most 3 times the short side (got 3072x1008)."),
    ],
)
def test_each_custom_size_limit_is_refused_with_its_own_message(openai_server, size, message):
    app = AppFactory(model=image_model("gpt-image-2.5-sunburst"))

    with pytest.raises(RunRefusedError) as caught:
        start(app, size=size)

    assert caught.value.errors == [message]
    assert caught.value.code == "unsupported"
    assert openai_server.requests == []


@pytest.mark.django_db
def test_a_custom_size_within_every_limit_is_accepted(openai_server):
    run = start(AppFactory(model=image_model("gpt-image-2.5-sunburst")), size="3840x2160")

    assert run.params["size"] == "3840x2160"
    assert run.estimated_cost_usd == (Decimal("0.006") * 3840 * 2160 / (1024 * 1024)).quantize(Decimal("0.000001"))
