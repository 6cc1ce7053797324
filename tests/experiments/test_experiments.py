"""Experiments in the builder: start with checked variants and weights, watch the results, stop, promote."""

from decimal import Decimal

import pytest
from django.urls import reverse

from builder.experiments import experiment_results
from builder.models import AppState, Experiment, ExperimentState, ModelSwitch, SwitchKind, Vote
from generation.models import RunStatus
from tests.factories import UserFactory, image_model

from .helpers import finished_run, make_experiment, offline_b

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {}
    for i, (model, weight) in enumerate([("offline", 50), ("offline-b", 50), ("", 0), ("", 0)]):
        data.update({f"v{i}_model": model, f"v{i}_weight": weight, f"v{i}_quality": "low"})
        data.update({f"v{i}_size": "1024x1024", f"v{i}_background": "auto", f"v{i}_output_format": "png"})
    data.update(overrides)
    return data


def start(client, app, **overrides):
    return client.post(reverse("experiments:experiment_new", args=[app.pk]), form_data(**overrides))


def test_owner_starts_a_50_50_experiment(owner_client, app):
    response = start(owner_client, app)
    experiment = Experiment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("experiments:experiment_detail", args=[app.pk, experiment.pk])
    variants = list(experiment.variants.order_by("label"))
    assert [(v.label, v.model.key, v.weight) for v in variants] == [("A", "offline", 50), ("B", "offline-b", 50)]
    assert experiment.state == ExperimentState.RUNNING


def test_weights_adding_up_to_zero_are_refused(owner_client, app):
    response = start(owner_client, app, v0_weight=0, v1_weight=0)
    assert "the weights add up to 0" in response.content.decode()
    assert not Experiment.objects.exists()


def test_a_variant_that_does_not_fit_is_refused(owner_client, app):
    response = start(owner_client, app, v1_background="transparent", v1_output_format="jpeg")
    assert "A transparent background needs PNG or WEBP output" in response.content.decode()
    assert not Experiment.objects.exists()


def test_a_draft_app_cannot_run_an_experiment(owner_client, app):
    app.state = AppState.DRAFT
    app.save()
    response = start(owner_client, app)
    assert "Publish the app first" in response.content.decode()
    assert not Experiment.objects.exists()


def test_only_one_experiment_runs_per_app(owner_client, app):
    running = make_experiment(app, (image_model("offline"), 50), (offline_b(), 50))
    response = start(owner_client, app)
    assert response.url == reverse("experiments:experiment_detail", args=[app.pk, running.pk])
    assert Experiment.objects.count() == 1


def test_experiments_are_for_the_owner_only(client, app):
    experiment = make_experiment(app, (image_model("offline"), 50), (offline_b(), 50))
    client.force_login(UserFactory())
    assert client.get(reverse("experiments:experiment_new", args=[app.pk])).status_code == 404
    assert client.get(reverse("experiments:experiment_detail", args=[app.pk, experiment.pk])).status_code == 404
    assert client.post(reverse("experiments:experiment_stop", args=[app.pk, experiment.pk])).status_code == 404


def test_results_per_variant(app):
    experiment = make_experiment(app, (image_model("offline"), 50), (offline_b(), 50))
    a, b = experiment.variants.order_by("label")
    for seconds in (1, 2, 3, 4):
        finished_run(a, seconds=seconds, cost="0.04", images=2, download_count=1)
    finished_run(a, status=RunStatus.FAILED)
    up = finished_run(b, share_open_count=3)
    Vote.objects.create(run=up, up=True, visitor_hash="v1")
    Vote.objects.create(run=finished_run(a), up=False, visitor_hash="v2")

    results = experiment_results(experiment=experiment)
    ra, rb = results.variants
    assert (ra.runs, ra.succeeded, ra.finished) == (6, 5, 6)
    assert ra.success_pct == 83
    assert ra.p50_seconds == pytest.approx(2.0, abs=0.01)
    assert ra.p95_seconds == pytest.approx(3.8, abs=0.01)  # times 1, 2, 2, 3, 4 s
    assert ra.cost_per_image_usd == Decimal("0.017778")  # $0.16 over 9 images
    assert ra.downloads == 4 and rb.share_opens == 3
    assert (ra.ups, ra.votes, rb.ups, rb.votes) == (0, 1, 1, 1)
    assert rb.up_pct == 100 and (rb.low_pct, rb.high_pct) == (21, 100)
    assert results.read.startswith("Not enough data yet")


