"""The backbone end to end: a run started by the service is executed by a real worker and stored in S3."""

import pytest

from generation import services
from generation.models import RunStatus
from tests.factories import AppFactory, image_model
from tests.waiting import wait_for


@pytest.mark.worker
def test_offline_run_is_executed_by_worker_and_stored_in_s3(celery_worker, s3_server):
    app = AppFactory()
    run = services.run_start(
        app=app,
        model=image_model("offline"),
        prompt="A sticker of a red fox",
        params={"size": "1024x1024", "quality": "low", "output_format": "png", "n": 2},
    )
    assert wait_for(lambda: run.__class__.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED)
    run.refresh_from_db()
    images = list(run.images.all())
    assert [i.index for i in images] == [0, 1]
    assert images[0].key.startswith(f"runs/{run.queued_at:%Y/%m}/{run.id}/0.png")
    head = s3_server["client"].head_object(Bucket=s3_server["bucket"], Key=images[0].key)
    assert head["ContentType"] == "image/png"
    assert images[0].width == 1024 and images[0].content_type == "image/png"
