"""A broker that is down at submit time: the run stays queued with a message, and completes once the broker
is back and the recovery job has enqueued it again."""

import time

import pytest
from django.urls import reverse

from generation import services
from generation.models import Run, RunStatus
from generation.services import QUEUE_DOWN_MESSAGE
from tests.factories import AppFactory, image_model
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_run_submitted_while_broker_is_down_completes_once_it_is_back(private_broker, worker_process, client):
    broker = private_broker["redis"]
    worker_process()  # a worker that lives through the broker's outage
    broker.stop()

    app = AppFactory()
    submitted = time.monotonic()
    run = services.run_start(
        app=app,
        model=image_model("offline"),
        prompt="A sticker of a red fox",
        params={"size": "256x256", "quality": "low", "output_format": "png", "n": 1},
    )

    assert time.monotonic() - submitted < 1.5  # fails over at once (kombu retrying took 6 s)
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.status_message == QUEUE_DOWN_MESSAGE
    fragment = client.get(reverse("generation:run_status", args=[run.id]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "the queue could not be reached" in fragment.content.decode()
    assert services.runs_recover()["requeued"] == 0  # still down: nothing lost, nothing raised

    broker.start()
    assert services.runs_recover()["requeued"] == 1
    assert Run.objects.get(pk=run.pk).status_message == ""

    assert wait_for(lambda: Run.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED, timeout=30)
    assert Run.objects.get(pk=run.pk).images.count() == 1
