"""Creating and editing an app: validation that says what is wrong, and nothing half-saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from builder.models import App, Field, ModelSwitch
from tests.factories import AppFactory, UserFactory

from .helpers import app_data, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def builder(client):
    user = UserFactory()
    client.force_login(user)
    return user


def post_new(client, data, **extra):
    return client.post(reverse("builder:app_new"), data, **extra)


def test_blank_app_is_created_with_its_fields_and_params(client, builder):
    data = app_data(
        {"key": "subject", "label": "Subject", "sample": "a blue mug", "max_length": "120"},
        {"key": "style", "label": "Style", "type": "select", "options": "photo\nsketch", "default": "photo"},
        prompt_template="A {{ style }} of {{ subject }}",
        visitor_params=["size", "quality"],
        n="2",
    )
    response = post_new(client, data)
    app = App.objects.get(slug="mug-shots")
    assert response.status_code == 302 and response["Location"] == app.get_absolute_url()
    assert app.owner == builder and app.model.key == "offline" and app.state == "draft"
    assert app.params == {"size": "1024x1024", "quality": "low", "background": "auto", "output_format": "png", "n": 2}
    assert app.visitor_params == ["size", "quality"]
    assert [(f.key, f.type, f.options, f.order) for f in app.fields.all()] == [
        ("subject", "short_text", [], 0),
        ("style", "select", ["photo", "sketch"], 1),
    ]
    assert app.sample_inputs == {"subject": "a blue mug"}


def test_fields_keep_the_order_the_builder_gives_them(client, builder):
    data = app_data(
        {"key": "subject", "label": "Subject", "ORDER": "2"},
        {"key": "mood", "label": "Mood", "ORDER": "1"},
        prompt_template="{{ mood }} {{ subject }}",
    )
    post_new(client, data)
    assert list(App.objects.get().fields.values_list("key", flat=True)) == ["mood", "subject"]


def test_empty_slug_is_made_from_the_name(client, builder):
    post_new(client, app_data(name="Cat Portraits!", slug=""))
    assert App.objects.get().slug == "cat-portraits"


def test_duplicate_slug_is_refused_and_nothing_saved(client, builder):
    AppFactory(slug="mug-shots")
    response = post_new(client, app_data())
    assert response.status_code == 200
    assert "The address /a/mug-shots/ is taken" in response.content.decode()
    assert App.objects.count() == 1 and Field.objects.count() == 1


def test_unknown_placeholder_is_named_and_nothing_saved(client, builder):
    response = post_new(client, app_data(prompt_template="A {{ colour }} photo of {{ subject }}"))
    assert "No field for {{ colour }}" in response.content.decode()
    assert not App.objects.exists() and not Field.objects.exists()


def test_required_field_missing_from_template_is_named(client, builder):
    data = app_data(
        {"key": "subject", "label": "Subject"},
        {"key": "style", "label": "Style"},
    )
    response = post_new(client, data)
    assert "Required field style not used in the template" in response.content.decode()
    assert not App.objects.exists()


def test_optional_field_need_not_be_in_template(client, builder):
    data = app_data({"key": "subject", "label": "Subject"}, {"key": "notes", "label": "Notes", "required": False})
    post_new(client, data)
    assert App.objects.get().fields.count() == 2


def test_select_default_outside_its_options_is_refused(client, builder):
    data = app_data(
        {"key": "subject", "label": "Subject"},
        {"key": "style", "label": "Style", "type": "select", "options": "photo\nsketch", "default": "oil"},
        prompt_template="A {{ style }} of {{ subject }}",
    )
    response = post_new(client, data)
    assert "Default &#x27;oil&#x27; of &#x27;style&#x27; is not one of its options (photo, sketch)" in (
        response.content.decode()
    )
    assert not App.objects.exists()


def test_select_without_options_and_duplicate_keys_are_refused(client, builder):
    data = app_data(
        {"key": "subject", "label": "Subject"},
        {"key": "subject", "label": "Again"},
        {"key": "style", "label": "Style", "type": "select"},
        prompt_template="{{ style }} {{ subject }}",
    )
    body = post_new(client, data).content.decode()
    assert "needs at least one option" in body
    assert not App.objects.exists()


def test_duplicate_field_keys_are_refused(client, builder):
    data = app_data({"key": "subject", "label": "Subject"}, {"key": "subject", "label": "Again"})
    body = post_new(client, data).content.decode()
    assert "Two fields use the key &#x27;subject&#x27;" in body
    assert not App.objects.exists()


def test_cover_is_checked_and_stored(client, builder, settings):
    cover = SimpleUploadedFile("cover.png", image_bytes(), content_type="image/png")
    post_new(client, {**app_data(), "cover": cover})
    app = App.objects.get()
    assert app.cover.name.startswith("covers/") and app.cover.name.endswith(".png")
    response = client.get(reverse("builder:app_cover", args=[app.pk]))
    assert response["Content-Type"] == "image/png" and response.content == image_bytes()


def test_oversize_cover_is_refused_and_nothing_saved(client, builder, settings):
    settings.UPLOAD_MAX_BYTES = 100
    cover = SimpleUploadedFile("cover.png", image_bytes(), content_type="image/png")
    body = post_new(client, {**app_data(), "cover": cover}).content.decode()
    assert "The cover is 0.0 MB; the limit is 0.0 MB" in body or "limit is" in body
    assert not App.objects.exists()


def test_cover_over_the_pixel_limit_is_refused(client, builder, settings):
    settings.UPLOAD_MAX_PIXELS = 100
    cover = SimpleUploadedFile("cover.png", image_bytes(), content_type="image/png")
    body = post_new(client, {**app_data(), "cover": cover}).content.decode()
    assert "the limit is 100" in body
    assert not App.objects.exists()


def test_garbage_cover_is_refused_and_nothing_saved(client, builder):
    cover = SimpleUploadedFile("cover.png", b"<?php echo 'not an image'; ?>", content_type="image/png")
    body = post_new(client, {**app_data(), "cover": cover}).content.decode()
    assert "The cover must be a PNG, JPEG or WebP image" in body
    assert not App.objects.exists()


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        ("1000", "1024", "multiples of 16"),
        ("4096", "1024", "longest edge may be at most 3840"),
        ("3840", "3840", "At most 8,294,400 pixels"),
        ("3072", "768", "at most 3 times the short side"),
    ],
)
def test_custom_size_names_the_limit_crossed(client, builder, width, height, message):
    body = post_new(client, app_data(size="custom", custom_width=width, custom_height=height)).content.decode()
    assert message in body
    assert not App.objects.exists()


def test_custom_size_within_limits_is_saved(client, builder):
    post_new(client, app_data(size="custom", custom_width="1536", custom_height="864"))
    assert App.objects.get().params["size"] == "1536x864"


def test_parameter_the_model_cannot_do_is_named(client, builder):
    body = post_new(
        client, app_data(model="gpt-image-2", params_for="gpt-image-2", background="transparent")
    ).content.decode()
    assert "does not offer background &#x27;transparent&#x27;" in body
    assert not App.objects.exists()


def test_transparent_background_needs_png_or_webp(client, builder):
    body = post_new(client, app_data(background="transparent", output_format="jpeg")).content.decode()
    assert "A transparent background needs PNG or WEBP output, not JPEG" in body


def test_too_many_images_for_the_model_is_refused(client, builder):
    body = post_new(client, app_data(n="5")).content.decode()
    assert "This model makes 1 to 4 images per run (asked for 5)" in body


def test_switching_model_refits_params_and_says_what_changed(client, builder):
    data = app_data(model="gpt-image-2", params_for="offline", background="transparent", n="3")
    response = post_new(client, data)
    body = response.content.decode()
    assert not App.objects.exists()
    assert "Background transparent → auto" in body
    # The refitted form saves on the next press.
    data.update(params_for="gpt-image-2", background="auto")
    post_new(client, data)
    assert App.objects.get().model.key == "gpt-image-2"


def test_changing_an_existing_apps_model_is_audited(client, builder):
    app = AppFactory(owner=builder, slug="mug-shots")
    data = app_data(model="gpt-image-2.5-flare", params_for="gpt-image-2.5-flare")
    response = client.post(reverse("builder:app_edit", args=[app.pk]), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.model.key == "gpt-image-2.5-flare"
    switch = ModelSwitch.objects.get(app=app)
    assert (switch.from_model.key, switch.to_model.key, switch.by) == ("offline", "gpt-image-2.5-flare", builder)


def test_editing_without_a_model_change_leaves_no_switch(client, builder):
    app = AppFactory(owner=builder, slug="mug-shots")
    client.post(reverse("builder:app_edit", args=[app.pk]), app_data(name="Renamed"))
    app.refresh_from_db()
    assert app.name == "Renamed" and not ModelSwitch.objects.exists()


def test_retired_model_is_not_offered_for_new_apps(client, builder):
    body = client.get(reverse("builder:app_new")).content.decode()
    assert 'value="gpt-image-2.5-sunburst"' in body
    assert 'value="gpt-image-1"' not in body
    body = post_new(client, app_data(model="gpt-image-1", params_for="gpt-image-1")).content.decode()
    assert "Select a valid choice" in body and not App.objects.exists()


def test_model_selector_shows_capabilities_cost_and_days_left(client, builder, settings):
    body = client.get(reverse("builder:app_new") + "?starter=sticker").content.decode()
    assert "GPT-4.1 Mini (image tool)" in body
    assert "days left" in body
    assert "≈ $0.053 per image" in body  # gpt-image-2.x at 1024x1024, medium
    assert "transparent backgrounds" in body


def test_starter_prefills_the_form(client, builder):
    body = client.get(reverse("builder:app_new") + "?starter=sticker").content.decode()
    assert "die-cut {{ style }} sticker of {{ subject }}" in body
    assert 'value="subject"' in body and "a red fox reading a book" in body


def test_add_a_field_button_adds_a_row_without_saving(client, builder):
    body = post_new(client, {**app_data(), "add_field": "1"}).content.decode()
    assert 'name="fields-1-key"' in body and not App.objects.exists()


def test_params_partial_refits_to_the_picked_model(client, builder):
    data = app_data(model="gpt-image-2", params_for="offline", background="transparent")
    response = client.post(reverse("builder:app_params"), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="model-params"' in body and "<html" not in body
    assert "Background transparent → auto" in body
    assert 'value="transparent"' not in body
    assert 'name="params_for" value="gpt-image-2"' in body


def test_negative_budget_is_refused(client, builder):
    body = post_new(client, app_data(daily_budget_usd="-1")).content.decode()
    assert "Ensure this value is greater than or equal to 0." in body
    assert not App.objects.exists()


def test_tampered_formset_counts_give_form_errors_not_500(client, builder):
    response = post_new(client, {**app_data(), "fields-TOTAL_FORMS": "lots", "add_field": "1"})
    assert response.status_code == 200
    response = post_new(client, {**app_data(), "fields-TOTAL_FORMS": "lots"})
    assert response.status_code == 200 and not App.objects.exists()
