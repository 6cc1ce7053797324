"""Reference-image uploads: only PNG, JPEG and WebP within size and pixel limits, verified with Pillow and
re-encoded to a clean PNG (metadata stripped) before anything is stored or sent to a provider."""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from generation.providers.base import ReferenceImage
from generation.storage import FORMATS, NotAnImageError, check_image

ACCEPT = "image/png,image/jpeg,image/webp"
UNREADABLE = "This file is not a readable PNG, JPEG or WebP image."
BOMB = "This image is too large to open safely."


class UploadRefusedError(ValueError):
    """A file a visitor may not use; the message says why in words they can act on."""


def upload_check(uploaded) -> ReferenceImage:
    """Check an uploaded file and return it re-encoded as PNG. Raises UploadRefusedError."""
    limit = settings.UPLOAD_MAX_BYTES
    too_big = f"The file is larger than {limit / (1024 * 1024):g} MB. Please choose a smaller image."
    if uploaded.size is None or uploaded.size > limit:
        raise UploadRefusedError(too_big)
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise UploadRefusedError(too_big)
    if not data:
        raise UploadRefusedError("The file is empty.")
    max_pixels = settings.UPLOAD_MAX_PIXELS
    # Pillow's own bomb guard warns first and raises later; here a warning is a refusal too.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # The header alone gives the type and the dimensions: refuse before decoding a single pixel.
            with Image.open(io.BytesIO(data)) as probe:
                fmt, (width, height) = probe.format, probe.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadRefusedError(BOMB) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise UploadRefusedError(UNREADABLE) from exc
        if fmt not in FORMATS:
            raise UploadRefusedError(f"Only PNG, JPEG and WebP images are accepted (this one is {fmt}).")
        if width * height > max_pixels:
            raise UploadRefusedError(
                f"The image is {width} × {height}; at most {max_pixels:,} pixels are accepted. "
                "Please choose a smaller image."
            )
        try:
            check_image(data, max_pixels=max_pixels)  # verify() plus a full decode: truncated files fail here
            clean = _reencode(data)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadRefusedError(BOMB) from exc
        except (NotAnImageError, OSError, ValueError) as exc:
            raise UploadRefusedError(UNREADABLE) from exc
    stem = (uploaded.name or "reference").rsplit(".", 1)[0][:60] or "reference"
    return ReferenceImage(clean, "image/png", f"{stem}.png")


def _reencode(data: bytes) -> bytes:
    """A fresh PNG of the pixels only: the camera's rotation applied, EXIF, ICC and text chunks dropped."""
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        return buffer.getvalue()
