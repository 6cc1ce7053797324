"""Helpers for the experiments tests: a second offline model, experiments as rows, finished runs, polling."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from builder.models import Experiment, ExperimentVariant
from generation import storage
from generation.models import ImageModel, OutputImage, Run, RunStatus
from generation.providers.offline import encode, render
from tests.factories import RunFactory, image_model


def offline_b() -> ImageModel:
    """A second registry row served by the offline provider, so two variants both work without network."""
    base = image_model("offline")
    model, _ = ImageModel.objects.get_or_create(
        key="offline-b",
        defaults=dict(
            display_name="Offline B",
            provider=base.provider,
            capabilities=base.capabilities,
            pricing=base.pricing,
            sort_order=1,
        ),
    )
    return model


def make_experiment(app, *variants: tuple[ImageModel, int], params: dict | None = None) -> Experiment:
    experiment = Experiment.objects.create(app=app)
    for label, (model, weight) in zip("ABCD", variants, strict=False):
        ExperimentVariant.objects.create(
            experiment=experiment, label=label, model=model, weight=weight, params=dict(params or {})
        )
    return experiment


def finished_run(variant, *, seconds: float = 2.0, status=RunStatus.SUCCEEDED, cost="0", images=1, **fields) -> Run:
    """A run of an experiment variant as a worker leaves it (images stored in S3 when it succeeded)."""
    run = RunFactory(app=variant.experiment.app, requested_model=variant.model, variant=variant, **fields)
    for index in range(images if status == RunStatus.SUCCEEDED else 0):
        data = encode(render("test", seed=index, width=64, height=64, transparent=False), "png", None)
        checked = storage.check_image(data)
        key = storage.save(storage.output_key(run.id, run.queued_at, index, "png"), data)
        OutputImage.objects.create(
            run=run,
            index=index,
            key=key,
            thumb_key=key,
            width=64,
            height=64,
            bytes=len(data),
            content_type="image/png",
            sha256=checked.sha256,
        )
    started = timezone.now() - timedelta(seconds=seconds + 1)
    Run.objects.filter(pk=run.pk).update(
        status=status,
        started_at=started,
        finished_at=started + timedelta(seconds=seconds),
        cost_usd=Decimal(cost),
    )
    run.refresh_from_db()
    return run


def unique_ip() -> str:
    """A fresh client address per test: the vote rate limit lives in the shared Redis cache."""
    raw = uuid.uuid4().bytes
    return f"10.{raw[0]}.{raw[1]}.{raw[2]}"
