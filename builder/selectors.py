"""Reads for the builder: the owner's apps, an app's runs, outputs, usage, switches, and model choices."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from generation.models import ImageModel, ModelState, OutputImage, Run, RunStatus
from generation.pricing import estimate_run
from generation.registry import spec_for

from .models import App, ModelSwitch
from .switching import app_fit_errors
from .templating import placeholders, render_prompt


def app_list(*, owner) -> QuerySet[App]:
    """The owner's apps with their run counts, in one query per page."""
    return (
        App.objects.filter(owner=owner)
        .select_related("model")
        .annotate(
            run_count=Count("runs"),
            failed_count=Count("runs", filter=Q(runs__status=RunStatus.FAILED)),
        )
        .order_by("-updated_at", "-pk")
    )


def app_get(*, owner, pk: int) -> App:
    """One of the owner's apps; anyone else's is a 404."""
    return get_object_or_404(App.objects.select_related("model", "model__successor"), pk=pk, owner=owner)


def app_run(*, app: App, run_id: str | None) -> Run | None:
    """One of this app's runs by an id from a query string; None for a missing, malformed or foreign id."""
    try:
        return app.runs.filter(pk=uuid.UUID(run_id or "")).first()
    except ValueError:
        return None


def run_list(*, app: App, status: str | None = None) -> QuerySet[Run]:
    runs = app.runs.select_related("model", "requested_model").prefetch_related("images").order_by("-queued_at")
    if status:
        runs = runs.filter(status=status)
    return runs


def gallery(*, app: App, limit: int = 12) -> list[OutputImage]:
    return list(
        OutputImage.objects.filter(run__app=app, run__status=RunStatus.SUCCEEDED)
        .select_related("run")
        .order_by("-created_at", "index")[:limit]
    )


@dataclass
class UsageRow:
    label: str
    runs: int
    succeeded: int
    cost: Decimal
    percent: int = 0


def usage_by_day(*, app: App, days: int = 14) -> list[UsageRow]:
    """Runs and cost per day for the last `days` days, every day present (zero when idle)."""
    today = timezone.now().date()
    since = today - datetime.timedelta(days=days - 1)
    rows = {
        row["day"]: row
        for row in Run.objects.filter(app=app, queued_at__date__gte=since)
        .annotate(day=TruncDate("queued_at"))
        .values("day")
        .annotate(
            runs=Count("id"),
            succeeded=Count("id", filter=Q(status=RunStatus.SUCCEEDED)),
            cost=Sum("cost_usd"),
        )
    }
    result = []
    for offset in range(days):
        day = since + datetime.timedelta(days=offset)
        row = rows.get(day, {})
        result.append(
            UsageRow(f"{day:%b} {day.day}", row.get("runs", 0), row.get("succeeded", 0), row.get("cost") or Decimal(0))
        )
    return _with_percent(result)


def usage_by_model(*, app: App) -> list[UsageRow]:
    rows = (
        Run.objects.filter(app=app)
        .values("model__display_name")
        .annotate(
            runs=Count("id"),
            succeeded=Count("id", filter=Q(status=RunStatus.SUCCEEDED)),
            cost=Sum("cost_usd"),
        )
        .order_by("-runs")
    )
    return _with_percent(
        [UsageRow(r["model__display_name"], r["runs"], r["succeeded"], r["cost"] or Decimal(0)) for r in rows]
    )


def _with_percent(rows: list[UsageRow]) -> list[UsageRow]:
    peak = max((row.runs for row in rows), default=0)
    for row in rows:
        row.percent = round(100 * row.runs / peak) if peak else 0
    return rows


def usage_totals(*, app: App) -> dict:
    return Run.objects.filter(app=app).aggregate(
        runs=Count("id"), succeeded=Count("id", filter=Q(status=RunStatus.SUCCEEDED)), cost=Sum("cost_usd")
    )


def switch_history(*, app: App, limit: int = 20) -> list[ModelSwitch]:
    return list(app.switches.select_related("from_model", "to_model", "by")[:limit])


# --- Links -------------------------------------------------------------------------------------------------


def public_url(app: App) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("public:app", args=[app.slug])


def embed_snippet(app: App) -> str:
    src = settings.SITE_URL.rstrip("/") + reverse("public:embed", args=[app.slug])
    return f'<iframe src="{src}" title="{app.name}" width="100%" height="720" style="border:0" loading="lazy"></iframe>'


# --- Models ------------------------------------------------------------------------------------------------


