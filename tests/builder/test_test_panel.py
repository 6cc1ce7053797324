"""The test panel: sample inputs start a real run; progress and results show inline."""

import time

import pytest
from django.urls import reverse

from generation.models import Run, RunSource, RunStatus
from tests.factories import AppFactory, UserFactory, image_model

pytestmark = pytest.mark.django_db


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def owner(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_panel_is_prefilled_with_sample_inputs(client, owner):
    app = AppFactory(owner=owner, sample_inputs={"subject": "a red fox"})
    body = client.get(reverse("builder:app_detail", args=[app.pk])).content.decode()
    assert 'name="subject"' in body and 'value="a red fox"' in body


@pytest.mark.worker
def test_test_run_shows_progress_then_the_image(client, owner, celery_worker):
    app = AppFactory(owner=owner)
    response = client.post(reverse("builder:app_test", args=[app.pk]), {"subject": "a red fox"}, HTTP_HX_REQUEST="true")
    run = Run.objects.get(app=app)
    body = response.content.decode()
    assert f'id="run-{run.id}"' in body and "<html" not in body
    assert run.source == RunSource.BUILDER_TEST and run.user == owner and run.prompt == "A sticker of a red fox"
    assert wait_for(lambda: Run.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED)
    status = client.get(reverse("generation:run_status", args=[run.id]), HTTP_HX_REQUEST="true").content.decode()
    assert reverse("generation:thumb", args=[run.id, 0]) in status


def test_plain_post_redirects_to_the_app_page_with_the_run(client, owner):
    app = AppFactory(owner=owner)
    response = client.post(reverse("builder:app_test", args=[app.pk]), {"subject": "a red fox"})
    run = Run.objects.get(app=app)
    assert response["Location"] == f"{app.get_absolute_url()}?run={run.pk}#test"
    body = client.get(response["Location"]).content.decode()
    assert f'id="run-{run.id}"' in body


def test_missing_required_input_starts_no_run(client, owner):
    app = AppFactory(owner=owner)
    body = client.post(
        reverse("builder:app_test", args=[app.pk]), {"subject": ""}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Check the inputs: Subject: This field is required." in body
    assert not Run.objects.exists()


def test_refused_run_explains_why_to_the_owner(client, owner):
    app = AppFactory(owner=owner, model=image_model("gpt-image-2"))
    body = client.post(
        reverse("builder:app_test", args=[app.pk]), {"subject": "a fox"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "GPT Image 2 needs OPENAI_API_KEY on the server." in body
    assert not Run.objects.exists()
