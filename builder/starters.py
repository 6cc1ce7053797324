"""Starter templates for a new app: a prompt, parameters, fields and sample inputs to begin from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Starter:
    key: str
    name: str
    description: str
    prompt_template: str
    params: dict
    fields: list[dict] = field(default_factory=list)
    visitor_params: list[str] = field(default_factory=list)


STARTERS: dict[str, Starter] = {
    starter.key: starter
    for starter in [
        Starter(
            key="product-photo",
            name="Product photo",
            description="A clean studio shot of a product on a chosen backdrop.",
            prompt_template=(
                "Professional studio product photo of {{ product }} on a {{ backdrop }} backdrop, "
                "soft lighting, sharp focus, high detail"
            ),
            params={"size": "1536x1024", "quality": "medium", "background": "opaque", "output_format": "jpeg", "n": 1},
            fields=[
                {
                    "key": "product",
                    "label": "Product",
                    "type": "short_text",
                    "required": True,
                    "help_text": "What to photograph.",
                    "max_length": 200,
                    "sample": "a ceramic coffee mug",
                },
                {
                    "key": "backdrop",
                    "label": "Backdrop",
                    "type": "select",
                    "required": True,
                    "options": ["white", "marble", "wooden", "pastel"],
                    "default": "white",
                },
            ],
            visitor_params=["size"],
        ),
        Starter(
            key="logo",
            name="Logo",
            description="A simple, flat logo mark for a brand name.",
            prompt_template=(
                "A minimal flat vector logo for a brand called {{ brand }}, {{ style }} style, "
                "main colour {{ colour }}, centered, no text other than the brand name"
            ),
            params={"size": "1024x1024", "quality": "high", "background": "auto", "output_format": "png", "n": 2},
            fields=[
                {
                    "key": "brand",
                    "label": "Brand name",
                    "type": "short_text",
                    "required": True,
                    "max_length": 60,
                    "sample": "Northwind Coffee",
                },
                {
                    "key": "style",
                    "label": "Style",
                    "type": "select",
                    "required": True,
                    "options": ["geometric", "hand-drawn", "monogram", "mascot"],
                    "default": "geometric",
                },
                {
                    "key": "colour",
                    "label": "Main colour",
                    "type": "short_text",
                    "required": False,
                    "default": "deep blue",
                    "max_length": 40,
                },
            ],
        ),
        Starter(
            key="illustration",
            name="Illustration",
            description="A storybook-style illustration of a scene.",
            prompt_template="A {{ style }} illustration of {{ scene }}, rich colours, detailed, storybook quality",
            params={"size": "1024x1536", "quality": "medium", "background": "opaque", "output_format": "webp", "n": 1},
            fields=[
                {
                    "key": "scene",
                    "label": "Scene",
                    "type": "long_text",
                    "required": True,
                    "max_length": 500,
                    "help_text": "Who is there and what happens.",
                    "sample": "a fox and a hare sharing tea in a forest",
                },
                {
                    "key": "style",
                    "label": "Style",
                    "type": "select",
                    "required": True,
                    "options": ["watercolor", "gouache", "ink", "digital painting"],
                    "default": "watercolor",
                },
            ],
            visitor_params=["size", "quality"],
        ),
        Starter(
            key="sticker",
            name="Sticker (transparent background)",
            description="A die-cut sticker on a transparent background.",
            prompt_template=(
                "A die-cut {{ style }} sticker of {{ subject }}, bold white outline, transparent background"
            ),
            params={
                "size": "1024x1024",
                "quality": "medium",
                "background": "transparent",
                "output_format": "png",
                "n": 1,
            },
            fields=[
                {
                    "key": "subject",
                    "label": "Subject",
                    "type": "short_text",
                    "required": True,
                    "max_length": 200,
                    "help_text": "What the sticker shows.",
                    "sample": "a red fox reading a book",
                },
                {
                    "key": "style",
                    "label": "Style",
                    "type": "select",
                    "required": True,
                    "options": ["cartoon", "kawaii", "pixel art", "retro"],
                    "default": "cartoon",
                },
            ],
        ),
    ]
}
BLANK = Starter(
    key="blank",
    name="Blank",
    description="Start from an empty template.",
    prompt_template="",
    params={},
    fields=[],
)


def starter_for(key: str | None) -> Starter:
    return STARTERS.get(key or "", BLANK)
