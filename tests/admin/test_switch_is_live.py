"""A switch made in the admin takes effect on the next run, with the same worker still running, and runs
already made keep the model they were made with."""

import pytest
from django.urls import reverse

from generation.models import RunStatus
from tests.admin.conftest import changelist_action
from tests.admin.helpers import start_app_run, wait_until_finished
from tests.factories import AppFactory, image_model


@pytest.mark.worker
def test_switch_in_the_admin_is_live_on_the_next_run_without_restarting_the_worker(
    celery_worker, admin_client, offline_b
):
    app = AppFactory(name="Fox stickers")
    first = wait_until_finished(start_app_run(app))
    assert first.status == RunStatus.SUCCEEDED and first.model == image_model("offline")

    changelist_action(
        admin_client,
        reverse("admin:builder_app_changelist"),
        "switch_model",
        [app],
        apply="Switch model",
        model=str(offline_b.pk),
    )

    second = wait_until_finished(start_app_run(app))  # the same `app` object: the model is read fresh
    assert second.status == RunStatus.SUCCEEDED
    assert (second.requested_model, second.model) == (offline_b, offline_b)
    assert second.images.count() == 1
    first.refresh_from_db()
    assert (first.requested_model, first.model) == (image_model("offline"), image_model("offline"))
