"""Reads of the model registry: the site default, a model's provider spec, and routing around retirement."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from .capabilities import request_errors
from .models import ImageModel, ModelState, ProviderKind, SiteSettings
from .providers.base import ModelSpec


class ModelRefusedError(Exception):
    """A run cannot be served by this model (retired with no fitting successor, disabled, or no model)."""

    code = "model_retired"

    def __init__(self, visitor_message: str, owner_message: str, code: str = "model_retired"):
        super().__init__(owner_message)
        self.visitor_message = visitor_message
        self.owner_message = owner_message
        self.code = code


def today() -> datetime.date:
    return timezone.now().date()


def is_usable(model: ImageModel) -> bool:
    """Offline always works; a vendor model needs a key."""
    return model.provider == ProviderKind.OFFLINE or bool(settings.OPENAI_API_KEY)


def site_default_model() -> ImageModel:
    """The site default when it can run here, else the offline model (so the product works with no key)."""
    default = SiteSettings.load().default_model
    if default is not None and default.enabled and default.state != ModelState.RETIRED and is_usable(default):
        return default
    return ImageModel.objects.get(key="offline")


def prompt_model() -> ImageModel:
    """The text model for prompt enhancement: the site's choice when it can run here, else the built-in
    (offline) rewriter."""
    chosen = SiteSettings.load().prompt_model
    if chosen is not None and chosen.enabled and chosen.state != ModelState.RETIRED and is_usable(chosen):
        return chosen
    return ImageModel.objects.get(key="offline")


def enabled_models() -> list[ImageModel]:
    """What the model selector offers for new apps: enabled and not retired."""
    day = today()
    return [
        m
        for m in ImageModel.objects.filter(enabled=True).select_related("successor", "tool_image_model")
        if m.state_on(day) != ModelState.RETIRED
    ]


def tool_model_for(model: ImageModel, *, day: datetime.date | None = None) -> ImageModel | None:
    """The image model a text model's image tool sends: the registry's choice, or once that is retired its
    successor (down the chain), so a retired vendor id is never sent."""
    day = day or today()
    tool, seen = model.tool_image_model, set()
    while tool is not None and tool.state_on(day) == ModelState.RETIRED and tool.successor_id not in (None, *seen):
        seen.add(tool.pk)
        tool = tool.successor
    return tool


def spec_for(model: ImageModel) -> ModelSpec:
    tool = spec_for(tool_model_for(model)) if model.tool_image_model_id else None
    return ModelSpec(
        key=model.key,
        vendor_id=model.vendor_id_to_send,
        capabilities=model.capabilities or {},
        pricing=model.pricing or {},
        tool_image_model=tool,
    )


def fit_errors(model: ImageModel, params: dict, **kwargs) -> list[str]:
    return request_errors(model.capabilities or {}, params, **kwargs)


def serving_model(requested: ImageModel, params: dict, *, day: datetime.date | None = None, **kwargs) -> ImageModel:
    """The model that will serve a run asked of `requested`: itself, or its successor once it is retired.

    Raises ModelRefusedError, before any vendor call, when nothing that fits can serve it (nor its image tool).
    """
    day = day or today()
    model = _past_retirement(requested, params, day, **kwargs)
    if not model.enabled:
        raise ModelRefusedError(
            "This app is being updated. Please try again later.",
            f"{model.display_name} is disabled. Choose another model for this app.",
            code="model_disabled",
        )
    if model.tool_image_model_id:
        try:
            _past_retirement(model.tool_image_model, params, day, **kwargs)
        except ModelRefusedError as exc:
            raise ModelRefusedError(
                exc.visitor_message, f"{model.display_name}'s image tool: {exc.owner_message}"
            ) from exc
    return model


def _past_retirement(requested: ImageModel, params: dict, day: datetime.date, **kwargs) -> ImageModel:
    """`requested`, or once it is retired the first successor down its chain; refused when none fits."""
    model, seen = requested, set()
    while model.state_on(day) == ModelState.RETIRED:
        seen.add(model.pk)
        successor = model.successor
        if successor is None or successor.pk in seen:
            raise ModelRefusedError(
                "This app is being updated. Please try again later.",
                f"{requested.display_name} was retired on {requested.shutdown_date:%Y-%m-%d} and has no "
                "successor. Choose another model for this app.",
            )
        errors = fit_errors(successor, params, **kwargs)
        if errors:
            raise ModelRefusedError(
                "This app is being updated. Please try again later.",
                f"{requested.display_name} was retired on {requested.shutdown_date:%Y-%m-%d}; its successor "
                f"{successor.display_name} cannot run this app: {' '.join(errors)} Choose a model for this app.",
            )
        model = successor
    return model
