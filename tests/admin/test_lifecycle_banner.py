"""The admin's banner while apps sit on deprecated or retired models: how many, which, days left."""

from django.urls import reverse
from django.utils.html import strip_tags

from generation.models import SiteSettings
from tests.factories import AppFactory, image_model


def banner(response) -> str:
    """The banner's visible text, or "" when there is none."""
    html = response.content.decode()
    start = html.find('class="lifecycle-banner"')
    if start < 0:
        return ""
    return " ".join(strip_tags(html[html.find(">", start) + 1 : html.find("</div>", start)]).split())


def test_banner_counts_apps_on_deprecated_and_retired_models_with_days_left(admin_client):
    AppFactory(model=image_model("gpt-4.1-mini"))
    AppFactory(model=image_model("gpt-4.1-mini"))
    AppFactory(model=image_model("gpt-image-1"))
    AppFactory(model=image_model("offline"))
    text = banner(admin_client.get(reverse("admin:index")))
    mini = image_model("gpt-4.1-mini")
    assert "3 apps sit on deprecated or retired models" in text
    assert "GPT Image 1: retired on 2026-10-23, 1 app;" in text
    assert "successor GPT Image 2.5 Sunburst" in text
    assert f"deprecated, {mini.days_left} days left (shuts down 2027-01-14)" in text
    assert "no successor chosen" in text


def test_banner_shows_on_every_admin_page(admin_client):
    AppFactory(model=image_model("gpt-image-1"))
    for page in ("admin:builder_app_changelist", "admin:generation_run_changelist"):
        assert "1 app sits on deprecated or retired models" in banner(admin_client.get(reverse(page)))


def test_apps_following_a_deprecated_site_default_count(admin_client):
    settings = SiteSettings.load()
    settings.default_model = image_model("gpt-4.1-mini")
    settings.save()
    AppFactory(model=None)
    assert "1 app sits on deprecated or retired models" in banner(admin_client.get(reverse("admin:index")))


def test_no_banner_when_every_app_is_on_an_available_model(admin_client):
    AppFactory(model=image_model("offline"))
    AppFactory(model=image_model("gpt-image-2"))
    assert banner(admin_client.get(reverse("admin:index"))) == ""


def test_no_banner_on_the_sign_in_page(client, db):
    AppFactory(model=image_model("gpt-image-1"))
    assert banner(client.get(reverse("admin:login"))) == ""


def test_banner_is_gone_once_the_apps_moved_to_the_successor(admin_client):
    app = AppFactory(model=image_model("gpt-image-1"))
    admin_client.post(
        reverse("admin:builder_app_changelist"), {"action": "move_to_successor", "_selected_action": [app.pk]}
    )
    assert banner(admin_client.get(reverse("admin:index"))) == ""


def test_banner_names_apps_waiting_for_a_model(admin_client):
    AppFactory(needs_model=True)
    AppFactory(needs_model=True)
    text = banner(admin_client.get(reverse("admin:index")))
    assert "2 apps refuse new runs until someone chooses a model" in text
    assert "deprecated or retired" not in text


def test_a_model_counts_as_deprecated_before_its_shutdown_date_and_retired_after(db):
    import datetime

    from builder.switching import models_ending_with_apps

    AppFactory(model=image_model("gpt-4.1-mini"))
    before = models_ending_with_apps(day=datetime.date(2027, 1, 13))
    after = models_ending_with_apps(day=datetime.date(2027, 1, 14))
    assert [(e.model.key, e.state, e.days_left) for e in before] == [("gpt-4.1-mini", "deprecated", 1)]
    assert [(e.model.key, e.state, e.days_left) for e in after] == [("gpt-4.1-mini", "retired", 0)]
