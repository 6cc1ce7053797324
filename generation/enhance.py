"""Prompt enhancement: before generating, a text model rewrites the filled template into a richer prompt.

The site chooses the text model (SiteSettings.prompt_model: a Responses-API model, or the built-in offline
rewriter). Enhancement never fails a run: if the text model cannot answer, the run uses the prompt as
filled. Its tokens are priced at the text model's rates and added to the run's cost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from . import pricing, registry
from .providers import get_provider
from .providers.errors import ProviderError

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Rewrite the user's image prompt as one richer, concrete prompt for an image model: the subject, "
    "composition, style, lighting and colours. Keep every detail the user gave and add no text to the image "
    "unless asked. Answer with the prompt only."
)


@dataclass(frozen=True)
class Enhancement:
    prompt: str
    cost_usd: Decimal
    usage: dict  # {"model": key, "input_tokens": n, "output_tokens": n, "cost_usd": "..."}


def prompt_enhance(*, prompt: str) -> Enhancement | None:
    """The rewritten prompt and what it cost, or None when the text model could not answer."""
    model = registry.prompt_model()
    spec = registry.spec_for(model)
    try:
        result = get_provider(model.provider).rewrite(spec, prompt, instructions=INSTRUCTIONS)
    except ProviderError as exc:
        log.warning("Prompt enhancement with %s failed (%s): %s", model.key, exc.code, exc.message)
        return None
    cost = pricing.cost_from_usage(spec, result.usage)
    usage = {
        "model": model.key,
        "input_tokens": result.usage.text_model_input_tokens,
        "output_tokens": result.usage.text_model_output_tokens,
        "cost_usd": str(cost),
    }
    return Enhancement(prompt=result.text[:8000], cost_usd=cost, usage=usage)
