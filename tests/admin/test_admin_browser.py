"""Staff in Chromium: switch an app's model with the admin's bulk action, then the next run is made on the
new model by the running worker, and the run's page shows it with its thumbnail."""

import pytest
from playwright.sync_api import expect

from builder.models import ModelSwitch, SwitchKind
from generation.models import RunStatus
from tests.admin.helpers import start_app_run, wait_until_finished
from tests.factories import AppFactory, UserFactory, image_model

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_staff_switch_an_apps_model_in_the_admin_and_the_next_run_uses_it(
    page, live_server, celery_worker, login_in_browser, offline_b, screenshot_dir
):
    staff = UserFactory(username="ops", is_staff=True, is_superuser=True)
    app = AppFactory(name="Fox stickers")
    AppFactory(name="Old stickers", model=image_model("gpt-image-1"))  # keeps the lifecycle banner up
    before = wait_until_finished(start_app_run(app))
    assert before.model == image_model("offline")
    login_in_browser(page.context, staff)

    page.goto(f"{live_server.url}/admin/builder/app/")
    expect(page.locator(".lifecycle-banner")).to_contain_text("1 app sits on deprecated or retired models")
    expect(page.locator(".lifecycle-banner")).to_contain_text("GPT Image 1")
    row = page.locator("#result_list tr", has_text="Fox stickers")
    expect(row).to_contain_text("Offline (built in)")
    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("switch_model")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="Switch the model of the selected apps")).to_be_visible()
    expect(page.locator("#selected-apps")).to_contain_text("Fox stickers (now on Offline (built in))")
    page.get_by_label("Switch to").select_option(label="Offline B")
    page.get_by_label("Reason").fill("Trying model B")
    page.screenshot(path=screenshot_dir / "admin-switch-intermediate.png", full_page=True)
    page.get_by_role("button", name="Switch model").click()

    expect(page.locator(".messagelist")).to_contain_text("Switched 1 app to Offline B: Fox stickers.")
    expect(page.locator("#result_list tr", has_text="Fox stickers")).to_contain_text("Offline B")
    page.screenshot(path=screenshot_dir / "admin-switched.png", full_page=True)
    entry = ModelSwitch.objects.get(app=app)
    assert (entry.kind, entry.to_model, entry.by, entry.reason) == (SwitchKind.BULK, offline_b, staff, "Trying model B")

    after = wait_until_finished(start_app_run(app))
    assert after.status == RunStatus.SUCCEEDED and after.model == offline_b
    before.refresh_from_db()
    assert before.model == image_model("offline")

    page.goto(f"{live_server.url}/admin/generation/run/?app__id__exact={app.pk}")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#result_list tr", has_text=str(after.id)[:8])).to_contain_text("Offline B")
    page.goto(f"{live_server.url}/admin/generation/run/{after.id}/change/")
    thumb = page.get_by_role("img", name="Output 0")
    expect(thumb).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    page.screenshot(path=screenshot_dir / "admin-run.png", full_page=True)

    page.goto(f"{live_server.url}/admin/builder/modelswitch/")
    expect(page.locator("#result_list")).to_contain_text("Trying model B")
