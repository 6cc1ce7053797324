"""The model switch log: every kind of switch made in the admin leaves an entry staff can read, and the log
itself cannot be edited."""

from django.urls import reverse

from builder.models import ModelSwitch, SwitchKind
from generation.models import SiteSettings
from tests.admin.conftest import change_form_data, changelist_action
from tests.factories import AppFactory, image_model

APPS_URL = reverse("admin:builder_app_changelist")
LOG_URL = reverse("admin:builder_modelswitch_changelist")


def test_every_kind_of_admin_switch_is_in_the_log_with_who_from_to_and_why(
    admin_client, admin_user, offline_b, settings
):
    settings.OPENAI_API_KEY = "sk-test"  # so an OpenAI model can be the site default here
    one, bulk, old, _orphan = (
        AppFactory(name="One app"),
        AppFactory(name="Bulk app"),
        AppFactory(name="Old app", model=image_model("gpt-image-1")),
        AppFactory(name="Orphan app", model=offline_b),
    )
    change = reverse("admin:builder_app_change", args=[one.pk])
    admin_client.post(change, change_form_data(admin_client.get(change), model=str(offline_b.pk), switch_reason="r1"))
    changelist_action(admin_client, APPS_URL, "switch_model", [bulk], apply="1", model=str(offline_b.pk), reason="r2")
    changelist_action(admin_client, APPS_URL, "move_to_successor", [old])
    settings_url = reverse("admin:generation_sitesettings_change", args=[SiteSettings.load().pk])
    admin_client.post(
        settings_url,
        {
            "default_model": str(image_model("gpt-image-2.5-flare").pk),
            "generation_enabled": "on",
            "switch_reason": "r3",
        },
    )
    changelist_action(admin_client, reverse("admin:generation_imagemodel_changelist"), "disable_models", [offline_b])

    entries = {e.kind: e for e in ModelSwitch.objects.select_related("app", "from_model", "to_model")}
    assert set(entries) == {
        SwitchKind.APP,
        SwitchKind.BULK,
        SwitchKind.SUCCESSOR,
        SwitchKind.SITE_DEFAULT,
        SwitchKind.DISABLE_FALLBACK,
    }
    assert all(e.by == admin_user for e in entries.values())
    assert (entries[SwitchKind.SITE_DEFAULT].app, entries[SwitchKind.SITE_DEFAULT].to_model.key) == (
        None,
        "gpt-image-2.5-flare",
    )
    # Disabling offline-b moved the three apps on it by then to the (new) site default.
    fallbacks = ModelSwitch.objects.filter(kind=SwitchKind.DISABLE_FALLBACK)
    assert {e.app.name for e in fallbacks} == {"One app", "Bulk app", "Orphan app"}
    assert {e.to_model.key for e in fallbacks} == {"gpt-image-2.5-flare"}

    html = admin_client.get(LOG_URL).content.decode()
    for label in ("One app", "Bulk action", "Site default", "Model disabled", "Moved to successor", "r1", "r2", "r3"):
        assert label in html
    filtered = admin_client.get(LOG_URL + "?kind__exact=site_default").content.decode()
    assert "r3" in filtered and "r1" not in filtered


def test_the_log_is_read_only(admin_client):
    entry = ModelSwitch.objects.create(kind=SwitchKind.SITE_DEFAULT, to_model=image_model("offline"), reason="x")
    assert admin_client.get(reverse("admin:builder_modelswitch_add")).status_code == 403
    assert admin_client.post(reverse("admin:builder_modelswitch_change", args=[entry.pk]), {}).status_code == 403
    assert admin_client.get(reverse("admin:builder_modelswitch_delete", args=[entry.pk])).status_code == 403
