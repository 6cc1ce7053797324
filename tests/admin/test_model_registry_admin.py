"""The model registry in the admin: the list, pinning a snapshot, prices and capabilities as checked JSON,
and lifecycle fields."""

import json

from django.urls import reverse

from tests.admin.conftest import change_form_data
from tests.factories import AppFactory, image_model

MODELS_URL = reverse("admin:generation_imagemodel_changelist")


def edit(client, model, **overrides):
    url = reverse("admin:generation_imagemodel_change", args=[model.pk])
    return client.post(url, change_form_data(client.get(url), **overrides), follow=True)


def test_registry_list_shows_state_days_left_and_apps_using_each_model_in_few_queries(
    admin_client, django_assert_max_num_queries
):
    for _ in range(3):
        AppFactory(model=image_model("gpt-4.1-mini"))
    AppFactory(model=image_model("gpt-image-1"))
    with django_assert_max_num_queries(10):
        response = admin_client.get(MODELS_URL)
    html = response.content.decode()
    mini = image_model("gpt-4.1-mini")
    assert f"Deprecated, {mini.days_left} days left (shuts down 2027-01-14)" in html
    assert "Retired on 2026-10-23" in html
    assert "gpt-image-2-2026-04-21" in html  # the pinned snapshot
    assert f'?model__id__exact={mini.pk}">3</a>' in html


def test_pinning_a_snapshot_and_editing_prices_is_saved(admin_client):
    model = image_model("gpt-image-2")
    pricing = {**model.pricing, "image_tokens_per_million": {"text_input": 4, "image_input": 7, "image_output": 25}}
    response = edit(admin_client, model, snapshot_id="gpt-image-2-2026-06-01", pricing=json.dumps(pricing))
    assert response.status_code == 200
    model.refresh_from_db()
    assert model.snapshot_id == "gpt-image-2-2026-06-01"
    assert model.vendor_id_to_send == "gpt-image-2-2026-06-01"
    assert model.pricing["image_tokens_per_million"]["image_output"] == 25


def test_a_typo_in_the_capabilities_json_is_a_form_error_not_a_broken_model(admin_client):
    model = image_model("gpt-image-2")
    before = dict(model.capabilities)
    typo = {**before, "qualites": ["low"]}
    typo.pop("qualities")
    response = edit(admin_client, model, capabilities=json.dumps(typo))
    assert "Unknown key &#x27;qualites&#x27; in capabilities" in response.content.decode()
    response = edit(admin_client, model, capabilities='{"sizes": ["1024x1024",]}')
    assert "Enter a valid JSON" in response.content.decode()
    response = edit(admin_client, model, capabilities=json.dumps({**before, "max_images": "ten", "sizes": ["big"]}))
    html = response.content.decode()
    assert "max_images must be a whole number of at least 1" in html
    assert "Size &#x27;big&#x27; is not WIDTHxHEIGHT" in html
    model.refresh_from_db()
    assert model.capabilities == before


def test_a_malformed_price_table_is_a_form_error(admin_client):
    model = image_model("gpt-image-2")
    bad = {**model.pricing, "image_tokens_per_million": {"image_ouput": 30}}
    response = edit(admin_client, model, pricing=json.dumps(bad))
    assert "Unknown key &#x27;image_ouput&#x27; in image_tokens_per_million" in response.content.decode()
    response = edit(admin_client, model, pricing=json.dumps({"per_image": {"low": {"1024x1024": "cheap"}}}))
    assert "per_image must map quality to size to price" in response.content.decode()


def test_staff_edit_lifecycle_dates_successor_and_source(admin_client):
    mini = image_model("gpt-4.1-mini")
    flare = image_model("gpt-image-2.5-flare")
    response = edit(
        admin_client,
        mini,
        deprecation_announced="2026-07-01",
        shutdown_date="2027-02-01",
        successor=str(flare.pk),
        lifecycle_source="Vendor notice of 2026-07-01",
    )
    assert response.status_code == 200
    mini.refresh_from_db()
    assert (str(mini.shutdown_date), mini.successor, mini.lifecycle_source) == (
        "2027-02-01",
        flare,
        "Vendor notice of 2026-07-01",
    )


def test_lifecycle_mistakes_are_form_errors(admin_client):
    sunburst = image_model("gpt-image-2.5-sunburst")
    old = image_model("gpt-image-1")  # its successor is sunburst: sunburst -> gpt-image-1 would be a loop
    response = edit(admin_client, sunburst, successor=str(old.pk))
    assert "A model cannot succeed itself" in response.content.decode()
    response = edit(admin_client, sunburst, deprecation_announced="2027-01-01", shutdown_date="2026-12-01")
    assert "The shutdown date cannot come before" in response.content.decode()
    sunburst.refresh_from_db()
    assert sunburst.successor is None and sunburst.shutdown_date is None


def test_staff_add_a_model_whose_key_has_dots(admin_client):
    offline = image_model("offline")
    response = admin_client.post(
        reverse("admin:generation_imagemodel_add"),
        {
            "key": "gpt-4.2-mini",
            "display_name": "GPT-4.2 Mini",
            "provider": "openai_responses",
            "enabled": "on",
            "vendor_model_id": "gpt-4.2-mini",
            "sort_order": "40",
            "capabilities": json.dumps(offline.capabilities),
            "pricing": json.dumps({"text_tokens_per_million": {"input": 0.4, "output": 1.6}}),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "adminform" not in (response.context or {}), response.context["adminform"].form.errors
    assert image_model("gpt-4.2-mini").display_name == "GPT-4.2 Mini"


def test_empty_capabilities_are_a_form_error(admin_client):
    model = image_model("gpt-image-2")
    response = edit(admin_client, model, capabilities="")
    assert "Capabilities must be a JSON object." in response.content.decode()


def test_a_duplicate_key_is_a_form_error(admin_client):
    response = admin_client.post(
        reverse("admin:generation_imagemodel_add"),
        {
            "key": "gpt-4.1-mini",
            "display_name": "Again",
            "provider": "offline",
            "sort_order": "1",
            "capabilities": "{}",
            "pricing": "{}",
        },
    )
    assert "A model with this key already exists." in response.content.decode()
