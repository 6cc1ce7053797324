"""The lifecycle seed: idempotent, never undoing what staff edited; GPT Image 1 stays in the registry so old
runs and the GPT Image 1 against GPT-4.1 Mini comparison stay readable."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from builder.models import Comparison
from generation.models import ImageModel, ModelState, RunStatus
from tests.factories import AppFactory, RunFactory, UserFactory, image_model

pytestmark = pytest.mark.django_db

seed = importlib.import_module("generation.migrations.0002_seed_registry").seed


def test_seeded_lifecycle_matches_the_vendors_announcements():
    gpt_image_1, mini = image_model("gpt-image-1"), image_model("gpt-4.1-mini")
    assert (gpt_image_1.shutdown_date, gpt_image_1.successor.key, gpt_image_1.state) == (
        datetime.date(2026, 10, 23),
        "gpt-image-2.5-sunburst",
        ModelState.RETIRED,
    )
    assert (mini.shutdown_date, mini.successor, mini.state) == (datetime.date(2027, 1, 14), None, ModelState.DEPRECATED)
    assert mini.tool_image_model.key == "gpt-image-2.5-flare"
    snapshots = {m.key: m.snapshot_id for m in ImageModel.objects.filter(key__startswith="gpt-image-2")}
    assert snapshots == {
        "gpt-image-2": "gpt-image-2-2026-04-21",
        "gpt-image-2.5-sunburst": "gpt-image-2.5-sunburst-2026-09-08",
        "gpt-image-2.5-flare": "gpt-image-2.5-flare-2026-09-08",
    }
    assert all(image_model(key).state == ModelState.AVAILABLE for key in snapshots)
    assert all(m.lifecycle_source for m in (gpt_image_1, mini))


def test_seeding_again_adds_nothing_and_keeps_what_staff_edited():
    count = ImageModel.objects.count()
    mini = image_model("gpt-4.1-mini")
    mini.shutdown_date = datetime.date(2027, 2, 1)
    mini.successor = image_model("gpt-image-2.5-flare")
    mini.lifecycle_source = "Vendor mail of 2026-11-20"
    mini.save()
    sunburst = image_model("gpt-image-2.5-sunburst")
    sunburst.notes = "Our house model"
    sunburst.save()

    seed(apps, None)
    seed(apps, None)

    assert ImageModel.objects.count() == count
    mini.refresh_from_db()
    assert (mini.shutdown_date, mini.successor.key, mini.lifecycle_source) == (
        datetime.date(2027, 2, 1),
        "gpt-image-2.5-flare",
        "Vendor mail of 2026-11-20",
    )
    assert image_model("gpt-image-2.5-sunburst").notes == "Our house model"


def test_gpt_image_1_stays_in_the_registry_but_is_not_offered(client):
    assert ImageModel.objects.filter(key="gpt-image-1").exists()
    client.force_login(UserFactory())
    body = client.get(reverse("builder:app_new")).content.decode()
    assert 'value="gpt-image-1"' not in body


def test_a_gpt_image_1_against_gpt_4_1_mini_comparison_stays_readable(client):
    owner = UserFactory()
    app = AppFactory(owner=owner, model=image_model("gpt-image-1"))
    params = {"size": "1024x1024", "quality": "low", "output_format": "png", "n": 1}
    comparison = Comparison.objects.create(
        app=app,
        owner=owner,
        inputs={"subject": "a red fox"},
        variants=[{"model": "gpt-image-1", "params": params}, {"model": "gpt-4.1-mini", "params": params}],
    )
    for index, key in enumerate(["gpt-image-1", "gpt-4.1-mini"]):
        RunFactory(
            app=app,
            requested_model=image_model(key),
            comparison=comparison,
            comparison_index=index,
            status=RunStatus.SUCCEEDED,
            cost_usd=Decimal("0.011"),
        )
    client.force_login(owner)

    response = client.get(reverse("experiments:compare_detail", args=[app.pk, comparison.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "GPT Image 1" in body and "GPT-4.1 Mini" in body
