"""The app page: sharing, publishing, duplicate, delete, runs, gallery, usage and the model's lifecycle."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from builder.models import App, AppState, Field, ModelSwitch
from builder.switching import model_switch
from generation.models import OutputImage, RunStatus
from tests.factories import AppFactory, RunFactory, UserFactory, image_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    user = UserFactory()
    client.force_login(user)
    return user


def page(client, app, query=""):
    response = client.get(reverse("builder:app_detail", args=[app.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_published_app_shows_public_link_copy_button_and_embed(client, owner, settings):
    settings.SITE_URL = "https://appaca.example.com"
    app = AppFactory(owner=owner, slug="fox-stickers")
    body = page(client, app)
    assert 'value="https://appaca.example.com/a/fox-stickers/"' in body
    assert 'data-copy="public-link"' in body
    assert "&lt;iframe src=&quot;https://appaca.example.com/a/fox-stickers/embed/&quot;" in body


def test_draft_shows_no_share_links(client, owner):
    app = AppFactory(owner=owner, state=AppState.DRAFT)
    body = page(client, app)
    assert "public-link" not in body and ">Publish</button>" in body


def test_publish_and_unpublish(client, owner):
    app = AppFactory(owner=owner, state=AppState.DRAFT)
    client.post(reverse("builder:app_publish", args=[app.pk]), {"action": "publish"})
    app.refresh_from_db()
    assert app.state == AppState.PUBLISHED
    client.post(reverse("builder:app_publish", args=[app.pk]), {"action": "unpublish"})
    app.refresh_from_db()
    assert app.state == AppState.DRAFT


def test_app_that_needs_a_model_cannot_be_published(client, owner):
    app = AppFactory(owner=owner, state=AppState.DRAFT, needs_model=True)
    response = client.post(reverse("builder:app_publish", args=[app.pk]), {"action": "publish"}, follow=True)
    assert "Choose a model for this app before publishing it." in response.content.decode()
    app.refresh_from_db()
    assert app.state == AppState.DRAFT


def test_duplicate_copies_fields_as_a_draft(client, owner):
    app = AppFactory(owner=owner, slug="fox")
    Field.objects.create(app=app, order=1, key="style", label="Style", type="select", options=["a", "b"])
    response = client.post(reverse("builder:app_duplicate", args=[app.pk]))
    copy = App.objects.exclude(pk=app.pk).get()
    assert response["Location"] == reverse("builder:app_edit", args=[copy.pk])
    assert copy.slug == "fox-copy" and copy.state == AppState.DRAFT and copy.owner == owner
    assert list(copy.fields.values_list("key", "options")) == [("subject", []), ("style", ["a", "b"])]
    client.post(reverse("builder:app_duplicate", args=[app.pk]))
    assert App.objects.filter(slug="fox-copy-2").exists()


def test_delete_asks_for_confirmation_first(client, owner):
    app = AppFactory(owner=owner)
    RunFactory(app=app)
    body = client.get(reverse("builder:app_delete", args=[app.pk])).content.decode()
    assert f"Delete {app.name}?" in body and "1 run " in body
    assert App.objects.filter(pk=app.pk).exists()
    response = client.post(reverse("builder:app_delete", args=[app.pk]))
    assert response["Location"] == reverse("builder:dashboard")
    assert not App.objects.filter(pk=app.pk).exists()


def test_run_history_filters_by_status_and_paginates(client, owner):
    app = AppFactory(owner=owner)
    for i in range(22):
        RunFactory(app=app, status=RunStatus.SUCCEEDED, prompt=f"ok prompt {i}")
    RunFactory(app=app, status=RunStatus.FAILED, prompt="broken prompt", error_message="The service refused.")
    body = page(client, app, "?status=failed")
    assert "broken prompt" in body and "ok prompt" not in body and "The service refused." in body
    body = page(client, app)
    assert "Page 1 of 2" in body
    partial = client.get(
        reverse("builder:app_detail", args=[app.pk]) + "?page=2",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="run-history",
    ).content.decode()
    assert partial.startswith("<section") or 'id="run-history"' in partial
    assert "<html" not in partial and "Page 2 of 2" in partial


def test_gallery_links_to_our_image_urls_never_presigned(client, owner):
    app = AppFactory(owner=owner)
    run = RunFactory(app=app, status=RunStatus.SUCCEEDED)
    OutputImage.objects.create(
        run=run, index=0, key="k.png", thumb_key="k.webp", width=8, height=8, bytes=1, content_type="image/png",
        sha256="x",
    )  # fmt: skip
    body = page(client, app)
    assert reverse("generation:thumb", args=[run.id, 0]) in body
    assert reverse("generation:image", args=[run.id, 0]) in body
    assert "X-Amz-Signature" not in body and "Signature=" not in body


def test_usage_per_day_and_per_model(client, owner):
    app = AppFactory(owner=owner)
    RunFactory(app=app, status=RunStatus.SUCCEEDED, cost_usd=Decimal("0.25"))
    RunFactory(app=app, status=RunStatus.SUCCEEDED, cost_usd=Decimal("0.5"), model=image_model("gpt-image-2"))
    RunFactory(
        app=app, queued_at=timezone.now() - datetime.timedelta(days=3), status=RunStatus.FAILED
    )  # fmt: skip
    body = page(client, app)
    assert "3 runs, 2 succeeded, $0.7500 spent." in body
    assert "Offline (built in)" in body and "GPT Image 2" in body
    assert 'style="height: 100%"' in body and 'style="height: 50%"' in body


def test_model_switch_history_is_listed(client, owner):
    app = AppFactory(owner=owner)
    model_switch(apps=[app], to=image_model("gpt-image-2.5-flare"), by=owner, reason="Sharper text")
    body = page(client, app)
    assert "Offline (built in) → GPT Image 2.5 Flare" in body and "Sharper text" in body


def test_retired_model_notice_names_successor_that_fits(client, owner):
    app = AppFactory(owner=owner, model=image_model("gpt-image-1"))
    body = page(client, app)
    assert "GPT Image 1 was retired on 2026-10-23." in body
    assert "served by its successor GPT Image 2.5 Sunburst" in body
    response = client.post(
        reverse("builder:app_switch", args=[app.pk]), {"model": "gpt-image-2.5-sunburst"}, follow=True
    )
    app.refresh_from_db()
    assert app.model.key == "gpt-image-2.5-sunburst"
    assert ModelSwitch.objects.filter(app=app, to_model__key="gpt-image-2.5-sunburst").exists()
    assert "was retired" not in response.content.decode()


def test_retired_model_notice_when_successor_does_not_fit(client, owner):
    retired = image_model("gpt-image-1")
    retired.successor = image_model("gpt-image-2")  # no transparency
    retired.save()
    app = AppFactory(owner=owner, model=retired, params={"background": "transparent", "output_format": "png"})
    body = page(client, app)
    assert "Its successor GPT Image 2 cannot run this app" in body
    assert "choose another model in Edit" in body


def test_retired_model_without_successor_says_what_to_do(client, owner):
    retired = image_model("gpt-image-1")
    retired.successor = None
    retired.save()
    app = AppFactory(owner=owner, model=retired)
    assert "It has no successor, so runs are refused: choose another model in Edit." in page(client, app)


def test_deprecated_model_shows_days_left(client, owner):
    model = image_model("gpt-4.1-mini")
    app = AppFactory(owner=owner, model=model)
    body = page(client, app)
    assert f"will be retired on 2027-01-14 ({model.days_left} days left)" in body
    dashboard = client.get(reverse("builder:dashboard")).content.decode()
    assert f"deprecated · {model.days_left} days left" in dashboard


def test_app_on_retired_model_keeps_it_visible_in_the_selector(client, owner):
    app = AppFactory(owner=owner, model=image_model("gpt-image-1"))
    body = client.get(reverse("builder:app_edit", args=[app.pk])).content.decode()
    assert 'value="gpt-image-1" checked' in body and "Retired" in body


def test_disabled_model_tells_the_owner_to_choose_another(client, owner):
    model = image_model("gpt-image-2")
    model.enabled = False
    model.save()
    app = AppFactory(owner=owner, model=model)
    assert "GPT Image 2 has been disabled by the site&#x27;s staff, so runs are refused" in page(client, app)


def test_cost_per_day_is_listed_under_the_chart(client, owner):
    app = AppFactory(owner=owner)
    RunFactory(app=app, status=RunStatus.SUCCEEDED, cost_usd=Decimal("0.125"))
    body = page(client, app)
    assert "Runs and cost per day" in body and "<td>$0.1250</td>" in body
