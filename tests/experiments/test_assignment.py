"""Visitors are split between variants by weight, and each keeps theirs."""

import hashlib
from collections import Counter

import pytest

from builder.experiments import assign_variant, pick_variant
from builder.models import ExperimentVariant
from tests.factories import AppFactory, image_model

from .helpers import make_experiment, offline_b

VISITORS = [hashlib.sha256(f"visitor-{i}".encode()).hexdigest() for i in range(10_000)]


def split(weights: list[int], experiment_id: int = 7) -> dict[str, float]:
    variants = [ExperimentVariant(label=label, weight=w) for label, w in zip("ABCD", weights, strict=False)]
    counts = Counter(pick_variant(experiment_id, visitor, variants).label for visitor in VISITORS)
    return {label: counts[label] / len(VISITORS) * 100 for label in "ABCD"[: len(weights)]}


@pytest.mark.parametrize("weights", [[50, 50], [70, 30], [25, 25, 50], [10, 20, 30, 40]])
def test_assignment_follows_the_weights_within_two_points(weights):
    shares = split(weights)
    total = sum(weights)
    for label, weight in zip("ABCD", weights, strict=False):
        assert abs(shares[label] - weight / total * 100) <= 2, shares


def test_a_zero_weight_variant_gets_nobody():
    assert split([0, 100])["A"] == 0


def test_a_visitor_keeps_their_variant():
    variants = [ExperimentVariant(label="A", weight=50), ExperimentVariant(label="B", weight=50)]
    first = [pick_variant(3, visitor, variants).label for visitor in VISITORS[:500]]
    again = [pick_variant(3, visitor, variants).label for visitor in VISITORS[:500]]
    assert first == again


@pytest.mark.django_db
def test_public_assignment_is_stable_per_visitor_and_ends_with_the_experiment():
    app = AppFactory()
    experiment = make_experiment(app, (image_model("offline"), 50), (offline_b(), 50))
    assigned = {visitor: assign_variant(app=app, visitor_hash=visitor).label for visitor in VISITORS[:100]}
    assert set(assigned.values()) == {"A", "B"}
    assert all(assign_variant(app=app, visitor_hash=v).label == label for v, label in assigned.items())
    experiment.state = "stopped"
    experiment.save()
    assert assign_variant(app=app, visitor_hash=VISITORS[0]) is None
