"""Small statistics for experiments: the Wilson score interval, percentiles, and a plain-language read.

Pure functions with no Django imports, so they can be checked against published values alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054
# A variant needs this many votes before its upvote rate is worth comparing; below it we say so.
MIN_VOTES = 20


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (95% by default). With no trials nothing is known: (0, 1)."""
    if trials <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials} (got {successes})")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    margin = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    return (max(0.0, centre - margin), min(1.0, centre + margin))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


@dataclass(frozen=True)
class Preference:
    """One variant's votes, as the read needs them."""

    label: str
    ups: int
    votes: int

    @property
    def rate(self) -> float:
        return self.ups / self.votes if self.votes else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.ups, self.votes)


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


def _span(interval: tuple[float, float]) -> str:
    return f"{round(interval[0] * 100)}-{round(interval[1] * 100)}%"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def preference_read(variants: Sequence[Preference], min_votes: int = MIN_VOTES) -> tuple[str, str | None]:
    """A sentence a builder can act on, and the preferred label (None when there is no clear winner).

    A variant is called preferred only when every variant has at least `min_votes` votes and its 95%
    interval lies entirely above every other variant's interval.
    """
    if len(variants) < 2:
        return ("Not enough data yet: an experiment needs at least two variants.", None)
    short = [v for v in variants if v.votes < min_votes]
    if short:
        counts = _and([f"{v.label} has {v.votes}" for v in variants])
        return (f"Not enough data yet: each variant needs at least {min_votes} votes ({counts}).", None)
    best = max(variants, key=lambda v: v.rate)
    others = [v for v in variants if v is not best]
    if all(best.interval[0] > other.interval[1] for other in others):
        against = _and([f"{o.label}'s {_pct(o.rate)}" for o in others])
        return (
            f"{best.label} is preferred: {_pct(best.rate)} up, 95% interval {_span(best.interval)}, against {against}.",
            best.label,
        )
    summary = _and([f"{v.label} {_pct(v.rate)} up ({_span(v.interval)})" for v in variants])
    return (f"No clear winner yet: the 95% intervals overlap ({summary}).", None)
