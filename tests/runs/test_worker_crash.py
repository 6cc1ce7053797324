"""A worker process killed with SIGKILL mid-run: Redis hands the message to the next worker, which finishes
the run exactly once, with exactly its images."""

import time

import pytest

from generation import services
from generation.models import ImageModel, OutputImage, Run, RunStatus
from tests.factories import AppFactory, image_model
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def slow_offline_model(latency_ms: int) -> ImageModel:
    offline = image_model("offline")
    return ImageModel.objects.create(
        key=f"offline-slow-{latency_ms}",
        display_name="Offline, slow",
        provider="offline",
        capabilities={**offline.capabilities, "simulated_latency_ms": latency_ms},
    )


def test_run_survives_sigkill_of_its_worker_and_completes_once(worker_process, s3_server):
    model = slow_offline_model(4000)
    settings_for_crash = {"CELERY_VISIBILITY_TIMEOUT": 2, "RUN_RUNNING_DEADLINE_SECONDS": 2}
    first = worker_process(**settings_for_crash)
    run = services.run_start(
        app=AppFactory(model=model),
        model=model,
        prompt="A sticker of a red fox",
        params={"size": "256x256", "quality": "low", "output_format": "png", "n": 2},
    )

    # Kill the worker once it is visibly part-way through the provider call.
    assert wait_for(lambda: Run.objects.get(pk=run.pk).progress >= 20, timeout=30)
    first.kill()
    mid = Run.objects.get(pk=run.pk)
    assert mid.status == RunStatus.RUNNING and not OutputImage.objects.filter(run=run).exists()

    # A new worker started after the visibility timeout takes the message back and finishes the run.
    time.sleep(2.5)  # Redis hands back a message only once it is older than the visibility timeout (2 s)
    worker_process(**settings_for_crash)
    assert wait_for(lambda: Run.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED, timeout=40)

    run.refresh_from_db()
    assert run.attempts == 2
    assert [image.index for image in run.images.all()] == [0, 1]
    listed = s3_server["client"].list_objects_v2(
        Bucket=s3_server["bucket"], Prefix=f"runs/{run.queued_at:%Y/%m}/{run.id}/"
    )
    assert sorted(obj["Key"].rsplit("/", 1)[-1] for obj in listed["Contents"]) == [
        "0.png",
        "0.thumb.webp",
        "1.png",
        "1.thumb.webp",
    ]
