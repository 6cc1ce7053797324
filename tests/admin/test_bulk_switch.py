"""The apps admin's bulk action "Switch model to …": checks each app, switches those that fit, lists the rest."""

from django.urls import reverse

from builder.models import ModelSwitch, SwitchKind
from tests.admin.conftest import changelist_action, page_messages
from tests.factories import AppFactory, image_model

APPS_URL = reverse("admin:builder_app_changelist")


def transparent_app(**kwargs):
    return AppFactory(
        params={"size": "1024x1024", "quality": "low", "background": "transparent", "output_format": "png", "n": 1},
        **kwargs,
    )


def test_bulk_switch_action_shows_an_intermediate_page_with_the_selected_apps(admin_client):
    apps = [AppFactory(name="Fox stickers"), AppFactory(name="Owl stickers")]
    response = changelist_action(admin_client, APPS_URL, "switch_model", apps)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Switch the model of the selected apps" in html
    assert "Fox stickers" in html and "Owl stickers" in html
    assert "GPT Image 2" in html  # offered as a target
    assert ModelSwitch.objects.count() == 0  # nothing happens before the choice is applied


def test_bulk_switch_moves_apps_that_fit_and_lists_misfits_with_the_reason(admin_client, admin_user):
    fits = AppFactory(name="Fox stickers")
    misfit = transparent_app(name="Clear stickers")
    target = image_model("gpt-image-2")
    response = changelist_action(
        admin_client,
        APPS_URL,
        "switch_model",
        [fits, misfit],
        apply="Switch model",
        model=str(target.pk),
        reason="Cheaper and sharper",
    )
    assert response.status_code == 200
    fits.refresh_from_db()
    misfit.refresh_from_db()
    assert fits.model == target
    assert misfit.model == image_model("offline")  # kept its model
    notes = page_messages(response)
    assert any("Switched 1 app to GPT Image 2: Fox stickers" in n for n in notes)
    refused = [n for n in notes if n.startswith("Clear stickers")]
    assert refused and "transparent" in refused[0] and "kept its model" in refused[0]
    entry = ModelSwitch.objects.get()
    assert (entry.app, entry.kind, entry.from_model, entry.to_model) == (
        fits,
        SwitchKind.BULK,
        image_model("offline"),
        target,
    )
    assert entry.by == admin_user and entry.reason == "Cheaper and sharper"


def test_bulk_switch_without_a_model_redisplays_the_form_and_switches_nothing(admin_client):
    app = AppFactory()
    response = changelist_action(admin_client, APPS_URL, "switch_model", [app], apply="Switch model", model="")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    app.refresh_from_db()
    assert app.model == image_model("offline")
    assert not ModelSwitch.objects.exists()


def test_bulk_switch_does_not_offer_disabled_models(admin_client):
    app = AppFactory()
    disabled = image_model("gpt-image-2.5-flare")
    disabled.enabled = False
    disabled.save()
    response = changelist_action(
        admin_client, APPS_URL, "switch_model", [app], apply="Switch model", model=str(disabled.pk)
    )
    assert "Select a valid choice" in response.content.decode()
    app.refresh_from_db()
    assert app.model == image_model("offline")


def test_apps_already_on_the_chosen_model_are_left_alone_without_an_audit_entry(admin_client, offline_b):
    already = AppFactory(name="B stickers", model=offline_b)
    response = changelist_action(
        admin_client, APPS_URL, "switch_model", [already], apply="Switch model", model=str(offline_b.pk)
    )
    assert "Already on Offline B, left as they were: B stickers." in page_messages(response)
    assert not ModelSwitch.objects.exists()
