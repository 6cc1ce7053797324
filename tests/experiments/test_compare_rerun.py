"""A comparison runs every variant on the worker; rerunning it with the offline model gives the same images."""

import pytest

from builder.comparisons import Variant, comparison_rerun, comparison_start
from generation.models import Run, RunStatus
from tests.factories import AppFactory, image_model
from tests.waiting import wait_for

from .helpers import offline_b


def all_succeeded(comparison) -> bool:
    return list(Run.objects.filter(comparison=comparison).values_list("status", flat=True)) == [
        RunStatus.SUCCEEDED
    ] * len(comparison.variants)


def image_hashes(comparison) -> list[tuple[int, str]]:
    return sorted(
        (run.comparison_index, image.sha256)
        for run in Run.objects.filter(comparison=comparison)
        for image in run.images.all()
    )


@pytest.mark.worker
def test_rerunning_a_comparison_with_the_offline_model_gives_identical_images(celery_worker, seeded_registry):
    app = AppFactory()
    variants = [
        Variant(image_model("offline"), {"quality": "low", "size": "1024x1024"}),
        Variant(offline_b(), {"quality": "high", "size": "1024x1536", "output_format": "webp"}),
    ]
    first = comparison_start(app=app, by=app.owner, inputs={"subject": "a red fox"}, variants=variants)
    assert wait_for(lambda: all_succeeded(first), timeout=30)

    again = comparison_rerun(comparison=first, by=app.owner)
    assert again.pk != first.pk and again.variants == first.variants and again.inputs == first.inputs
    assert wait_for(lambda: all_succeeded(again), timeout=30)

    assert image_hashes(again) == image_hashes(first)
    assert len(image_hashes(first)) == 2
    # The two variants differ (size and format), so the comparison really compares something.
    assert image_hashes(first)[0][1] != image_hashes(first)[1][1]
