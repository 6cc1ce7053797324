"""In Chromium: a 50/50 experiment on the public page, visitors keep their variant, vote, the owner watches
the results update and promotes the winner, and the next public run uses it."""

import re

import pytest
from playwright.sync_api import expect

from builder.experiments import assign_variant
from builder.models import Experiment, ExperimentState
from builder.public import visitor_hash
from generation.models import Run
from tests.factories import AppFactory

from .helpers import offline_b

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def pick_addresses(app, per_variant: int = 2) -> dict[str, str]:
    """Loopback addresses whose visitors land on each variant, `per_variant` of each: {ip: label}."""
    chosen: dict[str, str] = {}
    counts = {"A": 0, "B": 0}
    for n in range(2, 250):
        ip = f"127.0.0.{n}"
        label = assign_variant(app=app, visitor_hash=visitor_hash(ip)).label
        if counts[label] < per_variant:
            chosen[ip] = label
            counts[label] += 1
        if all(c == per_variant for c in counts.values()):
            return chosen
    raise AssertionError("could not find visitors for both variants")


def generate(page, subject: str):
    page.get_by_label("Subject").fill(subject)
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#result .badge.succeeded")).to_have_text("Succeeded", timeout=30_000)


def visitor_runs(ip: str):
    return list(Run.objects.filter(visitor_hash=visitor_hash(ip)).select_related("variant", "model"))


def test_experiment_on_the_public_page_from_start_to_promoted_winner(
    browser, page, live_server, celery_worker, seeded_registry, login_in_browser, visitor_url, screenshot_dir
):
    offline_b()
    app = AppFactory(name="Fox stickers", rate_per_minute=100, rate_per_day=1000)
    login_in_browser(page.context, app.owner)

    # The owner starts a 50/50 experiment from the app page.
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    page.get_by_role("link", name="Start an experiment").click()
    page.select_option("#id_v1_model", "offline-b")
    expect(page.locator("#id_v0_weight")).to_have_value("50")
    expect(page.locator("#id_v1_weight")).to_have_value("50")
    page.screenshot(path=screenshot_dir / "experiment-new.png", full_page=True)
    page.get_by_role("button", name="Start experiment").click()
    expect(page.get_by_text("Experiment started")).to_be_visible()
    expect(page.get_by_test_id("experiment-state")).to_have_text("Running")
    expect(page.get_by_test_id("experiment-read")).to_contain_text("Not enough data yet")
    experiment = Experiment.objects.get(app=app)

    # Fresh visitors (distinct addresses) each keep their variant across reloads and are not told which.
    addresses = pick_addresses(app)
    visitors = {}
    for ip, label in addresses.items():
        context = browser.new_context(viewport={"width": 1000, "height": 900})
        context.set_default_timeout(15_000)
        visitor = context.new_page()
        visitor.goto(f"{visitor_url(ip)}{app.get_public_url()}")
        generate(visitor, "a red fox")
        visitor.reload()
        generate(visitor, "a red fox in the snow")
        text = visitor.locator("body").inner_text()
        assert "Offline B" not in text and "offline-b" not in text.lower() and "Variant" not in text
        runs = visitor_runs(ip)
        assert len(runs) == 2 and {r.variant.label for r in runs} == {label}, (ip, label)
        assert {r.model.key for r in runs} == {"offline" if label == "A" else "offline-b"}
        visitors[ip] = (context, visitor, label)

    # The owner's page updates itself with the runs.
    expect(page.get_by_test_id("runs-A")).to_have_text("4", timeout=10_000)
    expect(page.get_by_test_id("runs-B")).to_have_text("4")

    # Visitors vote on their latest result: thumbs down on A, thumbs up on B.
    by_label = {}
    for _ip, (_context, visitor, label) in visitors.items():
        by_label.setdefault(label, visitor)
    by_label["A"].get_by_role("button", name="Thumbs down").click()
    by_label["B"].get_by_role("button", name="Thumbs up").click()
    for visitor in by_label.values():
        expect(visitor.get_by_text("Thanks! Your rating was recorded.")).to_be_visible()
        expect(visitor.get_by_role("button", name="Thumbs up")).to_have_count(0)
    by_label["B"].screenshot(path=screenshot_dir / "public-voted.png", full_page=True)

    expect(page.get_by_test_id("votes-A")).to_contain_text("0% of 1", timeout=10_000)
    expect(page.get_by_test_id("votes-B")).to_contain_text("100% of 1")
    expect(page.get_by_test_id("experiment-read")).to_contain_text("each variant needs at least 20 votes")
    page.screenshot(path=screenshot_dir / "experiment.png", full_page=True)

    # The owner promotes B: the experiment stops and the app uses B for everyone.
    page.get_by_role("button", name="Promote B").click()
    expect(page.get_by_text(re.compile(r"Variant B promoted: Fox stickers now uses Offline B"))).to_be_visible()
    expect(page.get_by_test_id("experiment-state")).to_have_text("Stopped")
    experiment.refresh_from_db()
    assert experiment.state == ExperimentState.STOPPED and experiment.winner.label == "B"

    a_ip = next(ip for ip, label in addresses.items() if label == "A")
    context, visitor, _ = visitors[a_ip]
    visitor.reload()
    generate(visitor, "a red fox after the experiment")
    latest = Run.objects.filter(visitor_hash=visitor_hash(a_ip)).order_by("-queued_at").first()
    assert latest.model.key == "offline-b" and latest.variant is None
    for context, _, _ in visitors.values():
        context.close()

    # The app page summarises the experiment and shows the switch in its history.
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    panel = page.locator("#experiment-panel")
    expect(panel).to_contain_text("Stopped")
    expect(panel).to_contain_text("Winner")
    expect(page.get_by_text(re.compile(r"Experiment \d+: winner B"))).to_be_visible()
    page.locator("#experiments").screenshot(path=screenshot_dir / "app-page-experiment.png")
