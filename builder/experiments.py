"""Experiments on public pages: which variant a visitor gets, starting and ending an experiment, votes,
and the live results.

Assignment is deterministic: a hash of (experiment, visitor) picks a point in [0, total weight), so a
returning visitor keeps their variant and the split follows the weights.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from generation import registry
from generation.models import OutputImage, Run, RunStatus

from . import stats
from .comparisons import MAX_VARIANTS, MIN_VARIANTS, VARIANT_PARAMS, Variant, variant_label
from .models import App, Experiment, ExperimentState, ExperimentVariant, SwitchKind, Vote
from .switching import SwitchReport, app_fit_errors, model_switch

# Votes per visitor (hashed IP) per minute: generous for a person, low enough to stop a script.
VOTE_RATE_PER_MINUTE = 30


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


# --- starting, stopping, promoting -----------------------------------------------------------------------


class ExperimentError(Exception):
    """An experiment that cannot start or change. `errors` maps a variant's index to its reasons; -1 is
    the experiment as a whole."""

    def __init__(self, errors: dict[int, list[str]]):
        super().__init__("; ".join(" ".join(reasons) for reasons in errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class WeightedVariant:
    variant: Variant
    weight: int


def variant_fit_errors(app: App, variant: Variant) -> list[str]:
    """Why this variant cannot serve the app's public page, or an empty list."""
    model = variant.model
    if not model.enabled:
        return [f"{model.display_name} is disabled."]
    if model.is_retired:
        return [f"{model.display_name} was retired on {model.shutdown_date:%Y-%m-%d}."]
    if not registry.is_usable(model):
        return [f"{model.display_name} needs OPENAI_API_KEY on the server."]
    return app_fit_errors(app, model, variant.params)


@transaction.atomic
def experiment_start(*, app: App, by, variants: list[WeightedVariant]) -> Experiment:
    """Start splitting the public page's traffic between 2 to 4 variants. Raises ExperimentError with
    nothing saved when the app is not published, one already runs, a variant misfits, or weights are 0."""
    errors: dict[int, list[str]] = {}
    if not app.is_published:
        errors[-1] = ["Publish the app first: experiments run on the public page."]
    elif running_experiment(app) is not None:
        errors[-1] = ["An experiment is already running on this app. Stop it first."]
    if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
        errors.setdefault(-1, []).append(f"Choose {MIN_VARIANTS} to {MAX_VARIANTS} variants (got {len(variants)}).")
    if sum(max(w.weight, 0) for w in variants) <= 0:
        errors.setdefault(-1, []).append("Give at least one variant some traffic: the weights add up to 0.")
    for index, weighted in enumerate(variants):
        reasons = variant_fit_errors(app, weighted.variant)
        if weighted.weight < 0:
            reasons.append("A weight cannot be negative.")
        if reasons:
            errors[index] = reasons
    if errors:
        raise ExperimentError(errors)
    try:
        with transaction.atomic():
            experiment = Experiment.objects.create(app=app)
    except IntegrityError as exc:  # another request started one in the meantime
        raise ExperimentError({-1: ["An experiment is already running on this app. Stop it first."]}) from exc
    for index, weighted in enumerate(variants):
        ExperimentVariant.objects.create(
            experiment=experiment,
            label=variant_label(index),
            model=weighted.variant.model,
            params={k: v for k, v in weighted.variant.params.items() if k in VARIANT_PARAMS},
            weight=weighted.weight,
        )
    return experiment


def experiment_stop(*, experiment: Experiment) -> bool:
    """Stop assigning visitors; results and votes stay. Returns False if it had already stopped."""
    stopped = Experiment.objects.filter(pk=experiment.pk, state=ExperimentState.RUNNING).update(
        state=ExperimentState.STOPPED, stopped_at=timezone.now()
    )
    experiment.refresh_from_db()
    return bool(stopped)


@transaction.atomic
def experiment_promote(*, experiment: Experiment, variant: ExperimentVariant, by) -> SwitchReport:
    """Make `variant` the app's model and parameters (the audited switch), then stop the experiment with it
    as the winner. A variant the app no longer fits is refused and the experiment is left as it was."""
    if variant.experiment_id != experiment.pk:
        raise ExperimentError({-1: ["That variant is not part of this experiment."]})
    report = model_switch(
        apps=[experiment.app],
        to=variant.model,
        by=by,
        reason=f"Experiment {experiment.pk}: winner {variant.label} ({variant.model.display_name})",
        kind=SwitchKind.VARIANT,
        params=variant.params,
    )
    if report.switched:
        experiment_stop(experiment=experiment)
        Experiment.objects.filter(pk=experiment.pk).update(winner=variant)
        experiment.winner = variant
    return report


def experiment_list(*, app: App) -> list[Experiment]:
    return list(app.experiments.prefetch_related("variants__model"))


# --- votes -----------------------------------------------------------------------------------------------


