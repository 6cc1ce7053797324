"""Choosing a provider for a model is a lookup here, not `if model == ...` around the code."""

from __future__ import annotations

from importlib import import_module

from .base import Provider

PROVIDERS = {
    "offline": "generation.providers.offline.OfflineProvider",
    "openai_images": "generation.providers.openai_images.OpenAIImagesProvider",
    "openai_responses": "generation.providers.openai_responses.OpenAIResponsesProvider",
}


def get_provider(kind: str) -> Provider:
    module_name, _, class_name = PROVIDERS[kind].rpartition(".")
    return getattr(import_module(module_name), class_name)()
