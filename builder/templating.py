"""Prompt templates: `{{ key }}` placeholders filled by plain substitution, never evaluated."""

from __future__ import annotations

import re

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z0-9_-]+)\s*\}\}")


def placeholders(template: str) -> list[str]:
    """Placeholder keys in order of first appearance."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER_RE.finditer(template or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)


def render_prompt(template: str, values: dict) -> str:
    """Fill each placeholder with its value as plain text; a missing value becomes an empty string."""

    def substitute(match: re.Match) -> str:
        value = values.get(match.group(1), "")
        if isinstance(value, bool):
            return "yes" if value else "no"
        return "" if value is None else str(value)

    rendered = PLACEHOLDER_RE.sub(substitute, template or "")
    return re.sub(r"[ \t]{2,}", " ", rendered).strip()
