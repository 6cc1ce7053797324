"""Writes for the builder: save an app with its fields, duplicate, publish, delete, and test-run it."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from generation import storage
from generation.models import ImageModel, Run, RunSource
from generation.providers.base import ReferenceImage
from generation.registry import ModelRefusedError, serving_model, site_default_model
from generation.services import run_start
from generation.storage import CheckedImage

from .models import App, AppState, Field, SwitchKind
from .switching import app_model_for_run, model_switch
from .templating import render_prompt

APP_VALUES = (
    "name",
    "slug",
    "description",
    "prompt_template",
    "enhance_prompt",
    "daily_budget_usd",
    "rate_per_minute",
    "rate_per_day",
)
FIELD_VALUES = ("key", "label", "type", "required", "default", "help_text", "options", "max_length", "min_value",
                "max_value")  # fmt: skip


class AppSaveError(Exception):
    """Saving was refused as a whole (nothing was written); `errors` say why."""

    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors))
        self.errors = errors


class AppPublishError(Exception):
    pass


def _store_cover(checked: CheckedImage) -> str:
    return storage.save(f"covers/{uuid.uuid4().hex}.{storage.EXTENSIONS[checked.format]}", checked.data)


def app_save(
    *,
    app: App,
    owner,
    values: dict,
    params: dict,
    visitor_params: list[str],
    fields: list[dict],
    model: ImageModel | None,
    cover: CheckedImage | None = None,
    remove_cover: bool = False,
    by=None,
) -> tuple[App, list[str]]:
    """Create or update an app and replace its fields, all or nothing. A changed model on an existing app goes
    through the audited, capability-checked `model_switch`. Returns the app and what changed."""
    is_new = app.pk is None
    previous = app.model
    changes: list[str] = []
    try:
        with transaction.atomic():
            for name in APP_VALUES:
                setattr(app, name, values[name])
            if is_new:
                app.owner = owner
                app.model = model
            app.params = params
            app.visitor_params = visitor_params
            app.sample_inputs = {row["key"]: row["sample"] for row in fields if row.get("sample")}
            if cover is not None:
                app.cover = _store_cover(cover)
            elif remove_cover:
                app.cover = ""
            app.save()
            app.fields.all().delete()
            Field.objects.bulk_create(
                Field(app=app, order=row["order"], **{name: row.get(name) for name in FIELD_VALUES}) for row in fields
            )
            model_changed = (previous.pk if previous else None) != (model.pk if model else None)
            if not is_new and (model_changed or app.needs_model):
                report = model_switch(apps=[app], to=model, by=by, reason="Changed in the builder", kind=SwitchKind.APP)
                if report.refused:
                    raise AppSaveError(report.refused[0][1])
                to_name = model.display_name if model else f"the site default ({site_default_model().display_name})"
                from_name = previous.display_name if previous else "the site default"
                changes.append(f"Model switched from {from_name} to {to_name}.")
    except IntegrityError as exc:
        raise AppSaveError([f"The address /a/{app.slug}/ is taken: choose another slug."]) from exc
    return app, changes


def unique_slug(base: str) -> str:
    base = base[:52].strip("-") or "app"
    slug, n = base, 1
    taken = set(App.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def app_duplicate(*, app: App, by) -> App:
    """A draft copy of the app with its fields, owned by `by`."""
    fields = list(app.fields.all())
    copy = App.objects.create(
        owner=by,
        name=f"{app.name} (copy)"[:100],
        slug=unique_slug(f"{app.slug}-copy"),
        description=app.description,
        cover=app.cover.name,
        state=AppState.DRAFT,
        model=app.model,
        needs_model=app.needs_model,
        prompt_template=app.prompt_template,
        params=dict(app.params),
        visitor_params=list(app.visitor_params),
        sample_inputs=dict(app.sample_inputs),
        enhance_prompt=app.enhance_prompt,
        daily_budget_usd=app.daily_budget_usd,
        rate_per_minute=app.rate_per_minute,
        rate_per_day=app.rate_per_day,
    )
    Field.objects.bulk_create(
        Field(app=copy, order=f.order, **{name: getattr(f, name) for name in FIELD_VALUES}) for f in fields
    )
    return copy


def app_publish(*, app: App, publish: bool) -> None:
    """Publish (only when the app's model can serve it) or unpublish."""
    if publish:
        if app.needs_model:
            raise AppPublishError("Choose a model for this app before publishing it.")
        try:
            serving_model(
                app.model or site_default_model(),
                app.effective_params,
                prompt=app.prompt_template,
                reference_count=app.fields.filter(type="image").count(),
            )
        except ModelRefusedError as exc:
            raise AppPublishError(exc.owner_message) from exc
    app.state = AppState.PUBLISHED if publish else AppState.DRAFT
    app.save(update_fields=["state", "updated_at"])


def app_delete(*, app: App) -> None:
    """Delete the app with its fields and runs."""
    app.delete()


def app_switch_model(*, app: App, to: ImageModel | None, by) -> list[str]:
    """Move an app to another model (e.g. a retired model's successor); the errors when it does not fit."""
    report = model_switch(apps=[app], to=to, by=by, reason="Chosen by the owner", kind=SwitchKind.APP)
    return report.refused[0][1] if report.refused else []


def app_test_run(*, app: App, inputs: dict, references: list[ReferenceImage], user) -> Run:
    """A test run from the builder with these inputs. Raises RunRefusedError with nothing saved."""
    return run_start(
        model=app_model_for_run(app),
        prompt=render_prompt(app.prompt_template, inputs),
        params=app.effective_params,
        app=app,
        inputs=inputs,
        references=references,
        user=user,
        source=RunSource.BUILDER_TEST,
    )
