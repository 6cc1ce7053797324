"""Comparisons: the same inputs run through 2 to 4 variants (a model with its parameters) side by side.

Services write (start, rerun, use a variant); selectors read (list, columns, estimate). Every variant
is checked against its model before anything is saved, so a misfit starts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from generation import registry
from generation.models import ImageModel, Run, RunSource
from generation.services import PreparedRun, RunRefusedError, run_prepare, run_start

from .models import App, Comparison, SwitchKind
from .switching import SwitchReport, model_switch
from .templating import render_prompt

MIN_VARIANTS = 2
MAX_VARIANTS = 4
LABELS = "ABCD"
# The parameters a variant sets; the rest (n) come from the app.
VARIANT_PARAMS = ("quality", "size", "background", "output_format")


@dataclass(frozen=True)
class Variant:
    """One column of a comparison (or arm of an experiment): a model and the parameters it runs with."""

    model: ImageModel
    params: dict

    def as_json(self) -> dict:
        return {"model": self.model.key, "params": dict(self.params)}


class ComparisonError(Exception):
    """A comparison that cannot start. `errors` maps a variant's index to its reasons; -1 is the whole."""

    def __init__(self, errors: dict[int, list[str]]):
        super().__init__("; ".join(" ".join(reasons) for reasons in errors.values()))
        self.errors = errors


@dataclass
class Estimate:
    total_usd: Decimal = Decimal(0)
    per_variant: list[Decimal | None] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)


def variant_label(index: int) -> str:
    return LABELS[index] if index < len(LABELS) else str(index + 1)


def variant_params(app: App, params: dict) -> dict:
    """The app's parameters with the variant's on top; only what a run takes."""
    chosen = {k: v for k, v in params.items() if k in VARIANT_PARAMS and v not in (None, "")}
    return {**app.effective_params, **chosen}


def comparison_prompt(*, app: App, inputs: dict) -> str:
    return render_prompt(app.prompt_template, inputs)


def _prepare_all(*, app: App, inputs: dict, variants: list[Variant]) -> tuple[list[PreparedRun | None], dict]:
    prompt = comparison_prompt(app=app, inputs=inputs)
    prepared: list[PreparedRun | None] = []
    errors: dict[int, list[str]] = {}
    if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
        errors[-1] = [f"Choose {MIN_VARIANTS} to {MAX_VARIANTS} variants (got {len(variants)})."]
    for index, variant in enumerate(variants):
        try:
            prepared.append(run_prepare(model=variant.model, prompt=prompt, params=variant_params(app, variant.params)))
        except RunRefusedError as exc:
            prepared.append(None)
            errors[index] = [exc.owner_message] if exc.code != "unsupported" else exc.errors
    return prepared, errors


def comparison_estimate(*, app: App, inputs: dict, variants: list[Variant]) -> Estimate:
    """The whole comparison's estimated cost before it starts, and why any variant cannot run."""
    prepared, errors = _prepare_all(app=app, inputs=inputs, variants=variants)
    per_variant = [p.estimated_cost_usd if p else None for p in prepared]
    total = sum((cost for cost in per_variant if cost is not None), Decimal(0))
    return Estimate(total_usd=total, per_variant=per_variant, errors=errors)


@transaction.atomic
def comparison_start(*, app: App, by, inputs: dict, variants: list[Variant]) -> Comparison:
    """Save the comparison and start one run per variant (all enqueued together once this commits).
    Raises ComparisonError with nothing saved when any variant does not fit its model."""
    prepared, errors = _prepare_all(app=app, inputs=inputs, variants=variants)
    if errors:
        raise ComparisonError(errors)
    prompt = comparison_prompt(app=app, inputs=inputs)
    comparison = Comparison.objects.create(
        app=app,
        owner=by,
        inputs=inputs,
        variants=[v.as_json() for v in variants],
        estimated_cost_usd=sum((p.estimated_cost_usd for p in prepared), Decimal(0)),
    )
    for index, (variant, ready) in enumerate(zip(variants, prepared, strict=True)):
        run_start(
            model=variant.model,
            prompt=prompt,
            params=ready.params,
            app=app,
            inputs=inputs,
            user=by,
            source=RunSource.COMPARE,
            prepared=ready,
            comparison=comparison,
            comparison_index=index,
        )
    return comparison


def comparison_variants(comparison: Comparison) -> list[Variant]:
    """The saved variants as rows again; a model deleted since raises ComparisonError."""
    models = {m.key: m for m in ImageModel.objects.filter(key__in=[v["model"] for v in comparison.variants])}
    missing = [v["model"] for v in comparison.variants if v["model"] not in models]
    if missing:
        raise ComparisonError({-1: [f"Model {', '.join(missing)} is no longer in the registry."]})
    return [Variant(models[v["model"]], v.get("params", {})) for v in comparison.variants]


def comparison_rerun(*, comparison: Comparison, by) -> Comparison:
    """Run a saved comparison again as a new comparison: same inputs, same variants (the offline model,
    deterministic in prompt, seed and size, gives the same images)."""
    return comparison_start(
        app=comparison.app, by=by, inputs=dict(comparison.inputs), variants=comparison_variants(comparison)
    )


def comparison_use_variant(*, comparison: Comparison, index: int, by) -> SwitchReport:
    """Make one variant the app's model and parameters, through the audited, capability-checked switch."""
    variants = comparison_variants(comparison)
    if not 0 <= index < len(variants):
        raise ComparisonError({-1: [f"This comparison has no variant {index + 1}."]})
    variant = variants[index]
    return model_switch(
        apps=[comparison.app],
        to=variant.model,
        by=by,
        reason=f"Comparison {comparison.pk}: variant {variant_label(index)} ({variant.model.display_name})",
        kind=SwitchKind.VARIANT,
        params={k: v for k, v in variant.params.items() if k in VARIANT_PARAMS},
    )


# --- selectors -----------------------------------------------------------------------------------------


def comparison_list(*, app: App, limit: int = 20) -> list[Comparison]:
    return list(app.comparisons.all()[:limit])


@dataclass
class Column:
    index: int
    label: str
    model_key: str
    model_name: str
    params: dict
    run: Run | None


def comparison_columns(*, comparison: Comparison) -> list[Column]:
    """One column per variant, with its run (the latest, if a column was ever run twice)."""
    runs: dict[int, Run] = {}
    for run in comparison.runs.select_related("model").order_by("queued_at"):
        runs[run.comparison_index] = run
    names = dict(ImageModel.objects.values_list("key", "display_name"))
    return [
        Column(
            index=i,
            label=variant_label(i),
            model_key=v["model"],
            model_name=names.get(v["model"], v["model"]),
            params=v.get("params", {}),
            run=runs.get(i),
        )
        for i, v in enumerate(comparison.variants)
    ]


def comparison_actual_cost(*, comparison: Comparison) -> Decimal:
    return sum((run.cost_usd for run in comparison.runs.all()), Decimal(0))


def model_choices() -> list[ImageModel]:
    """Models a builder may put in a comparison or experiment: enabled, not retired, usable here."""
    return [m for m in registry.enabled_models() if registry.is_usable(m)]


__all__ = [
    "Column",
    "ComparisonError",
    "Estimate",
    "Variant",
    "comparison_actual_cost",
    "comparison_columns",
    "comparison_estimate",
    "comparison_list",
    "comparison_rerun",
    "comparison_start",
    "comparison_use_variant",
    "model_choices",
    "variant_label",
]
