"""Protecting the builder's money: per-visitor rate limits, the app's and the site's daily budgets, and
the kill switch. A limit reached answers 429 (503 when paused) with a clear message, and no run."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from generation.models import Run, RunStatus, SiteSettings
from tests.factories import AppFactory, RunFactory

from .helpers import generate

pytestmark = pytest.mark.django_db


def test_visitor_over_rate_limit_gets_429_and_no_run(client):
    app = AppFactory(rate_per_minute=2)
    assert [generate(client, app).status_code for _ in range(2)] == [302, 302]
    response = generate(client, app)
    assert response.status_code == 429
    assert "You can make 2 images a minute with this app." in response.content.decode()
    assert Run.objects.count() == 2


def test_rate_limit_is_per_visitor(client):
    app = AppFactory(rate_per_minute=1)
    assert generate(client, app, ip="203.0.113.7").status_code == 302
    assert generate(client, app, ip="203.0.113.7").status_code == 429
    assert generate(client, app, ip="198.51.100.2").status_code == 302
    assert Run.objects.count() == 2


def test_daily_rate_limit(client):
    app = AppFactory(rate_per_minute=10, rate_per_day=2)
    generate(client, app)
    generate(client, app)
    response = generate(client, app, Accept="application/json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert "daily limit" in response.json()["error"]["message"]
    assert Run.objects.count() == 2


def test_rate_limit_in_htmx_shows_in_the_form_error_area(client):
    app = AppFactory(rate_per_minute=0)
    response = generate(client, app, **{"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 429
    assert 'role="alert"' in html and "Please wait a minute and try again." in html
    assert not Run.objects.exists()


def test_app_budget_stops_runs_once_spent(client):
    app = AppFactory(daily_budget_usd=Decimal("0.50"))
    RunFactory(app=app, status=RunStatus.SUCCEEDED, cost_usd=Decimal("0.30"))
    assert generate(client, app).status_code == 302  # 0.30 spent, the offline run is free
    RunFactory(app=app, status=RunStatus.SUCCEEDED, cost_usd=Decimal("0.20"))
    response = generate(client, app, Accept="application/json")
    assert response.status_code == 429
    assert response.json()["error"] == {
        "code": "app_budget",
        "message": "This app has reached its limit for today. Please come back tomorrow.",
    }
    assert Run.objects.count() == 3


def test_app_budget_counts_estimates_of_runs_still_working(client):
    app = AppFactory(daily_budget_usd=Decimal("1"))
    RunFactory(app=app, status=RunStatus.RUNNING, estimated_cost_usd=Decimal("1.00"))
    assert generate(client, app).status_code == 429
    assert Run.objects.count() == 1


def test_yesterdays_spending_does_not_count(client):
    app = AppFactory(daily_budget_usd=Decimal("1"))
    RunFactory(
        app=app,
        status=RunStatus.SUCCEEDED,
        cost_usd=Decimal("5"),
        queued_at=timezone.now() - timedelta(days=1, hours=1),
    )
    assert generate(client, app).status_code == 302


def test_site_budget_stops_runs_on_every_app(client):
    SiteSettings.objects.update_or_create(pk=1, defaults={"daily_budget_usd": Decimal("2")})
    RunFactory(status=RunStatus.SUCCEEDED, cost_usd=Decimal("2"))  # spent by another app
    app = AppFactory()
    response = generate(client, app)
    assert response.status_code == 429
    assert "This site has reached its limit for today." in response.content.decode()
    assert Run.objects.count() == 1


def test_kill_switch_answers_503_and_no_run(client):
    SiteSettings.objects.update_or_create(pk=1, defaults={"generation_enabled": False})
    app = AppFactory()
    response = generate(client, app, Accept="application/json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "generation_paused"
    html_response = generate(client, app)
    assert html_response.status_code == 503
    assert "Image generation is paused on this site for now." in html_response.content.decode()
    assert 'role="status">Image generation is paused' in client.get(f"/a/{app.slug}/").content.decode()
    assert not Run.objects.exists()


def test_app_waiting_for_a_model_is_refused_politely(client):
    app = AppFactory(needs_model=True)
    response = generate(client, app)
    assert response.status_code == 503
    assert "This app is being updated." in response.content.decode()
    assert not Run.objects.exists()


def test_rate_limited_answer_says_when_to_try_again(client):
    app = AppFactory(rate_per_minute=0)
    response = generate(client, app)
    assert 1 <= int(response["Retry-After"]) <= 60


def test_ipv6_visitor_is_limited_by_network_not_by_address(client):
    app = AppFactory(rate_per_minute=1)
    assert generate(client, app, ip="2001:db8:1:2::1").status_code == 302
    assert generate(client, app, ip="2001:db8:1:2:ffff::9").status_code == 429
    assert generate(client, app, ip="2001:db8:1:3::1").status_code == 302
