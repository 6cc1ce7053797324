"""What a model can do, and whether a request fits it. Read from the registry's `capabilities` JSON:

    sizes              preset sizes, e.g. ["1024x1024", "1536x1024", "1024x1536"]
    custom_size        null, or {"multiple_of": 16, "max_edge": 3840, "max_pixels": 8294400,
                       "max_ratio": 3.0, "min_pixels": 0}: any WIDTHxHEIGHT within these limits
    qualities          e.g. ["low", "medium", "high"]
    backgrounds        e.g. ["auto", "opaque", "transparent"]
    output_formats     e.g. ["png", "jpeg", "webp"]
    transparent_formats formats that can carry a transparent background, e.g. ["png", "webp"]
    max_images         images per call
    max_reference_images  0 when reference images are not supported
    mask               whether an edit mask is supported
    max_prompt_chars   prompt length limit

The same check guards a run before any call, the builder's forms, and every model switch.
"""

from __future__ import annotations

import re

SIZE_RE = re.compile(r"^(\d{2,5})x(\d{2,5})$")


def parse_size(size: str) -> tuple[int, int] | None:
    match = SIZE_RE.match(size or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def size_errors(caps: dict, size: str) -> list[str]:
    """Empty when the size is allowed; otherwise say which limit was crossed."""
    if size in caps.get("sizes", []):
        return []
    custom = caps.get("custom_size")
    parsed = parse_size(size)
    if not custom:
        presets = ", ".join(caps.get("sizes", [])) or "none"
        return [f"Size {size} is not offered by this model (it offers {presets})."]
    if parsed is None:
        return [f"Size {size!r} is not WIDTHxHEIGHT, for example 1536x864."]
    width, height = parsed
    errors = []
    multiple = custom.get("multiple_of")
    if multiple and (width % multiple or height % multiple):
        errors.append(f"Width and height must both be multiples of {multiple} (got {width}x{height}).")
    max_edge = custom.get("max_edge")
    if max_edge and max(width, height) > max_edge:
        errors.append(f"The longest edge may be at most {max_edge} px (got {max(width, height)}).")
    max_pixels = custom.get("max_pixels")
    if max_pixels and width * height > max_pixels:
        errors.append(f"At most {max_pixels:,} pixels in all (got {width * height:,}).")
    min_pixels = custom.get("min_pixels")
    if min_pixels and width * height < min_pixels:
        errors.append(f"At least {min_pixels:,} pixels in all (got {width * height:,}).")
    max_ratio = custom.get("max_ratio")
    if max_ratio and max(width, height) / min(width, height) > max_ratio:
        errors.append(f"The long side may be at most {max_ratio:g} times the short side (got {width}x{height}).")
    return errors


def request_errors(
    caps: dict,
    params: dict,
    *,
    prompt: str | None = None,
    reference_count: int = 0,
    has_mask: bool = False,
) -> list[str]:
    """Every reason this model cannot do what `params` ask, in words a builder can act on."""
    errors: list[str] = []
    if "size" in params:
        errors += size_errors(caps, str(params["size"]))
    for name, cap, label in (
        ("quality", "qualities", "quality"),
        ("background", "backgrounds", "background"),
        ("output_format", "output_formats", "output format"),
    ):
        value = params.get(name)
        allowed = caps.get(cap)
        if value and allowed is not None and value not in allowed:
            errors.append(f"This model does not offer {label} {value!r} (it offers {', '.join(allowed)}).")
    if params.get("background") == "transparent":
        formats = caps.get("transparent_formats", [])
        if params.get("output_format") not in formats:
            errors.append(
                "A transparent background needs "
                + (" or ".join(f.upper() for f in formats) if formats else "a format this model lacks")
                + f" output, not {str(params.get('output_format', '')).upper()}."
            )
    n = int(params.get("n", 1) or 1)
    max_images = caps.get("max_images", 1)
    if n < 1 or n > max_images:
        errors.append(f"This model makes 1 to {max_images} images per run (asked for {n}).")
    max_refs = caps.get("max_reference_images", 0)
    if reference_count > max_refs:
        errors.append(
            f"This model takes at most {max_refs} reference images (got {reference_count})."
            if max_refs
            else "This model does not take reference images."
        )
    if has_mask and not caps.get("mask"):
        errors.append("This model does not support an edit mask.")
    limit = caps.get("max_prompt_chars")
    if prompt is not None and limit and len(prompt) > limit:
        errors.append(f"The prompt is {len(prompt):,} characters; this model takes at most {limit:,}.")
    return errors
