"""The offline model: deterministic pictures from (prompt, seed, size), made with Pillow.

It needs no key or network, so the whole product works on a fresh machine and tests are reproducible.
Different prompts give visibly different pictures: the prompt's hash picks the palette and the shapes.
A registry entry may set `capabilities.simulated_latency_ms` to make it wait like a real model (demos,
benchmarks); it reports progress while it waits.
"""

from __future__ import annotations

import hashlib
import io
import random
import time

from PIL import Image, ImageDraw

from .base import (
    GeneratedImage,
    GenerationRequest,
    GenerationResult,
    ModelSpec,
    ProgressEvent,
    RewriteResult,
    Usage,
)

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def _rng(prompt: str, seed: int, index: int) -> random.Random:
    digest = hashlib.sha256(f"{prompt}\x00{seed}\x00{index}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def render(prompt: str, *, seed: int, width: int, height: int, transparent: bool, index: int = 0) -> Image.Image:
    rng = _rng(prompt, seed, index)
    palette = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(5)]
    mode = "RGBA" if transparent else "RGB"
    if transparent:
        image = Image.new(mode, (width, height), (0, 0, 0, 0))
    else:
        # A vertical gradient between two palette colours as the background.
        top, bottom = palette[0], palette[1]
        column = Image.new("RGB", (1, height))
        for y in range(height):
            t = y / max(height - 1, 1)
            column.putpixel((0, y), tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
        image = column.resize((width, height))
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    for _ in range(rng.randint(6, 14)):
        colour = palette[rng.randrange(2, 5)] + ((255,) if transparent else ())
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randint(unit // 20, unit // 4)
        shape = rng.choice(("ellipse", "rectangle", "triangle"))
        box = (x - r, y - r, x + r, y + r)
        if shape == "ellipse":
            draw.ellipse(box, fill=colour)
        elif shape == "rectangle":
            draw.rectangle(box, fill=colour)
        else:
            draw.polygon([(x, y - r), (x - r, y + r), (x + r, y + r)], fill=colour)
    return image


def encode(image: Image.Image, output_format: str, compression: int | None) -> bytes:
    buffer = io.BytesIO()
    if output_format == "jpeg":
        image.convert("RGB").save(buffer, "JPEG", quality=compression or 90)
    elif output_format == "webp":
        image.save(buffer, "WEBP", quality=compression or 90)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


# The built-in rewriter's vocabulary: a prompt's hash picks one phrase from each group.
REWRITE_PHRASES = (
    ("clean composition", "balanced composition", "centred subject", "rule-of-thirds framing"),
    ("soft studio lighting", "warm golden-hour light", "crisp daylight", "gentle rim lighting"),
    ("rich detail", "fine texture", "sharp focus", "smooth gradients"),
    ("harmonious colours", "vivid colours", "muted natural palette", "high contrast"),
)


class OfflineProvider:
    def rewrite(self, model: ModelSpec, prompt: str, *, instructions: str) -> RewriteResult:
        """Deterministic enhancement: the prompt, then a phrase from each group chosen by the prompt's hash."""
        rng = _rng(prompt, 0, 0)
        extras = [rng.choice(group) for group in REWRITE_PHRASES]
        base = prompt.strip().rstrip(".")
        return RewriteResult(text=f"{base}. {', '.join(extras).capitalize()}.")

    def generate(self, model: ModelSpec, request: GenerationRequest) -> GenerationResult:
        started = time.monotonic()
        width, height = (int(part) for part in request.size.split("x"))
        latency = model.capabilities.get("simulated_latency_ms", 0) / 1000
        if latency and request.progress:
            steps = 4
            for step in range(1, steps + 1):
                time.sleep(latency / steps)
                request.progress(ProgressEvent(percent=step * 100 // (steps + 1), message="Painting"))
        elif latency:
            time.sleep(latency)
        transparent = request.background == "transparent"
        images = [
            GeneratedImage(
                data=encode(
                    render(
                        request.prompt,
                        seed=request.seed,
                        width=width,
                        height=height,
                        transparent=transparent,
                        index=i,
                    ),
                    request.output_format,
                    request.output_compression,
                ),
                content_type=CONTENT_TYPES[request.output_format],
            )
            for i in range(request.n)
        ]
        return GenerationResult(
            images=images,
            usage=Usage(),
            cost_usd=0.0,
            vendor_request_id="",
            latency_ms=int((time.monotonic() - started) * 1000),
        )
