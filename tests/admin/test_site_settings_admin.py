"""Site settings: one row (no add, no delete); changing the default model is an audited switch."""

from django.urls import reverse

from builder.models import ModelSwitch, SwitchKind
from generation.models import SiteSettings
from tests.admin.conftest import page_messages
from tests.factories import AppFactory, image_model


def change_url():
    return reverse("admin:generation_sitesettings_change", args=[SiteSettings.load().pk])


def post_settings(client, **overrides):
    data = {
        "default_model": str(SiteSettings.load().default_model_id or ""),
        "generation_enabled": "on",
        "daily_budget_usd": "",
        "switch_reason": "",
    }
    data.update(overrides)
    return client.post(change_url(), data, follow=True)


def test_the_site_settings_list_opens_the_single_row(admin_client):
    response = admin_client.get(reverse("admin:generation_sitesettings_changelist"))
    assert response.status_code == 302 and response.url == change_url()
    assert SiteSettings.objects.count() == 1
    assert admin_client.get(reverse("admin:generation_sitesettings_add")).status_code == 403
    assert admin_client.get(reverse("admin:generation_sitesettings_delete", args=[1])).status_code == 403


def test_changing_the_default_model_writes_a_site_default_switch(admin_client, admin_user, offline_b):
    target = offline_b
    response = post_settings(admin_client, default_model=str(target.pk), switch_reason="Offline for the demo")
    assert response.status_code == 200
    assert SiteSettings.load().default_model == target
    entry = ModelSwitch.objects.get()
    assert (entry.app, entry.kind, entry.from_model, entry.to_model, entry.by, entry.reason) == (
        None,
        SwitchKind.SITE_DEFAULT,
        image_model("offline"),
        target,
        admin_user,
        "Offline for the demo",
    )


def test_saving_without_changing_the_default_writes_no_switch(admin_client):
    post_settings(admin_client, generation_enabled="", daily_budget_usd="12.50")
    settings = SiteSettings.load()
    assert settings.generation_enabled is False
    assert str(settings.daily_budget_usd) == "12.5000"
    assert not ModelSwitch.objects.exists()


def test_a_disabled_or_retired_default_and_a_negative_budget_are_form_errors(admin_client):
    response = post_settings(admin_client, default_model=str(image_model("gpt-image-1").pk))
    assert "GPT Image 1 is disabled or retired" in response.content.decode()
    response = post_settings(admin_client, daily_budget_usd="-1")
    assert "The budget cannot be negative" in response.content.decode()
    assert SiteSettings.load().default_model == image_model("offline")
    assert not ModelSwitch.objects.exists()


def test_a_new_default_that_cannot_run_apps_following_it_is_flagged(admin_client):
    AppFactory(
        name="Clear stickers",
        model=None,
        params={"size": "1024x1024", "quality": "low", "background": "transparent", "output_format": "png", "n": 1},
    )
    response = post_settings(admin_client, default_model=str(image_model("gpt-image-2").pk))
    assert any(
        n.startswith("Clear stickers follows the site default, which cannot run it") for n in page_messages(response)
    )


def test_a_default_that_needs_a_key_the_server_lacks_is_flagged(admin_client, settings):
    settings.OPENAI_API_KEY = ""
    response = post_settings(admin_client, default_model=str(image_model("gpt-image-2.5-flare").pk))
    assert SiteSettings.load().default_model == image_model("gpt-image-2.5-flare")
    assert any(
        n.startswith("GPT Image 2.5 Flare needs OPENAI_API_KEY on the server: until it is set, Offline (built in)")
        for n in page_messages(response)
    )
