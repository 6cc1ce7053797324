"""Reference-image uploads: only real PNG, JPEG and WebP within limits reach a run, re-encoded."""

import io

import pytest
from django.test import override_settings
from PIL import Image

from builder.models import Field, FieldType
from generation import storage
from generation.models import Run
from tests.factories import AppFactory

from .helpers import flat_png, image_bytes, png_bomb, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def app():
    app = AppFactory()
    Field.objects.create(app=app, order=1, key="photo", label="Your photo", type=FieldType.IMAGE)
    return app


def bucket_keys(s3_storage) -> set[str]:
    listing = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"])
    return {item["Key"] for item in listing.get("Contents", [])}


def submit(client, app, file):
    return client.post(f"/a/{app.slug}/", {"subject": "a fox", "photo": file})


def assert_refused(response, message, s3_storage, before):
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'id="id_photo_error"' in html and 'aria-describedby="id_photo_error"' in html
    assert not Run.objects.exists()
    assert bucket_keys(s3_storage) == before


def test_jpeg_upload_is_reencoded_to_png_without_metadata(client, app):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° on display
    data = image_bytes("JPEG", size=(80, 40), exif=exif.tobytes())
    response = submit(client, app, upload(data, "holiday.jpg", "image/jpeg"))
    assert response.status_code == 302
    run = Run.objects.get()
    assert len(run.reference_keys) == 1 and run.reference_keys[0].endswith(".png")
    stored = storage.read(run.reference_keys[0])
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (40, 80)  # rotation applied, then dropped
        assert not image.getexif()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_uploads_are_accepted(client, app, fmt):
    response = submit(client, app, upload(image_bytes(fmt), f"ref.{fmt.lower()}", f"image/{fmt.lower()}"))
    assert response.status_code == 302
    assert Run.objects.get().reference_keys


def test_gif_is_refused(client, app, s3_storage):
    before = bucket_keys(s3_storage)
    response = submit(client, app, upload(image_bytes("GIF"), "funny.gif", "image/gif"))
    assert_refused(response, "Only PNG, JPEG and WebP images are accepted (this one is GIF).", s3_storage, before)


def test_gif_renamed_to_png_is_refused(client, app, s3_storage):
    before = bucket_keys(s3_storage)
    response = submit(client, app, upload(image_bytes("GIF"), "funny.png", "image/png"))
    assert_refused(response, "Only PNG, JPEG and WebP images are accepted", s3_storage, before)


def test_text_renamed_to_png_is_refused(client, app, s3_storage):
    before = bucket_keys(s3_storage)
    response = submit(client, app, upload(b"#!/bin/sh\necho not an image\n", "script.png"))
    assert_refused(response, "This file is not a readable PNG, JPEG or WebP image.", s3_storage, before)


@override_settings(UPLOAD_MAX_BYTES=2048)
def test_file_over_the_size_limit_is_refused(client, app, s3_storage):
    before = bucket_keys(s3_storage)
    noisy = Image.effect_noise((128, 128), 64).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 2048
    response = submit(client, app, upload(buffer.getvalue()))
    assert_refused(response, "The file is larger than", s3_storage, before)


@override_settings(UPLOAD_MAX_PIXELS=1000 * 1000)
def test_image_over_the_pixel_limit_is_refused(client, app, s3_storage):
    before = bucket_keys(s3_storage)
    response = submit(client, app, upload(flat_png(1200, 1000)))
    assert_refused(response, "The image is 1200 × 1000; at most 1,000,000 pixels are accepted.", s3_storage, before)


def test_decompression_bomb_is_refused_without_decoding(client, app, s3_storage):
    data = png_bomb()
    assert len(data) < 10_000  # tiny on disk, 2.5 billion pixels if decoded
    before = bucket_keys(s3_storage)
    response = submit(client, app, upload(data, "bomb.png"))
    assert_refused(response, "too large to open safely", s3_storage, before)


def test_bomb_under_pillows_guard_is_refused_by_our_pixel_limit(client, app, s3_storage):
    before = bucket_keys(s3_storage)
    response = submit(client, app, upload(png_bomb(8000, 8000), "bomb.png"))
    assert_refused(response, "The image is 8000 × 8000", s3_storage, before)


def test_truncated_image_is_refused(client, app, s3_storage):
    data = Image.effect_noise((256, 256), 64).convert("RGB")
    buffer = io.BytesIO()
    data.save(buffer, "PNG")
    before = bucket_keys(s3_storage)
    response = submit(client, app, upload(buffer.getvalue()[: len(buffer.getvalue()) // 2]))
    assert_refused(response, "This file is not a readable PNG, JPEG or WebP image.", s3_storage, before)


def test_more_uploads_than_the_model_takes_is_a_form_error(client, app):
    for i in range(2, 7):
        Field.objects.create(app=app, order=i, key=f"photo{i}", label=f"Photo {i}", type=FieldType.IMAGE)
    files = {f"photo{i}": upload(image_bytes(), f"p{i}.png") for i in range(2, 7)}
    response = client.post(f"/a/{app.slug}/", {"subject": "fox", "photo": upload(image_bytes()), **files})
    assert response.status_code == 400
    assert "at most 4 reference images" in response.content.decode()
    assert not Run.objects.exists()
