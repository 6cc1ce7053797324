"""Changing one app's model in its admin page: capability-checked (a misfit is a form error) and audited."""

from django.urls import reverse

from builder.models import ModelSwitch, SwitchKind
from tests.admin.conftest import change_form_data
from tests.factories import AppFactory, RunFactory, image_model


def edit(client, app, **overrides):
    url = reverse("admin:builder_app_change", args=[app.pk])
    return client.post(url, change_form_data(client.get(url), **overrides), follow=True)


def test_changing_an_apps_model_switches_it_with_an_audit_entry(admin_client, admin_user, offline_b):
    app = AppFactory(name="Fox stickers")
    response = edit(admin_client, app, model=str(offline_b.pk), switch_reason="Try B")
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.model == offline_b
    entry = ModelSwitch.objects.get()
    assert (entry.app, entry.kind, entry.from_model, entry.to_model, entry.by, entry.reason) == (
        app,
        SwitchKind.APP,
        image_model("offline"),
        offline_b,
        admin_user,
        "Try B",
    )


def test_a_model_that_cannot_run_the_app_is_a_form_error_and_nothing_changes(admin_client):
    app = AppFactory(
        name="Clear stickers",
        params={"size": "1024x1024", "quality": "low", "background": "transparent", "output_format": "png", "n": 1},
    )
    response = edit(admin_client, app, model=str(image_model("gpt-image-2").pk), name="Renamed")
    html = response.content.decode()
    assert "GPT Image 2 cannot run this app" in html and "transparent" in html
    app.refresh_from_db()
    assert app.name == "Clear stickers" and app.model == image_model("offline")
    assert not ModelSwitch.objects.exists()


def test_editing_other_fields_writes_no_switch(admin_client):
    app = AppFactory(name="Fox stickers")
    edit(admin_client, app, name="Fox stickers deluxe")
    app.refresh_from_db()
    assert app.name == "Fox stickers deluxe"
    assert not ModelSwitch.objects.exists()


def test_app_page_lists_its_switches_and_links_its_runs(admin_client, offline_b):
    app = AppFactory(name="Fox stickers")
    RunFactory(app=app)
    edit(admin_client, app, model=str(offline_b.pk), switch_reason="Try B")
    html = admin_client.get(reverse("admin:builder_app_change", args=[app.pk])).content.decode()
    assert "Try B" in html and "One app" in html
    assert f"/admin/generation/run/?app__id__exact={app.pk}" in html and "1 run<" in html


def test_apps_list_shows_owner_model_runs_and_cost_in_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    for i in range(6):
        app = AppFactory(name=f"App {i}", model=image_model("gpt-4.1-mini" if i % 2 else "offline"))
        RunFactory(app=app, cost_usd="0.25")
        RunFactory(app=app, cost_usd="0.50")
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:builder_app_changelist"))
    html = response.content.decode()
    assert "0.7500" in html
    assert "GPT-4.1 Mini (image tool) (deprecated," in html and "days left)" in html
    filtered = admin_client.get(reverse("admin:builder_app_changelist") + "?needs_model__exact=1")
    assert "App 0" not in filtered.content.decode()


def test_parameters_the_model_cannot_run_or_of_the_wrong_shape_are_form_errors(admin_client):
    app = AppFactory(name="Fox stickers", model=image_model("gpt-image-2"))
    transparent = '{"size": "1024x1024", "quality": "low", "background": "transparent", "output_format": "png"}'
    response = edit(admin_client, app, params=transparent)
    assert "GPT Image 2 cannot run this app" in response.content.decode()
    response = edit(admin_client, app, params='["size"]', visitor_params='["colour"]')
    html = response.content.decode()
    assert "Parameters must be a JSON object" in html and "A list of parameter names among" in html
    app.refresh_from_db()
    assert app.params["background"] == "auto"


def test_apps_list_marks_apps_waiting_for_a_model(admin_client):
    AppFactory(name="Waiting app", needs_model=True)
    html = admin_client.get(reverse("admin:builder_app_changelist")).content.decode()
    assert "(waiting for a model: runs refused)" in html
