"""Form data as a browser would post it, for the builder's tests."""

from __future__ import annotations

import io

from PIL import Image


def field_rows(*rows: dict) -> dict:
    data = {
        "fields-TOTAL_FORMS": str(len(rows)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        row = {"type": "short_text", "required": "on", "ORDER": str(i + 1), **row}
        if row.get("required") is False:
            row.pop("required")
        for name, value in row.items():
            data[f"fields-{i}-{name}"] = value
    return data


def app_data(*rows: dict, **overrides) -> dict:
    """A valid new app on the offline model with one field `subject`, unless overridden."""
    data = {
        "name": "Mug shots",
        "slug": "mug-shots",
        "description": "Photos of mugs.",
        "prompt_template": "A studio photo of {{ subject }}",
        "model": "offline",
        "params_for": "offline",
        "size": "1024x1024",
        "quality": "low",
        "background": "auto",
        "output_format": "png",
        "n": "1",
        "daily_budget_usd": "5",
        "rate_per_minute": "5",
        "rate_per_day": "50",
        "save": "1",
    }
    data.update(field_rows(*(rows or ({"key": "subject", "label": "Subject", "sample": "a blue mug"},))))
    data.update(overrides)
    return data


def image_bytes(fmt: str = "PNG", size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, fmt)
    return buffer.getvalue()
