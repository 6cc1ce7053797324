"""Estimates before a run and actual cost after it, from the registry's `pricing` JSON:

    per_image                 {"low": {"1024x1024": 0.011, ...}, ...}: published per-image prices
    estimate_per_image_1024   {"low": 0.006, ...}: published per-image estimates at 1024x1024 for token-
                              priced models; other sizes scale by pixel area
    image_tokens_per_million  {"text_input": 5.0, "image_input": 10.0, "image_output": 40.0}
    text_tokens_per_million   {"input": 0.40, "output": 1.60}: a text model (Responses API)

A live preview (a streamed partial image) adds PARTIAL_IMAGE_TOKENS image output tokens to the estimate.
A text model driving the image tool is billed for both parts: its own tokens at its rates, and the image
at its tool image model's rates. Estimates are labelled as such; actual cost always comes from usage.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .capabilities import parse_size
from .providers.base import ModelSpec, Usage

MILLION = Decimal(1_000_000)
QUANTUM = Decimal("0.000001")
BASE_AREA = 1024 * 1024
# A text model's share of a Responses call: the prompt plus the tool's instructions in, a short reply out.
TEXT_MODEL_OVERHEAD_INPUT_TOKENS = 300
TEXT_MODEL_OUTPUT_TOKENS = 100
# Each streamed partial image (a live preview) is billed as this many extra image output tokens.
PARTIAL_IMAGE_TOKENS = 100


def _d(value) -> Decimal:
    return Decimal(str(value or 0))


def _round(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_HALF_UP)


def _image_part(spec: ModelSpec) -> ModelSpec:
    return spec.tool_image_model or spec


def estimate_per_image(spec: ModelSpec, *, size: str, quality: str) -> Decimal | None:
    """USD per image at this size and quality, or None when the registry has no figure for it."""
    pricing = _image_part(spec).pricing
    table = pricing.get("per_image", {}).get(quality, {})
    if size in table:
        return _d(table[size])
    base = pricing.get("estimate_per_image_1024", {}).get(quality)
    if base is None and table:
        base = table.get("1024x1024")
    if base is None:
        return Decimal(0) if not pricing else None
    parsed = parse_size(size) or (1024, 1024)
    return _round(_d(base) * Decimal(parsed[0] * parsed[1]) / BASE_AREA)


def estimate_run(spec: ModelSpec, params: dict, *, prompt: str = "") -> Decimal:
    """Estimated USD for one run with these parameters (used for display and budgets)."""
    per_image = estimate_per_image(
        spec, size=str(params.get("size", "1024x1024")), quality=str(params.get("quality", "medium"))
    )
    total = (per_image or Decimal(0)) * int(params.get("n", 1) or 1)
    partials = int(params.get("partial_images", 0) or 0)
    if partials:
        image_rates = _image_part(spec).pricing.get("image_tokens_per_million", {})
        total += _d(image_rates.get("image_output")) * partials * PARTIAL_IMAGE_TOKENS / MILLION
    text_rates = spec.pricing.get("text_tokens_per_million")
    if text_rates:
        input_tokens = TEXT_MODEL_OVERHEAD_INPUT_TOKENS + len(prompt) // 4
        total += _d(text_rates.get("input")) * input_tokens / MILLION
        total += _d(text_rates.get("output")) * TEXT_MODEL_OUTPUT_TOKENS / MILLION
    return _round(total)


def cost_from_usage(spec: ModelSpec, usage: Usage) -> Decimal:
    """Actual USD from the usage the API returned."""
    image_rates = _image_part(spec).pricing.get("image_tokens_per_million", {})
    text_rates = spec.pricing.get("text_tokens_per_million", {})
    total = (
        _d(image_rates.get("text_input")) * usage.text_input_tokens
        + _d(image_rates.get("image_input")) * usage.image_input_tokens
        + _d(image_rates.get("image_output")) * usage.image_output_tokens
        + _d(text_rates.get("input")) * usage.text_model_input_tokens
        + _d(text_rates.get("output")) * usage.text_model_output_tokens
    ) / MILLION
    return _round(total)
