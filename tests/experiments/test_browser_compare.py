"""In Chromium: compare two offline variants from the app page, see both side by side, then use one."""

import re

import pytest
from playwright.sync_api import expect

from builder.models import ModelSwitch, SwitchKind
from tests.factories import AppFactory

from .helpers import offline_b

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_compare_two_offline_variants_side_by_side_then_use_one(
    page, live_server, celery_worker, seeded_registry, login_in_browser, screenshot_dir
):
    offline_b()
    app = AppFactory(name="Fox stickers")
    login_in_browser(page.context, app.owner)

    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    page.get_by_role("link", name="Compare", exact=True).click()
    expect(page.get_by_role("heading", name="Compare models")).to_be_visible()
    expect(page.get_by_label("Subject")).to_have_value("a red fox")
    page.select_option("#id_v1_model", "offline-b")
    page.select_option("#id_v1_quality", "high")
    # The estimate follows the form: a variant its model cannot do is flagged before anything starts.
    page.select_option("#id_v1_background", "transparent")
    page.select_option("#id_v1_output_format", "jpeg")
    expect(page.locator("#estimate")).to_contain_text("Variant B: cannot run: A transparent background needs")
    page.select_option("#id_v1_background", "auto")
    page.select_option("#id_v1_output_format", "webp")
    expect(page.locator("#estimate")).to_contain_text("Estimated cost of this comparison: $0.0000")
    expect(page.locator("#estimate")).to_contain_text("Variant B: $0.0000")
    page.screenshot(path=screenshot_dir / "compare-form.png", full_page=True)
    page.get_by_role("button", name="Start comparison").click()

    expect(page.get_by_role("heading", name=re.compile(r"Comparison \d+"))).to_be_visible()
    columns = page.locator(".compare-column")
    expect(columns).to_have_count(2)
    a, b = page.locator('[data-variant="A"]'), page.locator('[data-variant="B"]')
    expect(a.get_by_role("heading")).to_have_text("A · Offline (built in)")
    expect(b.get_by_role("heading")).to_have_text("B · Offline B")
    for column in (a, b):
        expect(column.locator(".badge.succeeded")).to_have_text("Succeeded", timeout=30_000)
        expect(column.get_by_alt_text("Generated image 1")).to_be_visible()
        expect(column.locator(".run-facts")).to_contain_text("Took")
        expect(column.locator(".run-facts")).to_contain_text("Cost $0.0000")
    expect(page.locator("#compare-summary")).to_contain_text("2 of 2 variants finished")
    box_a, box_b = a.bounding_box(), b.bounding_box()
    assert abs(box_a["y"] - box_b["y"]) < 2 and box_b["x"] > box_a["x"]  # side by side
    page.screenshot(path=screenshot_dir / "compare.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    box_a, box_b = a.bounding_box(), b.bounding_box()
    assert box_b["y"] > box_a["y"] + box_a["height"] - 1  # stacked on a phone
    page.screenshot(path=screenshot_dir / "compare-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    b.get_by_role("button", name="Use this variant").click()
    expect(page.get_by_text(re.compile(r"Fox stickers now uses variant B: Offline B \(high"))).to_be_visible()
    app.refresh_from_db()
    assert app.model.key == "offline-b" and app.params["output_format"] == "webp"
    assert ModelSwitch.objects.get(app=app).kind == SwitchKind.VARIANT
    expect(page.locator("#comparisons")).to_contain_text("Saved comparisons")
