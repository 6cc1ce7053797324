"""Visitors rate experiment results: one vote per run, no sign-in, rate-limited per visitor."""

import pytest
from django.test import Client
from django.urls import reverse

from builder.experiments import VOTE_RATE_PER_MINUTE
from builder.models import Vote
from generation.models import RunStatus
from tests.factories import AppFactory, RunFactory, image_model

from .helpers import finished_run, make_experiment, offline_b, unique_ip

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant():
    experiment = make_experiment(AppFactory(), (image_model("offline"), 50), (offline_b(), 50))
    return experiment.variants.get(label="B")


@pytest.fixture
def visitor():
    return Client(REMOTE_ADDR=unique_ip())


def vote(client, run, up="1", htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("experiments:vote", args=[run.pk]), {"up": up}, headers=headers)


def test_visitor_thumbs_up_is_recorded_without_sign_in(visitor, variant):
    run = finished_run(variant)
    response = vote(visitor, run, "1")
    assert response.status_code == 200
    assert "Thanks! Your rating was recorded." in response.content.decode()
    assert Vote.objects.get(run=run).up is True


def test_second_vote_on_the_same_run_is_refused_with_a_clear_message(visitor, variant):
    run = finished_run(variant)
    vote(visitor, run, "1")
    response = vote(Client(REMOTE_ADDR=unique_ip()), run, "0", htmx=False)
    assert response.status_code == 409
    assert "This result has already been rated: one vote per result." in response.content.decode()
    assert Vote.objects.get(run=run).up is True


def test_vote_flood_is_refused_with_a_clear_message(visitor, variant):
    runs = [finished_run(variant, images=0) for _ in range(VOTE_RATE_PER_MINUTE + 1)]
    for run in runs[:VOTE_RATE_PER_MINUTE]:
        assert "Thanks!" in vote(visitor, run).content.decode()
    response = vote(visitor, runs[-1], htmx=False)
    assert response.status_code == 429
    assert "Too many votes from you in the last minute" in response.content.decode()
    assert Vote.objects.count() == VOTE_RATE_PER_MINUTE
    # Another visitor is not held back by the flood.
    assert "Thanks!" in vote(Client(REMOTE_ADDR=unique_ip()), runs[-1]).content.decode()


def test_a_run_outside_any_experiment_cannot_be_rated(visitor):
    run = RunFactory(status=RunStatus.SUCCEEDED)
    response = vote(visitor, run, htmx=False)
    assert response.status_code == 404
    assert "This result cannot be rated." in response.content.decode()
    assert not Vote.objects.exists()


def test_a_run_still_working_cannot_be_rated_yet(visitor, variant):
    run = RunFactory(app=variant.experiment.app, variant=variant, status=RunStatus.RUNNING)
    response = vote(visitor, run, htmx=False)
    assert response.status_code == 409
    assert "once it is ready" in response.content.decode()


def test_a_stopped_experiments_runs_can_still_be_rated(visitor, variant):
    run = finished_run(variant)
    variant.experiment.state = "stopped"
    variant.experiment.save()
    assert "Thanks!" in vote(visitor, run).content.decode()


def test_vote_buttons_never_name_the_variant_or_model(visitor, variant):
    run = finished_run(variant)
    html = visitor.get(reverse("generation:run_status", args=[run.pk]), headers={"HX-Request": "true"}).content
    html = html.decode()
    assert "Rate this result" in html and 'aria-label="Thumbs up"' in html
    assert "Offline B" not in html and "offline-b" not in html and "Variant" not in html


def test_a_vote_without_a_choice_is_an_error(visitor, variant):
    run = finished_run(variant)
    response = visitor.post(reverse("experiments:vote", args=[run.pk]), {})
    assert response.status_code == 400
    assert "Choose thumbs up or thumbs down." in response.content.decode()