class VoteRefusedError(Exception):
    def __init__(self, message: str, *, code: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def _vote_rate_exceeded(visitor_hash: str) -> bool:
    key = f"vote-rate:{visitor_hash}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > VOTE_RATE_PER_MINUTE


def votable_run(*, run_id) -> Run | None:
    """A run that belongs to an experiment (running or stopped), or None."""
    return Run.objects.filter(pk=run_id, variant__isnull=False).select_related("variant__experiment").first()


def vote_cast(*, run_id, up: bool, visitor_hash: str) -> Vote:
    """Record a thumbs up or down on a finished experiment run: one vote per run, rate-limited per visitor.
    Raises VoteRefusedError with a message a visitor can read."""
    if _vote_rate_exceeded(visitor_hash):
        raise VoteRefusedError(
            "Too many votes from you in the last minute. Please wait a moment and try again.",
            code="rate_limited",
            status=429,
        )
    run = votable_run(run_id=run_id)
    if run is None:
        raise VoteRefusedError("This result cannot be rated.", code="not_votable", status=404)
    if run.status != RunStatus.SUCCEEDED:
        raise VoteRefusedError("You can rate this result once it is ready.", code="not_ready", status=409)
    try:
        with transaction.atomic():
            return Vote.objects.create(run=run, up=up, visitor_hash=visitor_hash)
    except IntegrityError as exc:
        raise VoteRefusedError(
            "This result has already been rated: one vote per result.", code="already_voted", status=409
        ) from exc


# --- results ---------------------------------------------------------------------------------------------


@dataclass
class VariantResult:
    variant: ExperimentVariant
    runs: int
    finished: int
    succeeded: int
    p50_seconds: float | None
    p95_seconds: float | None
    cost_per_image_usd: Decimal | None
    ups: int
    votes: int
    downloads: int
    share_opens: int

    @property
    def label(self) -> str:
        return self.variant.label

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.finished if self.finished else None

    @property
    def up_rate(self) -> float | None:
        return self.ups / self.votes if self.votes else None

    @property
    def interval(self) -> tuple[float, float]:
        return stats.wilson_interval(self.ups, self.votes)

    # Percentages for templates and the chart.
    @property
    def success_pct(self) -> int | None:
        return None if self.success_rate is None else round(self.success_rate * 100)

    @property
    def up_pct(self) -> int | None:
        return None if self.up_rate is None else round(self.up_rate * 100)

    @property
    def low_pct(self) -> int:
        return round(self.interval[0] * 100)

    @property
    def high_pct(self) -> int:
        return round(self.interval[1] * 100)


@dataclass
class ExperimentResults:
    experiment: Experiment
    variants: list[VariantResult]
    read: str
    preferred: str | None

    @property
    def total_runs(self) -> int:
        return sum(v.runs for v in self.variants)

    @property
    def total_votes(self) -> int:
        return sum(v.votes for v in self.variants)


def _variant_result(variant: ExperimentVariant) -> VariantResult:
    runs = Run.objects.filter(variant=variant)
    counts = runs.aggregate(
        total=Count("pk"),
        finished=Count("pk", filter=Q(status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED])),
        succeeded=Count("pk", filter=Q(status=RunStatus.SUCCEEDED)),
        cost=Sum("cost_usd", filter=Q(status=RunStatus.SUCCEEDED)),
        downloads=Sum("download_count"),
        shares=Sum("share_open_count"),
        ups=Count("vote", filter=Q(vote__up=True)),
        votes=Count("vote"),
    )
    durations = [
        (finished - started).total_seconds()
        for started, finished in runs.filter(
            status=RunStatus.SUCCEEDED, started_at__isnull=False, finished_at__isnull=False
        ).values_list("started_at", "finished_at")
    ]
    images = OutputImage.objects.filter(run__variant=variant, run__status=RunStatus.SUCCEEDED).count()
    cost = counts["cost"] or Decimal(0)
    return VariantResult(
        variant=variant,
        runs=counts["total"],
        finished=counts["finished"],
        succeeded=counts["succeeded"],
        p50_seconds=stats.percentile(durations, 50),
        p95_seconds=stats.percentile(durations, 95),
        cost_per_image_usd=(cost / images).quantize(Decimal("0.000001")) if images else None,
        ups=counts["ups"],
        votes=counts["votes"],
        downloads=counts["downloads"] or 0,
        share_opens=counts["shares"] or 0,
    )


def experiment_results(*, experiment: Experiment) -> ExperimentResults:
    """Per variant: runs, success rate, p50/p95 time, cost per image, upvote rate with its 95% Wilson
    interval, downloads and share opens; and the plain-language read."""
    variants = [_variant_result(v) for v in experiment.variants.select_related("model")]
    read, preferred = stats.preference_read([stats.Preference(v.label, v.ups, v.votes) for v in variants])
    return ExperimentResults(experiment=experiment, variants=variants, read=read, preferred=preferred)
