"""A run is executed once: duplicate deliveries, concurrent ones and late ones do nothing more."""

import threading

import pytest

from generation import services, tasks
from generation.models import ImageModel, OutputImage, Run, RunStatus
from tests.factories import RunFactory, image_model

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PARAMS = {"size": "256x256", "quality": "low", "output_format": "png", "n": 2}


def test_a_delivered_twice_run_is_executed_once_with_exactly_its_images():
    run = RunFactory(params=PARAMS)

    tasks.execute_run(str(run.id))
    tasks.execute_run(str(run.id))

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 1
    assert list(OutputImage.objects.filter(run=run).values_list("index", flat=True)) == [0, 1]


def test_two_workers_delivered_the_same_run_at_once_only_one_executes_it():
    offline = image_model("offline")
    slow = ImageModel.objects.create(
        key="offline-slow-idem",
        display_name="Offline, slow",
        provider="offline",
        capabilities={**offline.capabilities, "simulated_latency_ms": 400},
    )
    run = RunFactory(params=PARAMS, requested_model=slow, model=slow)
    threads = [threading.Thread(target=tasks.execute_run, args=[str(run.id)]) for _ in range(4)]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 1
    assert OutputImage.objects.filter(run=run).count() == 2


@pytest.mark.parametrize("status", [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELED])
def test_a_finished_run_is_never_executed_again(status):
    run = RunFactory(params=PARAMS, status=status)
    tasks.execute_run(str(run.id))
    run.refresh_from_db()
    assert run.status == status and run.attempts == 0 and not run.images.exists()


def test_a_run_canceled_while_queued_is_not_executed():
    run = RunFactory(params=PARAMS)
    assert services.run_cancel(run=run) is True
    tasks.execute_run(str(run.id))
    assert Run.objects.get(pk=run.pk).status == RunStatus.CANCELED
    assert services.run_cancel(run=run) is False


def test_an_unknown_run_id_is_ignored():
    tasks.execute_run("00000000-0000-0000-0000-000000000000")


def test_backoff_grows_exponentially_with_jitter_is_capped_and_honours_retry_after(settings):
    settings.RUN_RETRY_BASE_SECONDS = 2
    settings.RUN_RETRY_MAX_SECONDS = 60
    for attempt, (low, high) in {1: (1, 2), 2: (2, 4), 3: (4, 8), 10: (30, 60)}.items():
        delays = {services.backoff_seconds(attempt, None) for _ in range(50)}
        assert all(low <= d <= high for d in delays) and len(delays) > 1
    assert services.backoff_seconds(1, 7) == 7  # the server's Retry-After is the floor
    assert services.backoff_seconds(1, 3600) == 60  # but never past the cap
