"""The admin's forms for the registry and site settings: capabilities and prices are JSON documents whose
shape is checked here, so a typo is a form error and not a broken model."""

from __future__ import annotations

import json
import numbers

from django import forms

from builder.admin import model_label

from . import seed_data
from .capabilities import parse_size
from .models import ImageModel, ModelState, SiteSettings

CAPABILITY_LISTS = ("sizes", "qualities", "backgrounds", "output_formats", "transparent_formats")
CAPABILITY_INTS = {"max_images": 1, "max_reference_images": 0, "max_prompt_chars": 1, "simulated_latency_ms": 0}
CAPABILITY_BOOLS = ("mask", "streaming")
CUSTOM_SIZE_KEYS = ("multiple_of", "max_edge", "max_pixels", "max_ratio", "min_pixels")
PRICE_TABLES = {
    "image_tokens_per_million": ("text_input", "image_input", "image_output"),
    "text_tokens_per_million": ("input", "output"),
}


def _known_capability_keys() -> set[str]:
    known = {*CAPABILITY_LISTS, *CAPABILITY_INTS, *CAPABILITY_BOOLS, "custom_size"}
    for entry in seed_data.MODELS:  # keys the seed uses are known by definition
        known |= set(entry.get("capabilities", {}))
    return known


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _unknown(keys, known, where: str) -> list[str]:
    return [f"Unknown key {k!r} in {where} (known: {', '.join(sorted(known))})." for k in keys if k not in known]


def capabilities_errors(caps) -> list[str]:
    """Why a capabilities document is malformed (see generation.capabilities for the keys), or []."""
    if not isinstance(caps, dict):
        return ["Capabilities must be a JSON object."]
    errors = _unknown(caps, _known_capability_keys(), "capabilities")
    for name in CAPABILITY_LISTS:
        if name in caps and not (isinstance(caps[name], list) and all(isinstance(v, str) for v in caps[name])):
            errors.append(f"{name} must be a list of strings.")
    for size in caps.get("sizes", []) if isinstance(caps.get("sizes"), list) else []:
        if isinstance(size, str) and parse_size(size) is None:
            errors.append(f"Size {size!r} is not WIDTHxHEIGHT.")
    for name, minimum in CAPABILITY_INTS.items():
        value = caps.get(name)
        if name in caps and not (isinstance(value, int) and not isinstance(value, bool) and value >= minimum):
            errors.append(f"{name} must be a whole number of at least {minimum}.")
    for name in CAPABILITY_BOOLS:
        if name in caps and not isinstance(caps[name], bool):
            errors.append(f"{name} must be true or false.")
    custom = caps.get("custom_size")
    if custom is not None:
        if not isinstance(custom, dict):
            errors.append("custom_size must be null or an object.")
        else:
            errors += _unknown(custom, CUSTOM_SIZE_KEYS, "custom_size")
            errors += [
                f"custom_size.{k} must be a positive number." for k, v in custom.items() if not _is_number(v) or v < 0
            ]
    return errors


def pricing_errors(pricing) -> list[str]:
    """Why a pricing document is malformed (see generation.pricing for the keys), or []."""
    if not isinstance(pricing, dict):
        return ["Pricing must be a JSON object."]
    known = {"per_image", "estimate_per_image_1024", *PRICE_TABLES}
    errors = _unknown(pricing, known, "pricing")
    for name, rate_names in PRICE_TABLES.items():
        table = pricing.get(name)
        if name in pricing and not isinstance(table, dict):
            errors.append(f"{name} must be an object.")
        elif isinstance(table, dict):
            errors += _unknown(table, rate_names, name)
            errors += [
                f"{name}.{k} must be a number of at least 0." for k, v in table.items() if not _is_number(v) or v < 0
            ]
    estimates = pricing.get("estimate_per_image_1024")
    if estimates is not None and not (
        isinstance(estimates, dict) and all(_is_number(v) and v >= 0 for v in estimates.values())
    ):
        errors.append('estimate_per_image_1024 must map each quality to a price, e.g. {"low": 0.006}.')
    per_image = pricing.get("per_image")
    if per_image is not None and not (
        isinstance(per_image, dict)
        and all(
            isinstance(sizes, dict) and all(_is_number(v) and v >= 0 for v in sizes.values())
            for sizes in per_image.values()
        )
    ):
        errors.append('per_image must map quality to size to price, e.g. {"low": {"1024x1024": 0.011}}.')
    return errors


class PrettyJSONField(forms.JSONField):
    """JSON shown indented, so staff can read and edit a capabilities or price document."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


class ImageModelForm(forms.ModelForm):
    class Meta:
        model = ImageModel
        fields = (
            *("key", "display_name", "provider", "enabled", "vendor_model_id", "snapshot_id", "tool_image_model"),
            *("sort_order", "notes", "capabilities", "pricing", "deprecation_announced", "shutdown_date"),
            *("successor", "lifecycle_source"),
        )
        field_classes = {"capabilities": PrettyJSONField, "pricing": PrettyJSONField}
        widgets = {
            "capabilities": forms.Textarea(attrs={"rows": 24, "cols": 80, "class": "vLargeTextField"}),
            "pricing": forms.Textarea(attrs={"rows": 12, "cols": 80, "class": "vLargeTextField"}),
        }

    def clean_capabilities(self):
        caps = self.cleaned_data.get("capabilities")
        if errors := capabilities_errors(caps):
            raise forms.ValidationError(errors)
        return caps

    def clean_pricing(self):
        pricing = self.cleaned_data.get("pricing")
        if errors := pricing_errors(pricing):
            raise forms.ValidationError(errors)
        return pricing

    def clean(self):
        cleaned = super().clean()
        announced, shutdown = cleaned.get("deprecation_announced"), cleaned.get("shutdown_date")
        if announced and shutdown and shutdown < announced:
            self.add_error("shutdown_date", "The shutdown date cannot come before the deprecation was announced.")
        successor = cleaned.get("successor")
        if successor is not None and self.instance.pk:
            seen, model = {self.instance.pk}, successor
            while model is not None:
                if model.pk in seen:
                    self.add_error("successor", "A model cannot succeed itself, directly or down the chain.")
                    break
                seen.add(model.pk)
                model = model.successor
        tool = cleaned.get("tool_image_model")
        if tool is not None and self.instance.pk and tool.pk == self.instance.pk:
            self.add_error("tool_image_model", "A model cannot be its own tool image model.")
        return cleaned


class SiteSettingsForm(forms.ModelForm):
    switch_reason = forms.CharField(
        required=False, max_length=300, help_text="Recorded in the model switch log when the default model changes."
    )

    class Meta:
        model = SiteSettings
        fields = ("default_model", "generation_enabled", "daily_budget_usd")
        labels = {"daily_budget_usd": "Site daily budget (USD)"}
        help_texts = {"daily_budget_usd": "Spending on all apps together per day. Empty: no site-wide limit."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_model"].label_from_instance = model_label

    def clean_default_model(self):
        model = self.cleaned_data.get("default_model")
        if model is not None and (not model.enabled or model.state == ModelState.RETIRED):
            raise forms.ValidationError(f"{model.display_name} is disabled or retired: choose another model.")
        return model

    def clean_daily_budget_usd(self):
        budget = self.cleaned_data.get("daily_budget_usd")
        if budget is not None and budget < 0:
            raise forms.ValidationError("The budget cannot be negative. Leave it empty for no limit.")
        return budget
