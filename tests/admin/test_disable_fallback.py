"""Disabling a model: its apps move to the site default where they fit; the rest wait for a model and
refuse new runs with a clear message; the admin says which."""

import pytest
from django.urls import reverse

from builder.models import ModelSwitch, SwitchKind
from builder.switching import app_model_for_run
from generation.models import Run, SiteSettings
from generation.services import RunRefusedError
from tests.admin.conftest import changelist_action, page_messages
from tests.factories import AppFactory, image_model

MODELS_URL = reverse("admin:generation_imagemodel_changelist")


@pytest.fixture
def default_is_gpt_image_2():
    """The site default is a model without transparency, so an app that needs it cannot fall back."""
    settings = SiteSettings.load()
    settings.default_model = image_model("gpt-image-2")
    settings.save()


@pytest.fixture
def openai_key(settings):
    settings.OPENAI_API_KEY = "sk-test"  # so the site default (an OpenAI model) counts as usable


def apps_on(model):
    plain = AppFactory(name="Plain stickers", model=model)
    clear = AppFactory(
        name="Clear stickers",
        model=model,
        params={"size": "1024x1024", "quality": "low", "background": "transparent", "output_format": "png", "n": 1},
    )
    return plain, clear


def test_disable_action_moves_fitting_apps_to_the_site_default_and_flags_the_rest(
    admin_client, admin_user, offline_b, openai_key, default_is_gpt_image_2
):
    plain, clear = apps_on(offline_b)
    response = changelist_action(admin_client, MODELS_URL, "disable_models", [offline_b])
    offline_b.refresh_from_db()
    plain.refresh_from_db()
    clear.refresh_from_db()
    assert not offline_b.enabled
    assert plain.model == image_model("gpt-image-2") and not plain.needs_model
    assert clear.model == offline_b and clear.needs_model
    entry = ModelSwitch.objects.get()
    assert (entry.app, entry.kind, entry.from_model, entry.to_model, entry.by) == (
        plain,
        SwitchKind.DISABLE_FALLBACK,
        offline_b,
        image_model("gpt-image-2"),
        admin_user,
    )
    notes = page_messages(response)
    assert any("Moved 1 app to the site default GPT Image 2: Plain stickers" in n for n in notes)
    assert any(n.startswith("Clear stickers has no model that fits and refuses new runs") for n in notes)


def test_app_waiting_for_a_model_refuses_runs_with_a_clear_message(
    admin_client, offline_b, openai_key, default_is_gpt_image_2
):
    _, clear = apps_on(offline_b)
    changelist_action(admin_client, MODELS_URL, "disable_models", [offline_b])
    with pytest.raises(RunRefusedError) as refused:
        app_model_for_run(clear)
    assert refused.value.code == "needs_model"
    assert refused.value.message == "This app is being updated. Please try again later."
    assert "Offline B was disabled" in refused.value.owner_message
    assert "Choose a model" in refused.value.owner_message


def test_choosing_a_model_for_a_waiting_app_lets_it_run_again(
    admin_client, offline_b, openai_key, default_is_gpt_image_2
):
    _, clear = apps_on(offline_b)
    changelist_action(admin_client, MODELS_URL, "disable_models", [offline_b])
    changelist_action(
        admin_client,
        reverse("admin:builder_app_changelist"),
        "switch_model",
        [clear],
        apply="Switch model",
        model=str(image_model("offline").pk),
    )
    clear.refresh_from_db()
    assert not clear.needs_model
    assert app_model_for_run(clear) == image_model("offline")


def test_unticking_enabled_in_the_change_form_runs_the_same_fallback(admin_client, offline_b):
    plain, _ = apps_on(offline_b)
    url = reverse("admin:generation_imagemodel_change", args=[offline_b.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.pop("enabled")
    for name in ("capabilities", "pricing"):
        data[name] = form[name].value()
    response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200, response.content
    offline_b.refresh_from_db()
    plain.refresh_from_db()
    assert not offline_b.enabled
    assert plain.model == image_model("offline")  # no default set: the offline model is the site default
    assert ModelSwitch.objects.filter(kind=SwitchKind.DISABLE_FALLBACK, app=plain).exists()
    assert any("Moved 2 apps to the site default" in n for n in page_messages(response))


def test_enabling_the_model_again_lets_its_waiting_apps_run(
    admin_client, offline_b, openai_key, default_is_gpt_image_2
):
    _, clear = apps_on(offline_b)
    changelist_action(admin_client, MODELS_URL, "disable_models", [offline_b])
    response = changelist_action(admin_client, MODELS_URL, "enable_models", [offline_b])
    clear.refresh_from_db()
    assert not clear.needs_model
    assert app_model_for_run(clear) == offline_b
    assert any("1 app that waited for a model can take runs again" in n for n in page_messages(response))


def test_disabling_the_site_default_moves_its_apps_to_the_offline_model_and_says_to_choose_a_default(
    admin_client, offline_b
):
    settings = SiteSettings.load()
    settings.default_model = offline_b
    settings.save()
    plain, _ = apps_on(offline_b)
    response = changelist_action(admin_client, MODELS_URL, "disable_models", [offline_b])
    plain.refresh_from_db()
    assert plain.model == image_model("offline")
    assert (
        "Offline B was the site default: choose another in Site settings (Offline (built in) serves until then)."
        in (page_messages(response))
    )


def test_visitor_of_an_app_waiting_for_a_model_is_told_it_is_being_updated_and_nothing_runs(
    admin_client, client, offline_b, openai_key, default_is_gpt_image_2
):
    _, clear = apps_on(offline_b)
    changelist_action(admin_client, MODELS_URL, "disable_models", [offline_b])
    response = client.post(
        reverse("public:app", args=[clear.slug]), {"subject": "a red fox"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 503
    assert "This app is being updated. Please try again later." in response.content.decode()
    assert not Run.objects.exists()
