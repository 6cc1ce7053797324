"""Prompt enhancement: with it on, a text model rewrites the filled template before the image is made; the
builder sees the prompt used, visitors do not; its tokens are priced; a text model that fails leaves the
prompt as filled."""

from decimal import Decimal

import pytest
from django.urls import reverse

from generation.models import Run, RunStatus, SiteSettings
from generation.services import run_start
from tests.factories import AppFactory, image_model
from tests.waiting import wait_until_finished

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PARAMS = {"size": "1024x1024", "quality": "low", "background": "auto", "output_format": "png", "n": 1}
HTMX = {"HTTP_HX_REQUEST": "true"}


def start(app) -> Run:
    return run_start(app=app, model=app.model, prompt="A sticker of a red fox", params=PARAMS)


def test_offline_rewriter_enriches_the_prompt_and_the_image_follows_it(celery_worker, client):
    plain = wait_until_finished(start(AppFactory(enhance_prompt=False)))
    enhanced = wait_until_finished(start(AppFactory(enhance_prompt=True)))

    assert plain.status == enhanced.status == RunStatus.SUCCEEDED
    assert plain.enhanced_prompt == ""
    assert enhanced.enhanced_prompt.startswith("A sticker of a red fox. ")
    assert len(enhanced.enhanced_prompt) > len(enhanced.prompt)
    assert enhanced.usage["enhancement"]["model"] == "offline"
    assert plain.images.get().sha256 != enhanced.images.get().sha256  # drawn from the richer prompt
    status_url = reverse("generation:run_status", args=[enhanced.id])
    assert enhanced.enhanced_prompt not in client.get(status_url, **HTMX).content.decode()
    client.force_login(enhanced.app.owner)
    assert enhanced.enhanced_prompt in client.get(status_url, **HTMX).content.decode()


def test_site_text_model_rewrites_the_prompt_and_its_tokens_are_priced(celery_worker, openai_server):
    site = SiteSettings.load()
    site.prompt_model = image_model("gpt-4.1-mini")
    site.save()
    app = AppFactory(enhance_prompt=True, model=image_model("gpt-image-2.5-sunburst"))

    run = wait_until_finished(start(app))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    rewrite, generate = openai_server.requests
    assert (rewrite.path, rewrite.model, rewrite.body.get("tools")) == ("/v1/responses", "gpt-4.1-mini", None)
    assert rewrite.body["input"] == "A sticker of a red fox"
    assert generate.path == "/v1/images/generations" and generate.body["prompt"] == run.enhanced_prompt
    assert run.enhanced_prompt.startswith("A sticker of a red fox, rendered with")
    enhancement = run.usage["enhancement"]
    text_cost = (Decimal("0.40") * enhancement["input_tokens"] + Decimal("1.60") * enhancement["output_tokens"]) / (
        10**6
    )
    assert Decimal(enhancement["cost_usd"]) == text_cost.quantize(Decimal("0.000001"))
    image_cost = (
        Decimal(5) * run.usage["text_input_tokens"]
        + Decimal(8) * run.usage["image_input_tokens"]
        + Decimal(30) * run.usage["image_output_tokens"]
    ) / 10**6
    assert run.cost_usd == (text_cost + image_cost).quantize(Decimal("0.000001"))


def test_a_text_model_that_fails_leaves_the_prompt_as_filled(celery_worker, openai_server):
    site = SiteSettings.load()
    site.prompt_model = image_model("gpt-4.1-mini")
    site.save()
    openai_server.queue("server_error", path="/v1/responses")
    app = AppFactory(enhance_prompt=True, model=image_model("gpt-image-2.5-sunburst"))

    run = wait_until_finished(start(app))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.enhanced_prompt == "" and "enhancement" not in run.usage
    assert openai_server.requests_to("/v1/images/generations")[0].body["prompt"] == "A sticker of a red fox"


def test_without_enhancement_no_text_model_is_asked(celery_worker, openai_server):
    site = SiteSettings.load()
    site.prompt_model = image_model("gpt-4.1-mini")
    site.save()

    run = wait_until_finished(start(AppFactory(enhance_prompt=False, model=image_model("gpt-image-2.5-sunburst"))))

    assert run.status == RunStatus.SUCCEEDED
    assert [r.path for r in openai_server.requests] == ["/v1/images/generations"]
