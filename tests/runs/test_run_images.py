"""Output images through stable URLs: a fresh presigned redirect on S3, a stream from local storage."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import override_settings
from django.urls import reverse

from generation.models import Run
from tests.factories import RunFactory
from tests.runs.helpers import finish_with_images

pytestmark = pytest.mark.django_db


def test_image_redirects_to_a_fresh_presigned_url_that_serves_the_png(client):
    run = RunFactory()
    [image] = finish_with_images(run)

    response = client.get(reverse("generation:image", args=[run.id, 0]))

    assert response.status_code == 302
    url = response["Location"]
    assert image.key in url and "Signature" in url
    assert response["Cache-Control"] == "private, max-age=300"  # well inside the URL's 900 s lifetime
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200
    assert fetched.headers["Content-Type"] == "image/png"
    assert fetched.content.startswith(b"\x89PNG")


def test_thumbnail_redirects_to_the_webp_thumbnail(client):
    run = RunFactory()
    [image] = finish_with_images(run)
    url = client.get(reverse("generation:thumb", args=[run.id, 0]))["Location"]
    assert image.thumb_key in url
    fetched = requests.get(url, timeout=10)
    assert fetched.content[8:12] == b"WEBP"


def test_download_is_an_attachment_and_counted(client):
    run = RunFactory()
    finish_with_images(run)
    url = reverse("generation:image", args=[run.id, 0]) + "?download=1"

    first = client.get(url)
    client.get(url)

    disposition = parse_qs(urlparse(first["Location"]).query)["response-content-disposition"][0]
    assert disposition.startswith("attachment;") and ".png" in disposition
    assert requests.get(first["Location"], timeout=10).headers["Content-Disposition"] == disposition
    assert Run.objects.get(pk=run.pk).download_count == 2
    assert first["Cache-Control"] == "private, max-age=0"  # every download reaches us, and is counted


def test_viewing_an_image_is_not_counted_as_a_download(client):
    run = RunFactory()
    finish_with_images(run)
    client.get(reverse("generation:image", args=[run.id, 0]))
    assert Run.objects.get(pk=run.pk).download_count == 0


def test_unknown_run_or_index_is_404(client):
    run = RunFactory()
    finish_with_images(run)
    assert client.get(reverse("generation:image", args=[run.id, 5])).status_code == 404
    assert client.get(reverse("generation:thumb", args=[run.id, 5])).status_code == 404
    other = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("generation:image", args=[other, 0])).status_code == 404
    assert client.get(reverse("generation:preview", args=[run.id])).status_code == 404


@pytest.fixture
def local_storage(tmp_path, settings):
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "allow_overwrite": True},
        },
    }
    with override_settings(STORAGES=storages):
        yield tmp_path


def test_local_storage_streams_the_image_with_its_content_type(client, local_storage):
    run = RunFactory()
    finish_with_images(run)

    response = client.get(reverse("generation:image", args=[run.id, 0]))
    thumb = client.get(reverse("generation:thumb", args=[run.id, 0]))

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert thumb["Content-Type"] == "image/webp"


def test_local_download_is_an_attachment_and_counted(client, local_storage):
    run = RunFactory()
    finish_with_images(run)
    response = client.get(reverse("generation:image", args=[run.id, 0]) + "?download=1")
    assert response["Content-Disposition"].startswith("attachment;")
    assert Run.objects.get(pk=run.pk).download_count == 1


def test_preview_of_a_running_run_is_served(client, local_storage):
    from generation import storage

    from .helpers import png_bytes

    run = RunFactory(status="running")
    key = storage.save(f"runs/2026/01/{run.id}/preview.png", png_bytes())
    Run.objects.filter(pk=run.pk).update(preview_key=key)
    response = client.get(reverse("generation:preview", args=[run.id]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
