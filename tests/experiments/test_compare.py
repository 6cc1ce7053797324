"""Compare in the builder: variants checked before anything starts, one run per variant, the owner only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from builder.comparisons import ComparisonError, Variant, comparison_estimate, comparison_start
from builder.models import Comparison, ModelSwitch, SwitchKind
from generation.models import Run, RunSource
from tests.factories import UserFactory, image_model

from .helpers import offline_b

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "in_subject": "a red fox",
        "v0_model": "offline",
        "v0_quality": "low",
        "v0_size": "1024x1024",
        "v0_background": "auto",
        "v0_output_format": "png",
        "v1_model": "offline-b",
        "v1_quality": "high",
        "v1_size": "1536x1024",
        "v1_background": "opaque",
        "v1_output_format": "webp",
    }
    for i in (2, 3):
        data.update({f"v{i}_model": "", f"v{i}_quality": "low", f"v{i}_size": "1024x1024"})
        data.update({f"v{i}_background": "auto", f"v{i}_output_format": "png"})
    data.update(overrides)
    return data


def test_compare_page_is_prefilled_from_the_sample_inputs_and_shows_the_estimate(owner_client, app):
    html = owner_client.get(reverse("experiments:compare_new", args=[app.pk])).content.decode()
    assert 'value="a red fox"' in html
    assert "Estimated cost of this comparison" in html
    assert "counts toward the app's daily budget" in html


def test_starting_a_comparison_saves_it_and_starts_one_run_per_variant(owner_client, app):
    response = owner_client.post(reverse("experiments:compare_new", args=[app.pk]), form_data())
    comparison = Comparison.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("experiments:compare_detail", args=[app.pk, comparison.pk])
    assert comparison.inputs == {"subject": "a red fox"}
    assert [v["model"] for v in comparison.variants] == ["offline", "offline-b"]
    runs = list(Run.objects.order_by("comparison_index"))
    assert [r.comparison_index for r in runs] == [0, 1]
    assert all(r.source == RunSource.COMPARE and r.user == app.owner and r.app == app for r in runs)
    assert runs[0].prompt == "A sticker of a red fox"
    assert runs[1].params["size"] == "1536x1024" and runs[1].params["output_format"] == "webp"


def test_a_variant_that_does_not_fit_its_model_is_a_form_error_and_nothing_starts(owner_client, app):
    data = form_data(v1_background="transparent", v1_output_format="jpeg")
    response = owner_client.post(reverse("experiments:compare_new", args=[app.pk]), data)
    assert response.status_code == 200
    assert "A transparent background needs PNG or WEBP output, not JPEG." in response.content.decode()
    assert not Comparison.objects.exists() and not Run.objects.exists()


def test_fewer_than_two_variants_is_a_form_error(owner_client, app):
    response = owner_client.post(reverse("experiments:compare_new", args=[app.pk]), form_data(v1_model=""))
    assert "Choose a model for 2 to 4 variants." in response.content.decode()
    assert not Run.objects.exists()


def test_estimate_fragment_follows_the_form(owner_client, app):
    url = reverse("experiments:compare_estimate", args=[app.pk])
    html = owner_client.post(url, form_data(), headers={"HX-Request": "true"}).content.decode()
    assert "Estimated cost of this comparison" in html and "Variant B: $0.0000" in html
    html = owner_client.post(url, form_data(v1_size="5000x5000")).content.decode()
    assert "cannot run: " in html and "The longest edge may be at most 3840 px" in html


def test_comparisons_are_for_the_owner_only(client, app):
    comparison = Comparison.objects.create(app=app, owner=app.owner, variants=[])
    client.force_login(UserFactory())
    assert client.get(reverse("experiments:compare_new", args=[app.pk])).status_code == 404
    assert client.get(reverse("experiments:compare_detail", args=[app.pk, comparison.pk])).status_code == 404
    assert client.post(reverse("experiments:compare_use", args=[app.pk, comparison.pk, 0])).status_code == 404


def test_use_this_variant_switches_the_app_through_the_audited_switch(owner_client, app):
    owner_client.post(reverse("experiments:compare_new", args=[app.pk]), form_data())
    comparison = Comparison.objects.get()
    response = owner_client.post(reverse("experiments:compare_use", args=[app.pk, comparison.pk, 1]), follow=True)
    app.refresh_from_db()
    assert app.model.key == "offline-b"
    assert app.params["quality"] == "high" and app.params["size"] == "1536x1024"
    switch = ModelSwitch.objects.get()
    assert switch.kind == SwitchKind.VARIANT and switch.by == app.owner and switch.to_model.key == "offline-b"
    assert "now uses variant B" in response.content.decode()


def test_saved_comparisons_are_listed_on_the_app_page(owner_client, app):
    owner_client.post(reverse("experiments:compare_new", args=[app.pk]), form_data())
    comparison = Comparison.objects.get()
    html = owner_client.get(reverse("builder:app_detail", args=[app.pk])).content.decode()
    assert reverse("experiments:compare_new", args=[app.pk]) in html
    assert reverse("experiments:compare_detail", args=[app.pk, comparison.pk]) in html


def test_estimate_adds_up_every_variant_at_its_own_price(app):
    priced = offline_b()
    priced.pricing = {"per_image": {"low": {"1024x1024": 0.011}, "high": {"1024x1024": 0.167}}}
    priced.save()
    variants = [
        Variant(priced, {"quality": "low"}),
        Variant(priced, {"quality": "high"}),
        Variant(image_model("offline"), {"quality": "high"}),
    ]
    estimate = comparison_estimate(app=app, inputs={"subject": "a fox"}, variants=variants)
    assert estimate.per_variant == [Decimal("0.011"), Decimal("0.167"), Decimal("0")]
    assert estimate.total_usd == Decimal("0.178") and estimate.errors == {}
    comparison = comparison_start(app=app, by=app.owner, inputs={"subject": "a fox"}, variants=variants)
    assert comparison.estimated_cost_usd == Decimal("0.178")
    assert sorted(r.estimated_cost_usd for r in comparison.runs.all()) == [0, Decimal("0.011"), Decimal("0.167")]


def test_five_variants_are_refused(app):
    variants = [Variant(image_model("offline"), {})] * 5
    with pytest.raises(ComparisonError) as refused:
        comparison_start(app=app, by=app.owner, inputs={}, variants=variants)
    assert refused.value.errors[-1] == ["Choose 2 to 4 variants (got 5)."]
    assert not Comparison.objects.exists()
