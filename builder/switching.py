"""Switching the model behind apps: capability-checked, audited, live on the next run.

Every switch of an app (one app, in bulk, a disabled model's fallback, a move to a successor, a comparison's
or experiment's winner) goes through `model_switch` and leaves a ModelSwitch row; a change of the site
default goes through `site_default_set` and leaves one too. Runs ask `app_model_for_run` for their model,
so a switch takes effect on the next run with no restart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q

from generation.models import ImageModel, ModelState, SiteSettings
from generation.registry import fit_errors, site_default_model, today
from generation.services import RunRefusedError

from .models import App, ModelSwitch, SwitchKind


@dataclass
class SwitchReport:
    switched: list[App] = field(default_factory=list)
    refused: list[tuple[App, list[str]]] = field(default_factory=list)
    # Left out by the caller: already on the model and taking runs (no switch, no audit entry).
    unchanged: list[App] = field(default_factory=list)


def app_fit_errors(app: App, model: ImageModel, params: dict | None = None) -> list[str]:
    """Why `model` cannot run `app` (with `params` replacing the app's own), or an empty list."""
    effective = {**app.effective_params, **(params or {})}
    has_image_field = app.fields.filter(type="image").count()
    return fit_errors(model, effective, prompt=app.prompt_template, reference_count=has_image_field)


@transaction.atomic
def model_switch(
    *,
    apps: list[App],
    to: ImageModel | None,
    by=None,
    reason: str = "",
    kind: str = SwitchKind.APP,
    params: dict | None = None,
) -> SwitchReport:
    """Switch each app that fits `to` (None means the site default); list those that do not, with reasons.
    `params`, when given, replace the app's parameters too (a comparison's or experiment's variant)."""
    report = SwitchReport()
    target = to or site_default_model()
    for app in apps:
        errors = app_fit_errors(app, target, params)
        if errors:
            report.refused.append((app, errors))
            continue
        from_model = app.model
        app.model = to
        app.needs_model = False
        fields = ["model", "needs_model", "updated_at"]
        if params:
            app.params = {**app.params, **params}
            fields.append("params")
        app.save(update_fields=fields)
        ModelSwitch.objects.create(
            app=app,
            kind=kind,
            from_model=from_model,
            to_model=target,
            by=by if by and by.is_authenticated else None,
            reason=reason[:300],
        )
        report.switched.append(app)
    return report


NEEDS_MODEL_VISITOR_MESSAGE = "This app is being updated. Please try again later."


def app_model_for_run(app: App) -> ImageModel:
    """The model a new run of `app` asks for, read fresh from the database: its own, or the site default.

    Call it right before `generation.services.run_start(model=...)`. Raises RunRefusedError (code
    "needs_model") while the app waits for someone to choose a model, so nothing is saved or spent."""
    fresh = App.objects.select_related("model").only("model", "needs_model").get(pk=app.pk)
    app.model, app.needs_model = fresh.model, fresh.needs_model
    if app.needs_model:
        lost = f"Its model {app.model.display_name}" if app.model else "Its model"
        raise RunRefusedError(
            NEEDS_MODEL_VISITOR_MESSAGE,
            code="needs_model",
            owner_message=f"{lost} was disabled and the site default cannot run this app. "
            "Choose a model for this app to take runs again.",
        )
    return app.model or site_default_model()


def successor_for(model: ImageModel, *, day: datetime.date | None = None) -> ImageModel | None:
    """The first model down `model`'s successor chain that is enabled and not retired, or None."""
    day = day or today()
    seen = {model.pk}
    candidate = model.successor
    while candidate is not None and candidate.pk not in seen:
        if candidate.enabled and candidate.state_on(day) != ModelState.RETIRED:
            return candidate
        seen.add(candidate.pk)
        candidate = candidate.successor
    return None


def _merge(into: SwitchReport, other: SwitchReport) -> None:
    into.switched += other.switched
    into.refused += other.refused
    into.unchanged += other.unchanged


def apps_move_to_successor(*, apps: list[App], by=None, reason: str = "") -> SwitchReport:
    """Move each app to its model's successor where the successor can run it; list the others with why."""
    report = SwitchReport()
    groups: dict[tuple[int, int], tuple[ImageModel, ImageModel, list[App]]] = {}
    for app in apps:
        if app.model is None:
            report.refused.append((app, ["It follows the site default, which has no successor to move to."]))
            continue
        successor = successor_for(app.model)
        if successor is None:
            report.refused.append((app, [f"{app.model.display_name} has no enabled successor."]))
            continue
        groups.setdefault((app.model.pk, successor.pk), (app.model, successor, []))[2].append(app)
    for model, successor, group in groups.values():
        why = reason or f"{model.display_name} moved to its successor {successor.display_name}."
        _merge(report, model_switch(apps=group, to=successor, by=by, reason=why, kind=SwitchKind.SUCCESSOR))
    return report


def models_move_to_successor(*, models: list[ImageModel], by=None, reason: str = "") -> SwitchReport:
    """Move every app of these models to the models' successors (capability-checked, audited)."""
    apps = list(App.objects.filter(model__in=models).select_related("model__successor").order_by("pk"))
    return apps_move_to_successor(apps=apps, by=by, reason=reason)


@transaction.atomic
def models_disable(*, models: list[ImageModel], by=None) -> SwitchReport:
    """Disable models; move their apps to the site default where they fit, and flag the rest `needs_model`
    (they refuse new runs until someone chooses a model). The refused list names the flagged apps."""
    ids = [m.pk for m in models]
    ImageModel.objects.filter(pk__in=ids).update(enabled=False)
    for model in models:
        model.enabled = False
    target = site_default_model()  # read after the update: a disabled site default falls back
    report = SwitchReport()
    apps = list(App.objects.filter(model_id__in=ids).select_related("model").order_by("pk"))
    for model in models:
        its_apps = [app for app in apps if app.model_id == model.pk]
        if its_apps and not target.enabled:  # the offline fallback itself was disabled
            report.refused += [(app, [f"The site default {target.display_name} is disabled too."]) for app in its_apps]
        elif its_apps:
            why = f"{model.display_name} was disabled."
            _merge(report, model_switch(apps=its_apps, to=target, by=by, reason=why, kind=SwitchKind.DISABLE_FALLBACK))
    flagged = [app.pk for app, _ in report.refused]
    App.objects.filter(pk__in=flagged).update(needs_model=True)
    for app, _ in report.refused:
        app.needs_model = True
    return report


@transaction.atomic
def models_enable(*, models: list[ImageModel]) -> int:
    """Enable models; apps that were flagged because these models were disabled take runs again when the
    model can still run them. Returns how many apps were unflagged."""
    ImageModel.objects.filter(pk__in=[m.pk for m in models]).update(enabled=True)
    cleared = []
    for model in models:
        model.enabled = True
        if model.is_retired:
            continue
        for app in App.objects.filter(model=model, needs_model=True):
            if not app_fit_errors(app, model):
                cleared.append(app.pk)
    return App.objects.filter(pk__in=cleared).update(needs_model=False)


@transaction.atomic
def site_default_set(*, model: ImageModel | None, by=None, reason: str = "") -> ModelSwitch | None:
    """Change the site default model, with an audit entry (no entry when nothing changes)."""
    row, _ = SiteSettings.objects.select_for_update().get_or_create(pk=1)
    old = row.default_model
    if (old.pk if old else None) == (model.pk if model else None):
        return None
    row.default_model = model
    row.save(update_fields=["default_model"])
    return ModelSwitch.objects.create(
        app=None,
        kind=SwitchKind.SITE_DEFAULT,
        from_model=old,
        to_model=model,
        by=by if by and by.is_authenticated else None,
        reason=reason[:300],
    )


def site_default_misfits(model: ImageModel) -> list[tuple[App, list[str]]]:
    """Apps that follow the site default (no model of their own) and that `model` cannot run."""
    misfits = []
    for app in App.objects.filter(model__isnull=True).prefetch_related("fields"):
        errors = app_fit_errors(app, model)
        if errors:
            misfits.append((app, errors))
    return misfits


@dataclass
class EndingModel:
    """A deprecated or retired model that apps still sit on."""

    model: ImageModel
    state: str
    days_left: int | None
    app_count: int
    successor: ImageModel | None


def models_ending_with_apps(*, day: datetime.date | None = None) -> list[EndingModel]:
    """Deprecated or retired models with apps on them (apps that follow a deprecated site default count
    for it), soonest shutdown first: what the admin's banner tells staff."""
    day = day or today()
    rows = (
        ImageModel.objects.filter(Q(shutdown_date__isnull=False) | Q(deprecation_announced__isnull=False))
        .annotate(app_count=Count("apps"))
        .select_related("successor")
    )
    counts = {m.pk: (m, m.app_count) for m in rows}
    default = SiteSettings.load().default_model
    if default is not None and default.state_on(day) != ModelState.AVAILABLE:
        following = App.objects.filter(model__isnull=True).count()
        model, count = counts.get(default.pk, (default, 0))
        counts[default.pk] = (model, count + following)
    ending = [
        EndingModel(
            model=model,
            state=model.state_on(day),
            days_left=(model.shutdown_date - day).days if model.shutdown_date else None,
            app_count=count,
            successor=model.successor,
        )
        for model, count in counts.values()
        if count
    ]
    return sorted(ending, key=lambda e: (e.model.shutdown_date or datetime.date.max, e.model.display_name))
