"""A run for an app whose model is retired with no successor that fits is refused before any call: the visitor
on the public page reads "this app is being updated", the owner in the test panel reads what retired, when,
and what to choose; no run is saved and no request reaches the provider."""

import pytest
from django.urls import reverse

from generation.models import Run
from tests.factories import AppFactory, UserFactory, image_model

pytestmark = pytest.mark.django_db

TRANSPARENT = {"size": "1024x1024", "quality": "low", "background": "transparent", "output_format": "png", "n": 1}
VISITOR_MESSAGE = "This app is being updated. Please try again later."


@pytest.fixture
def without_successor():
    model = image_model("gpt-image-1")
    model.successor = None
    model.save()
    return model


@pytest.fixture
def with_unfitting_successor():
    model = image_model("gpt-image-1")
    model.successor = image_model("gpt-image-2")  # the vendor offers no transparent backgrounds there
    model.save()
    return model


def visitor_generates(client, app, **headers):
    return client.post(f"/a/{app.slug}/", {"subject": "a red fox"}, REMOTE_ADDR="203.0.113.9", headers=headers)


@pytest.mark.parametrize("retired", ["without_successor", "with_unfitting_successor"])
def test_visitor_of_an_app_on_a_retired_model_nothing_can_serve_is_told_the_app_is_being_updated(
    client, openai_server, retired, request
):
    app = AppFactory(model=request.getfixturevalue(retired), params=TRANSPARENT)

    response = visitor_generates(client, app)

    assert response.status_code == 503
    body = response.content.decode()
    assert VISITOR_MESSAGE in body
    assert "retired" not in body and "GPT Image" not in body  # the owner's business, not the visitor's
    assert not Run.objects.exists()
    assert openai_server.requests == []


def test_visitor_refusal_as_json_has_a_code_and_the_same_message(client, openai_server, without_successor):
    app = AppFactory(model=without_successor)

    response = visitor_generates(client, app, Accept="application/json")

    assert response.status_code == 503
    assert response.json()["error"] == {"code": "model_retired", "message": VISITOR_MESSAGE}
    assert not Run.objects.exists()
    assert openai_server.requests == []


def test_visitor_refusal_by_htmx_shows_the_message_in_the_form(client, openai_server, without_successor):
    app = AppFactory(model=without_successor)

    response = visitor_generates(client, app, HX_Request="true")

    body = response.content.decode()
    assert 'id="form-errors"' in body and VISITOR_MESSAGE in body
    assert not Run.objects.exists()


def owner_tests(client, app):
    client.force_login(app.owner)
    return client.post(
        reverse("builder:app_test", args=[app.pk]), {"subject": "a red fox"}, HTTP_HX_REQUEST="true"
    ).content.decode()


def test_owner_test_run_on_a_retired_model_without_successor_says_what_retired_when_and_what_to_do(
    client, openai_server, without_successor
):
    app = AppFactory(owner=UserFactory(), model=without_successor)

    body = owner_tests(client, app)

    assert "GPT Image 1 was retired on 2026-10-23 and has no successor. Choose another model for this app." in body
    assert not Run.objects.exists()
    assert openai_server.requests == []


def test_owner_test_run_whose_successor_cannot_run_the_app_names_the_successor_and_why(
    client, openai_server, with_unfitting_successor
):
    app = AppFactory(owner=UserFactory(), model=with_unfitting_successor, params=TRANSPARENT)

    body = owner_tests(client, app)

    assert "GPT Image 1 was retired on 2026-10-23; its successor GPT Image 2 cannot run this app:" in body
    assert "transparent background" in body
    assert "Choose a model for this app." in body
    assert not Run.objects.exists()
    assert openai_server.requests == []


def test_owner_test_run_on_a_retired_model_with_a_fitting_successor_is_served_by_it(client, openai_server):
    app = AppFactory(owner=UserFactory(), model=image_model("gpt-image-1"))

    owner_tests(client, app)

    run = Run.objects.get(app=app)
    assert (run.requested_model.key, run.model.key) == ("gpt-image-1", "gpt-image-2.5-sunburst")
    assert run.vendor_model_sent == "gpt-image-2.5-sunburst-2026-09-08"
