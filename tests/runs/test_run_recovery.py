"""The recovery job: lost queued runs are enqueued again, runs whose worker died are retried or failed."""

from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from generation import services, tasks
from generation.models import Run, RunStatus
from generation.services import QUEUE_DOWN_MESSAGE
from tests.factories import RunFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def queue_length(private_broker):
    client = redis.Redis.from_url(private_broker["url"])
    return lambda: client.llen(private_broker["queue"])


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def test_run_queued_past_the_deadline_is_enqueued_again_once_per_deadline(settings, queue_length):
    settings.RUN_QUEUED_DEADLINE_SECONDS = 60
    lost = RunFactory(queued_at=ago(120))
    fresh = RunFactory(queued_at=ago(5))

    first = services.runs_recover()
    second = services.runs_recover()

    assert first["requeued"] == 1 and second["requeued"] == 0  # a backlog is not multiplied
    assert queue_length() == 1
    assert Run.objects.get(pk=lost.pk).heartbeat_at is not None
    assert Run.objects.get(pk=fresh.pk).heartbeat_at is None


def test_run_the_broker_refused_at_submit_is_enqueued_at_once(settings, queue_length):
    settings.RUN_QUEUED_DEADLINE_SECONDS = 3600
    run = RunFactory(queued_at=ago(2), status_message=QUEUE_DOWN_MESSAGE)

    assert services.runs_recover()["requeued"] == 1

    assert queue_length() == 1
    assert Run.objects.get(pk=run.pk).status_message == ""


def test_running_run_whose_worker_went_silent_is_retried_while_attempts_remain(settings, queue_length):
    settings.RUN_RUNNING_DEADLINE_SECONDS = 60
    settings.RUN_MAX_ATTEMPTS = 3
    stuck = RunFactory(status=RunStatus.RUNNING, heartbeat_at=ago(120), attempts=1)
    alive = RunFactory(status=RunStatus.RUNNING, heartbeat_at=ago(5), attempts=1)

    result = services.runs_recover()

    assert result == {"requeued": 1, "retried": 1, "failed": 0}
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.QUEUED and stuck.status_message == "Restarting after a worker stopped"
    assert Run.objects.get(pk=alive.pk).status == RunStatus.RUNNING
    assert queue_length() == 1

    tasks.execute_run(str(stuck.id))  # the re-enqueued message, delivered
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.SUCCEEDED and stuck.attempts == 2


def test_running_run_out_of_attempts_is_failed_with_a_clear_message(settings, queue_length):
    settings.RUN_RUNNING_DEADLINE_SECONDS = 60
    settings.RUN_MAX_ATTEMPTS = 3
    run = RunFactory(status=RunStatus.RUNNING, heartbeat_at=ago(120), attempts=3)

    assert services.runs_recover()["failed"] == 1

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error_code == "stuck"
    assert "stopped responding" in run.error_message and run.finished_at is not None
    assert queue_length() == 0


def test_a_redelivered_message_takes_over_a_run_whose_worker_died(settings):
    settings.RUN_RUNNING_DEADLINE_SECONDS = 60
    run = RunFactory(status=RunStatus.RUNNING, heartbeat_at=ago(120), attempts=1)

    tasks.execute_run(str(run.id))

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 2 and run.images.count() == 1


def test_a_redelivered_message_leaves_a_run_that_is_still_working_alone(settings):
    settings.RUN_RUNNING_DEADLINE_SECONDS = 60
    run = RunFactory(status=RunStatus.RUNNING, heartbeat_at=ago(5), attempts=1)

    tasks.execute_run(str(run.id))

    assert Run.objects.get(pk=run.pk).attempts == 1


def test_recovery_with_the_broker_down_raises_nothing_and_keeps_runs_queued(settings, private_broker):
    settings.RUN_QUEUED_DEADLINE_SECONDS = 60
    run = RunFactory(queued_at=ago(120))
    private_broker["redis"].stop()

    assert services.runs_recover()["requeued"] == 0

    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.status_message == QUEUE_DOWN_MESSAGE
