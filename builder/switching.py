"""Switching the model behind apps: capability-checked, audited, live on the next run.

Every switch (one app, in bulk, the site default, a disabled model's fallback, a move to a successor,
a comparison's or experiment's winner) goes through `model_switch` and leaves a ModelSwitch row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from generation.models import ImageModel
from generation.registry import fit_errors, site_default_model

from .models import App, ModelSwitch, SwitchKind


@dataclass
class SwitchReport:
    switched: list[App] = field(default_factory=list)
    refused: list[tuple[App, list[str]]] = field(default_factory=list)


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
