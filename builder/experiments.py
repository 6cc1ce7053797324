"""Experiments on public pages: which variant a visitor gets.

Assignment is deterministic: a hash of (experiment, visitor) picks a point in [0, total weight), so a
returning visitor keeps their variant and the split follows the weights.
"""

from __future__ import annotations

import hashlib

from .models import App, Experiment, ExperimentState, ExperimentVariant


def bucket(experiment_id: int, visitor_hash: str, total: int) -> int:
    digest = hashlib.sha256(f"{experiment_id}:{visitor_hash}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % total


def pick_variant(experiment_id: int, visitor_hash: str, variants: list[ExperimentVariant]) -> ExperimentVariant:
    total = sum(v.weight for v in variants)
    point = bucket(experiment_id, visitor_hash, total)
    for variant in variants:
        if point < variant.weight:
            return variant
        point -= variant.weight
    return variants[-1]


def running_experiment(app: App) -> Experiment | None:
    return app.experiments.filter(state=ExperimentState.RUNNING).prefetch_related("variants__model").first()


def assign_variant(*, app: App, visitor_hash: str) -> ExperimentVariant | None:
    """The variant this visitor gets on this app's public page, or None when no experiment runs."""
    experiment = running_experiment(app)
    if experiment is None:
        return None
    variants = [v for v in experiment.variants.all() if v.weight > 0]
    return pick_variant(experiment.id, visitor_hash, variants) if variants else None
