"""The builder in Chromium: sign up, build an app from blank with a live preview, test it, publish, share."""

import re

import pytest
from playwright.sync_api import expect

from generation.models import OutputImage, RunStatus
from tests.factories import AppFactory, RunFactory, UserFactory, image_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.worker
def test_build_preview_test_publish_and_share_an_app(page, live_server, celery_worker, screenshot_dir):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Username").fill("maker")
    page.get_by_label("Email").fill("maker@example.com")
    page.locator("#id_password1").fill("a-long-secret-42")
    page.locator("#id_password2").fill("a-long-secret-42")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="My apps")).to_be_visible()

    page.get_by_role("link", name=re.compile("^Blank")).click()
    expect(page.get_by_role("heading", name="New app")).to_be_visible()
    page.get_by_label("Name").first.fill("Fox stickers")
    page.get_by_label("Slug").fill("fox-stickers")
    preview = page.get_by_test_id("prompt-preview")
    page.get_by_role("textbox", name="Prompt template").fill("A sticker of {{ subject }}")
    expect(page.locator("#preview")).to_contain_text("No field for {{ subject }}")
    page.locator("#id_fields-0-key").fill("subject")
    page.locator("#id_fields-0-label").fill("Subject")
    page.locator("#id_fields-0-sample").fill("a red fox")
    expect(preview).to_have_text("A sticker of a red fox")
    page.get_by_role("textbox", name="Prompt template").press_sequentially(" in the snow", delay=20)
    expect(preview).to_have_text("A sticker of a red fox in the snow")

    page.locator("input[name=model][value='']").check()
    page.locator("#id_quality").select_option("low")
    page.get_by_role("button", name="Create app").click()
    expect(page.get_by_role("heading", name=re.compile("Fox stickers"))).to_be_visible()
    expect(page.get_by_role("textbox", name="Subject")).to_have_value("a red fox")

    page.get_by_role("button", name="Run test").click()
    result = page.locator("#test-result")
    expect(result.locator(".results img").first).to_be_visible(timeout=30_000)
    image = result.locator(".results img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    expect(result).to_contain_text("Succeeded")
    page.screenshot(path=screenshot_dir / "app-page.png", full_page=True)

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Fox stickers is published.")).to_be_visible()
    link = page.get_by_test_id("public-link")
    assert link.get_attribute("href") == "/a/fox-stickers/"
    expect(page.locator("#embed-snippet")).to_have_value(re.compile(r'<iframe src="http.*/a/fox-stickers/embed/"'))
    with page.context.expect_page() as opened:
        link.click()
    public = opened.value
    public.wait_for_load_state()
    expect(public.get_by_text("Fox stickers").first).to_be_visible()


def test_switching_model_in_the_selector_says_what_changed(page, live_server, login_in_browser):
    user = UserFactory()
    app = AppFactory(owner=user, params={"background": "transparent", "output_format": "png", "size": "1024x1024"})
    login_in_browser(page.context, user)
    page.goto(f"{live_server.url}/apps/{app.pk}/edit/")
    expect(page.locator("#id_background")).to_have_value("transparent")
    page.locator("input[name=model][value=gpt-image-2]").check()
    changes = page.get_by_test_id("model-changes")
    expect(changes).to_contain_text("Background transparent → auto")
    expect(page.locator("#id_background option[value=transparent]")).to_have_count(0)
    wait_for_htmx(page)  # the swapped-in fragment must be live before the next change
    page.locator("#id_size").select_option("custom")
    page.locator("#id_custom_width").fill("4000")
    page.locator("#id_custom_height").fill("1000")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#model-params")).to_contain_text("The longest edge may be at most 3840 px (got 4000).")
    expect(page.get_by_text("Nothing was saved")).to_be_visible()


def wait_for_htmx(page):
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")


def fill_history(app, n=4):
    for i in range(n):
        run = RunFactory(app=app, status=RunStatus.SUCCEEDED if i else RunStatus.FAILED, prompt=f"A fox number {i}")
        OutputImage.objects.create(
            run=run, index=0, key=f"{i}.png", thumb_key=f"{i}.webp", width=8, height=8, bytes=1,
            content_type="image/png", sha256="x",
        )  # fmt: skip


def assert_fits_the_phone(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone"


def test_dashboard_and_app_page_on_a_phone(phone_page, live_server, login_in_browser, screenshot_dir):
    user = UserFactory()
    app = AppFactory(owner=user, name="Fox stickers", model=image_model("gpt-4.1-mini"))
    AppFactory(owner=user, name="Logo lab", state="draft")
    fill_history(app)
    login_in_browser(phone_page.context, user)

    phone_page.goto(f"{live_server.url}/")
    expect(phone_page.get_by_role("link", name="Fox stickers")).to_be_visible()
    expect(phone_page.get_by_text(re.compile(r"deprecated · \d+ days left"))).to_be_visible()
    assert_fits_the_phone(phone_page)
    phone_page.screenshot(path=screenshot_dir / "phone-dashboard.png", full_page=True)

    phone_page.get_by_role("link", name="Fox stickers").click()
    expect(phone_page.get_by_role("heading", name=re.compile("Fox stickers"))).to_be_visible()
    expect(phone_page.get_by_test_id("model-notice")).to_contain_text("days left")
    expect(phone_page.get_by_role("button", name="Run test")).to_be_visible()
    assert_fits_the_phone(phone_page)
    phone_page.screenshot(path=screenshot_dir / "phone-app.png", full_page=True)

    phone_page.goto(f"{live_server.url}/apps/{app.pk}/edit/")
    expect(phone_page.get_by_role("button", name="Save changes")).to_be_visible()
    assert_fits_the_phone(phone_page)
    phone_page.screenshot(path=screenshot_dir / "phone-edit.png", full_page=True)


def test_owner_of_an_app_on_a_retired_model_sees_the_notice_and_moves_to_the_successor(
    page, live_server, login_in_browser
):
    user = UserFactory()
    app = AppFactory(owner=user, name="Old faithful", model=image_model("gpt-image-1"))
    login_in_browser(page.context, user)
    page.goto(f"{live_server.url}/apps/{app.pk}/")
    notice = page.get_by_test_id("model-notice")
    expect(notice).to_contain_text("GPT Image 1 was retired on 2026-10-23.")
    expect(notice).to_contain_text("served by its successor GPT Image 2.5 Sunburst")
    notice.get_by_role("button", name="Switch to GPT Image 2.5 Sunburst").click()
    expect(page.get_by_text("Switched from GPT Image 1 to GPT Image 2.5 Sunburst.")).to_be_visible()
    expect(page.get_by_test_id("model-notice")).to_have_count(0)
    expect(page.locator("#switch-heading + ul")).to_contain_text("GPT Image 1 → GPT Image 2.5 Sunburst")
