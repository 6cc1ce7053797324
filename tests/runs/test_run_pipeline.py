"""Runs through a real Celery worker and the real OpenAI SDK against the local wire-format server: stored
outputs, the one retry loop, and the failures a visitor must see clearly."""

import io

import pytest
from PIL import Image

from generation import services
from generation.models import Run, RunStatus
from tests.factories import AppFactory, image_model
from tests.waiting import wait_until_finished

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def fast_retries(settings):
    settings.RUN_RETRY_BASE_SECONDS = 0.05
    settings.RUN_RETRY_MAX_SECONDS = 5
    settings.RUN_MAX_ATTEMPTS = 3


def start(model_key: str = "gpt-image-2", **params) -> Run:
    model = image_model(model_key)
    return services.run_start(
        app=AppFactory(model=model),
        model=model,
        prompt="A sticker of a red fox",
        params={"size": "1024x1024", "quality": "low", "output_format": "png", "n": 1, **params},
    )


def stored_keys(s3_server, run: Run) -> list[str]:
    listed = s3_server["client"].list_objects_v2(
        Bucket=s3_server["bucket"], Prefix=f"runs/{run.queued_at:%Y/%m}/{run.id}/"
    )
    return sorted(obj["Key"] for obj in listed.get("Contents", []))


def test_openai_run_stores_originals_and_webp_thumbnails_in_s3(celery_worker, openai_server, s3_server):
    run = wait_until_finished(start(size="1536x1024", output_format="jpeg", n=2))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    prefix = f"runs/{run.queued_at:%Y/%m}/{run.id}/"
    assert stored_keys(s3_server, run) == [prefix + name for name in ("0.jpg", "0.thumb.webp", "1.jpg", "1.thumb.webp")]
    client, bucket = s3_server["client"], s3_server["bucket"]
    for image in run.images.all():
        assert (image.width, image.height, image.content_type) == (1536, 1024, "image/jpeg")
        assert client.head_object(Bucket=bucket, Key=image.key)["ContentType"] == "image/jpeg"
        thumb = client.get_object(Bucket=bucket, Key=image.thumb_key)
        assert thumb["ContentType"] == "image/webp"
        with Image.open(io.BytesIO(thumb["Body"].read())) as picture:
            assert picture.format == "WEBP" and picture.size == (384, 256)
    assert run.progress == 100 and run.attempts == 1
    assert run.usage["image_output_tokens"] > 0 and run.cost_usd > 0
    assert openai_server.requests[0].model == "gpt-image-2-2026-04-21"


def test_rate_limited_run_waits_the_retry_after_then_succeeds(celery_worker, openai_server, fast_retries):
    openai_server.queue("rate_limit", retry_after=1)

    run = wait_until_finished(start())

    assert run.status == RunStatus.SUCCEEDED
    assert run.attempts == 2 and len(openai_server.requests) == 2
    assert run.duration_seconds >= 1.0  # Retry-After: 1 honoured, not the 0.05 s backoff
    assert run.images.count() == 1


def test_server_errors_past_the_attempt_cap_fail_the_run_clearly(celery_worker, openai_server, fast_retries):
    openai_server.queue("server_error", times=3)

    run = wait_until_finished(start())

    assert run.status == RunStatus.FAILED
    assert run.attempts == 3 and len(openai_server.requests) == 3
    assert run.error_code == "retryable"
    assert "gave up after 3 attempts" in run.error_message
    assert not run.images.exists()


def test_permanent_error_fails_at_once_without_retrying(celery_worker, openai_server, fast_retries):
    openai_server.queue("unauthorized")

    run = wait_until_finished(start())

    assert run.status == RunStatus.FAILED and run.error_code == "not_configured"
    assert run.attempts == 1 and len(openai_server.requests) == 1
    assert "sk-" not in run.error_message and "not set up correctly" in run.error_message


def test_moderation_block_fails_with_the_safety_message(celery_worker, openai_server, fast_retries):
    openai_server.queue("moderation")

    run = wait_until_finished(start())

    assert run.status == RunStatus.FAILED and run.error_code == "content_policy"
    assert "safety system" in run.error_message and "Try rewording" in run.error_message
    assert run.attempts == 1 and len(openai_server.requests) == 1


def test_bytes_that_are_not_an_image_fail_cleanly_with_nothing_stored(
    celery_worker, openai_server, s3_server, fast_retries
):
    openai_server.queue("garbage")

    run = wait_until_finished(start())

    assert run.status == RunStatus.FAILED and run.error_code == "bad_output"
    assert "unreadable image" in run.error_message
    assert run.attempts == 1
    assert not run.images.exists()
    assert stored_keys(s3_server, run) == []


def test_unknown_model_marks_it_unreachable_and_fails_the_run(celery_worker, openai_server, fast_retries):
    openai_server.queue("not_found")

    run = wait_until_finished(start())

    assert run.status == RunStatus.FAILED and run.error_code == "model_unavailable"
    assert "gpt-image" not in run.error_message  # visitors are not told which model
    assert image_model("gpt-image-2").reachable is False


def test_streamed_partial_image_is_kept_as_the_run_preview(celery_worker, openai_server, s3_server, client):
    from django.urls import reverse

    run = wait_until_finished(start(partial_images=2))

    assert run.status == RunStatus.SUCCEEDED
    assert openai_server.requests[0].body.get("stream") is True
    assert run.preview_key == f"runs/{run.queued_at:%Y/%m}/{run.id}/preview.png"
    s3_server["client"].head_object(Bucket=s3_server["bucket"], Key=run.preview_key)
    assert client.get(reverse("generation:preview", args=[run.id])).status_code == 302