def test_results_page_shows_the_read_and_a_chart_and_polls_while_running(owner_client, app):
    experiment = make_experiment(app, (image_model("offline"), 50), (offline_b(), 50))
    url = reverse("experiments:experiment_detail", args=[app.pk, experiment.pk])
    html = owner_client.get(url).content.decode()
    assert "Not enough data yet" in html and "<svg" in html and 'hx-trigger="every 2s"' in html
    fragment = owner_client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()


def test_stopping_an_experiment_keeps_its_results_and_ends_polling(owner_client, app):
    experiment = make_experiment(app, (image_model("offline"), 50), (offline_b(), 50))
    owner_client.post(reverse("experiments:experiment_stop", args=[app.pk, experiment.pk]))
    experiment.refresh_from_db()
    assert experiment.state == ExperimentState.STOPPED and experiment.stopped_at
    url = reverse("experiments:experiment_detail", args=[app.pk, experiment.pk])
    assert owner_client.get(url, headers={"HX-Request": "true"}).status_code == 286


def test_promoting_the_winner_stops_the_experiment_and_switches_the_app_audited(owner_client, app):
    experiment = make_experiment(app, (image_model("offline"), 50), (offline_b(), 50), params={"quality": "high"})
    b = experiment.variants.get(label="B")
    response = owner_client.post(
        reverse("experiments:experiment_promote", args=[app.pk, experiment.pk, b.pk]), follow=True
    )
    assert "Variant B promoted" in response.content.decode()
    experiment.refresh_from_db()
    app.refresh_from_db()
    assert experiment.state == ExperimentState.STOPPED and experiment.winner == b
    assert app.model.key == "offline-b" and app.params["quality"] == "high"
    switch = ModelSwitch.objects.get()
    assert switch.kind == SwitchKind.VARIANT and switch.by == app.owner
    assert f"Experiment {experiment.pk}" in switch.reason


def test_app_page_panel_summarises_the_experiment(owner_client, app):
    make_experiment(app, (image_model("offline"), 50), (offline_b(), 50))
    html = owner_client.get(reverse("experiments:app_panel", args=[app.pk])).content.decode()
    assert "Not enough data yet" in html and "Offline B" in html


def test_staff_stop_experiments_in_the_admin(client, app):
    experiment = make_experiment(app, (image_model("offline"), 50), (offline_b(), 50))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:builder_experiment_change", args=[experiment.pk]))
    assert page.status_code == 200 and "Offline B" in page.content.decode()
    client.post(
        reverse("admin:builder_experiment_changelist"),
        {"action": "stop_experiments", "_selected_action": [experiment.pk]},
    )
    experiment.refresh_from_db()
    assert experiment.state == ExperimentState.STOPPED


def test_a_winner_the_app_no_longer_fits_is_refused_and_the_experiment_keeps_running(owner_client, app):
    experiment = make_experiment(app, (image_model("offline"), 50), (offline_b(), 50))
    b = experiment.variants.get(label="B")
    b.params = {"background": "transparent", "output_format": "jpeg"}
    b.save()
    response = owner_client.post(
        reverse("experiments:experiment_promote", args=[app.pk, experiment.pk, b.pk]), follow=True
    )
    assert "Variant B could not be promoted: A transparent background needs" in response.content.decode()
    experiment.refresh_from_db()
    app.refresh_from_db()
    assert experiment.state == ExperimentState.RUNNING and experiment.winner is None
    assert app.model.key == "offline" and not ModelSwitch.objects.exists()