def capability_summary(caps: dict) -> list[str]:
    parts = []
    sizes = caps.get("sizes", [])
    custom = caps.get("custom_size")
    parts.append(f"{len(sizes)} sizes" + (f" + custom up to {custom.get('max_edge', '?')} px" if custom else ""))
    if caps.get("qualities"):
        parts.append("quality " + "/".join(caps["qualities"]))
    if "transparent" in caps.get("backgrounds", []):
        parts.append("transparent backgrounds")
    images = caps.get("max_images", 1)
    parts.append(f"up to {images} image{'s' if images != 1 else ''} per run")
    if caps.get("max_reference_images"):
        parts.append(f"{caps['max_reference_images']} reference images")
    return parts


@dataclass
class ModelOption:
    key: str  # "" for the site default
    model: ImageModel
    label: str
    summary: list[str]
    estimate: Decimal | None
    state: str
    days_left: int | None
    errors: list[str] = field(default_factory=list)

    @property
    def is_free(self) -> bool:
        return not (self.model.pricing or self.model.tool_image_model_id)


def model_options(*, models: dict[str, ImageModel], default: ImageModel, params: dict) -> list[ModelOption]:
    """Each selectable model with what it can do, an estimated cost per image for these parameters,
    its lifecycle state, and why it cannot take these parameters (if so)."""
    one = {**params, "n": 1}
    options = []
    for key, model in [("", default), *models.items()]:
        caps = model.capabilities or {}
        state = model.state
        options.append(
            ModelOption(
                key=key,
                model=model,
                label=f"Site default: {model.display_name}" if key == "" else model.display_name,
                summary=capability_summary(caps),
                estimate=estimate_run(spec_for(model), one),
                state=state,
                days_left=model.days_left if state == ModelState.DEPRECATED else None,
            )
        )
    return options


@dataclass
class ModelNotice:
    level: str  # "warn" or "bad"
    title: str
    message: str
    successor: ImageModel | None = None
    successor_fits: bool = False


def model_notice(*, app: App) -> ModelNotice | None:
    """What the owner must know about the app's model: deprecated (days left) or retired (and what serves
    the app now, or what to choose)."""
    model = app.model
    if app.needs_model:
        return ModelNotice(
            "bad",
            "This app needs a model",
            "Its model was disabled or retired with nothing that fits, so runs are refused. "
            "Choose a model in Edit and save.",
        )
    if model is None:
        return None
    if not model.enabled:
        return ModelNotice(
            "bad",
            "Model disabled",
            f"{model.display_name} has been disabled by the site's staff, so runs are refused: choose another "
            "model in Edit.",
        )
    state = model.state
    successor = model.successor
    fits = bool(successor) and not app_fit_errors(app, successor)
    if state == ModelState.RETIRED:
        retired = f"{model.display_name} was retired on {model.shutdown_date:%Y-%m-%d}."
        if successor is None:
            return ModelNotice(
                "bad",
                "Model retired",
                f"{retired} It has no successor, so runs are refused: choose another model in Edit.",
            )
        if fits:
            return ModelNotice(
                "warn",
                "Model retired",
                f"{retired} Runs are served by its successor {successor.display_name}, which can do everything "
                "this app asks. Switch to it to make that permanent.",
                successor,
                True,
            )
        errors = " ".join(app_fit_errors(app, successor))
        return ModelNotice(
            "bad",
            "Model retired",
            f"{retired} Its successor {successor.display_name} cannot run this app ({errors}), so runs are "
            "refused: choose another model in Edit.",
            successor,
            False,
        )
    if state == ModelState.DEPRECATED:
        days = model.days_left
        message = (
            f"{model.display_name} will be retired on {model.shutdown_date:%Y-%m-%d} ({days} days left)."
            if model.shutdown_date
            else f"{model.display_name} is deprecated."
        )
        if successor is not None:
            message += f" Its successor is {successor.display_name}" + (
                ", which fits this app." if fits else ", which cannot run this app as it is set up now."
            )
        else:
            message += " Choose another model before then."
        return ModelNotice("warn", "Model deprecated", message, successor, fits)
    return None


# --- Prompt preview ----------------------------------------------------------------------------------------


@dataclass
class Preview:
    text: str
    unknown: list[str]
    unused_required: list[str]
    empty: list[str]


def prompt_preview(*, template: str, rows: list[dict], values: dict) -> Preview:
    """The filled template, with what would stop it from saving (unknown placeholders, unused fields)."""
    used = placeholders(template)
    keys = {row["key"] for row in rows}
    return Preview(
        text=render_prompt(template, values),
        unknown=[key for key in used if key not in keys],
        unused_required=[
            row["key"] for row in rows if row["required"] and row["type"] != "image" and row["key"] not in used
        ],
        empty=[key for key in used if key in keys and values.get(key) in ("", None)],
    )
