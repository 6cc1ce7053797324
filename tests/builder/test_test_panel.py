"""The test panel: sample inputs start a real run; progress and results show inline."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from generation.models import Run, RunSource, RunStatus
from tests.factories import AppFactory, UserFactory, image_model
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db


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


def test_reference_image_field_is_checked_and_sent_with_the_run(client, owner, s3_server):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from builder.models import Field

    from .helpers import image_bytes

    app = AppFactory(owner=owner)
    Field.objects.create(app=app, order=1, key="photo", label="Photo", type="image")
    garbage = SimpleUploadedFile("photo.png", b"not an image", content_type="image/png")
    body = client.post(
        reverse("builder:app_test", args=[app.pk]), {"subject": "a fox", "photo": garbage}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Photo: This file is not a readable PNG, JPEG or WebP image." in body and not Run.objects.exists()
    photo = SimpleUploadedFile("photo.png", image_bytes(), content_type="image/png")
    client.post(reverse("builder:app_test", args=[app.pk]), {"subject": "a fox", "photo": photo})
    run = Run.objects.get()
    assert len(run.reference_keys) == 1
    stored = s3_server["client"].get_object(Bucket=s3_server["bucket"], Key=run.reference_keys[0])["Body"].read()
    # Re-encoded, as on the public page (metadata stripped), with the same picture.
    with Image.open(io.BytesIO(stored)) as kept, Image.open(io.BytesIO(image_bytes())) as sent:
        assert (kept.format, kept.size) == ("PNG", sent.size)
        assert kept.convert("RGB").tobytes() == sent.convert("RGB").tobytes()
