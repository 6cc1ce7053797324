"""Knowing before users do: which registry models this key can reach, and which apps would break.

`models_check` asks the provider for its model list (the SDK's `models.list()`), compares it with the
registry (the id we send: the snapshot when pinned, else the alias), stores `reachable` and
`last_checked_at`, and reports every app whose run would fail: its model (or the successor serving it)
is unreachable, or it is retired with no successor that fits. `manage.py check_models` prints it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from . import registry
from .models import ImageModel, ProviderKind
from .providers.openai_common import client, translate_errors

PARAM_KEYS = ("size", "quality", "background", "output_format", "output_compression", "n", "moderation")


@dataclass
class ModelHealth:
    key: str
    vendor_id: str
    state: str
    reachable: bool | None  # None: not checked (no key)
    shutdown_date: datetime.date | None
    apps_using: int
    note: str = ""


@dataclass
class CheckReport:
    rows: list[ModelHealth]
    vendor_checked: bool
    problems: list[str] = field(default_factory=list)
    notice: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def listed_model_ids() -> set[str]:
    """Model ids the configured key can use. Raises a ProviderError when the provider cannot be asked."""
    with translate_errors():
        return {model.id for model in client().models.list()}


def models_check(*, day: datetime.date | None = None) -> CheckReport:
    day = day or registry.today()
    vendor_checked = bool(settings.OPENAI_API_KEY)
    listed = listed_model_ids() if vendor_checked else set()
    now = timezone.now()
    models = list(ImageModel.objects.select_related("successor", "tool_image_model").annotate(app_count=Count("apps")))
    reachable: dict[int, bool | None] = {}
    rows = []
    for model in models:
        note = ""
        if model.provider == ProviderKind.OFFLINE:
            reachable[model.pk] = True
        elif vendor_checked:
            reachable[model.pk] = model.vendor_id_to_send in listed
            if model.snapshot_id and not reachable[model.pk] and model.vendor_model_id in listed:
                note = f"alias {model.vendor_model_id} is listed, the pinned snapshot is not"
        else:
            reachable[model.pk] = None
            note = "not checked: no OPENAI_API_KEY"
        if reachable[model.pk] is not None:
            ImageModel.objects.filter(pk=model.pk).update(reachable=reachable[model.pk], last_checked_at=now)
        rows.append(
            ModelHealth(
                key=model.key,
                vendor_id=model.vendor_id_to_send or "built-in",
                state=model.state_on(day),
                reachable=reachable[model.pk],
                shutdown_date=model.shutdown_date,
                apps_using=model.app_count,
                note=note,
            )
        )
    report = CheckReport(rows=rows, vendor_checked=vendor_checked)
    if not vendor_checked:
        report.notice = "OPENAI_API_KEY is not set: only the offline model was checked."
    report.problems = _app_problems(models, reachable, day)
    return report


def _app_problems(models: list[ImageModel], reachable: dict, day: datetime.date) -> list[str]:
    """Every app in use whose next run would fail, in words staff can act on."""
    problems = []
    for model in models:
        if not model.app_count:
            continue
        for app in model.apps.all():
            params = {k: v for k, v in app.effective_params.items() if k in PARAM_KEYS and v not in (None, "")}
            try:
                serving = registry.serving_model(model, params, day=day, prompt=app.prompt_template)
            except registry.ModelRefusedError as exc:
                problems.append(f"App {app.slug}: {exc.owner_message}")
                continue
            needed = [serving, registry.tool_model_for(serving, day=day)] if serving.tool_image_model_id else [serving]
            for used in needed:
                if reachable.get(used.pk) is False:
                    via = "" if used.pk == model.pk else f" (serving it for {model.key})"
                    problems.append(
                        f"App {app.slug}: {used.key}{via} is not reachable with this key "
                        f"(the provider does not list {used.vendor_id_to_send})."
                    )
    return problems
