"""Issue 9 in Chromium: an app left on the shut-down GPT Image 1 tells its owner what happened and what serves
it now, its public page keeps making images through the successor (GPT Image 1 is never sent), and the model
selector marks deprecated models with their days left and offers no retired model."""

import importlib

import pytest
from playwright.sync_api import expect

from generation.models import Run, RunStatus
from tests.factories import AppFactory, UserFactory, image_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUNBURST_SNAPSHOT = "gpt-image-2.5-sunburst-2026-09-08"
# What the app asks for: all of it within GPT Image 2.5 Sunburst's capabilities.
FITTING_PARAMS = {"size": "1024x1024", "quality": "low", "background": "auto", "output_format": "png", "n": 1}


@pytest.fixture(autouse=True)
def seeded_registry():
    """The seeded registry, even after an earlier transactional test flushed it (the seed is idempotent)."""
    from django.apps import apps

    importlib.import_module("generation.migrations.0002_seed_registry").seed(apps, None)


def model_option(page, key: str):
    return page.locator("label.model-option").filter(has=page.locator(f"input[name=model][value='{key}']"))


@pytest.mark.worker
def test_app_on_gpt_image_1_tells_its_owner_and_its_public_page_still_makes_images_through_the_successor(
    page, browser, live_server, celery_worker, openai_server, login_in_browser, screenshot_dir
):
    owner = UserFactory()
    app = AppFactory(
        owner=owner, name="Old faithful", slug="old-faithful", model=image_model("gpt-image-1"), params=FITTING_PARAMS
    )

    login_in_browser(page.context, owner)
    page.goto(f"{live_server.url}/apps/{app.pk}/")
    notice = page.get_by_test_id("model-notice")
    expect(notice).to_contain_text("Model retired.")
    expect(notice).to_contain_text("GPT Image 1 was retired on 2026-10-23.")
    expect(notice).to_contain_text("Runs are served by its successor GPT Image 2.5 Sunburst")
    expect(notice.get_by_role("button", name="Switch to GPT Image 2.5 Sunburst")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("GPT Image 1")
    expect(page.locator(".facts .badge.retired")).to_have_text("retired")
    page.screenshot(path=screenshot_dir / "owner-app-page.png", full_page=True)

    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    visitor.set_default_timeout(15_000)
    try:
        public = visitor.new_page()
        public.goto(f"{live_server.url}/a/old-faithful/")
        expect(public.get_by_role("heading", name="Old faithful")).to_be_visible()
        expect(public.get_by_text("being updated")).to_have_count(0)
        public.get_by_label("Subject").fill("a red fox")
        public.get_by_role("button", name="Generate").click()
        image = public.get_by_role("img", name="Generated image 1")
        expect(image).to_be_visible(timeout=30_000)
        public.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        public.screenshot(path=screenshot_dir / "visitor-result.png", full_page=True)
    finally:
        visitor.close()

    run = Run.objects.get(app=app)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert (run.requested_model.key, run.model.key, run.vendor_model_sent) == (
        "gpt-image-1",
        "gpt-image-2.5-sunburst",
        SUNBURST_SNAPSHOT,
    )
    assert run.images.count() == 1 and run.cost_usd > 0
    sent = [request.model for request in openai_server.requests]
    assert sent == [SUNBURST_SNAPSHOT]
    assert "gpt-image-1" not in sent
    openai_server.assert_valid()


def test_model_selector_marks_gpt_4_1_mini_deprecated_with_days_left_and_offers_no_retired_model(
    page, live_server, login_in_browser, screenshot_dir
):
    owner = UserFactory()
    app = AppFactory(owner=owner, name="Old faithful", model=image_model("gpt-image-1"), params=FITTING_PARAMS)
    days_left = image_model("gpt-4.1-mini").days_left
    assert days_left > 0
    login_in_browser(page.context, owner)

    page.goto(f"{live_server.url}/apps/{app.pk}/edit/")
    mini = model_option(page, "gpt-4.1-mini")
    expect(mini).to_contain_text("GPT-4.1 Mini")
    expect(mini.locator(".badge.deprecated")).to_have_text(f"Deprecated · {days_left} days left")
    # The app's own retired model stays visible as its current choice, marked so; nothing else retired is listed.
    current = model_option(page, "gpt-image-1")
    expect(current.locator("input")).to_be_checked()
    expect(current.locator(".badge.retired")).to_have_text("Retired")
    expect(page.locator(".model-options .badge.retired")).to_have_count(1)
    sunburst = model_option(page, "gpt-image-2.5-sunburst")
    expect(sunburst.locator(".badge")).to_have_count(0)
    expect(sunburst.locator(".model-cost")).to_have_text("≈ $0.006 per image (estimate)")  # low, 1024x1024
    page.screenshot(path=screenshot_dir / "edit-selector-on-retired.png", full_page=True)

    page.goto(f"{live_server.url}/apps/{app.pk}/")
    page.get_by_test_id("model-notice").get_by_role("button", name="Switch to GPT Image 2.5 Sunburst").click()
    expect(page.get_by_text("Switched from GPT Image 1 to GPT Image 2.5 Sunburst.")).to_be_visible()

    page.goto(f"{live_server.url}/apps/{app.pk}/edit/")
    expect(model_option(page, "gpt-image-2.5-sunburst").locator("input")).to_be_checked()
    expect(model_option(page, "gpt-4.1-mini").locator(".badge.deprecated")).to_have_text(
        f"Deprecated · {days_left} days left"
    )
    expect(page.locator("input[name=model][value='gpt-image-1']")).to_have_count(0)
    expect(page.locator(".model-options .badge.retired")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "edit-selector-after-switch.png", full_page=True)

    page.goto(f"{live_server.url}/apps/new/")
    expect(model_option(page, "gpt-4.1-mini").locator(".badge.deprecated")).to_contain_text(f"{days_left} days left")
    expect(page.locator("input[name=model][value='gpt-image-1']")).to_have_count(0)
