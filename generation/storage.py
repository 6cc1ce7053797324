"""Output images: verified with Pillow, stored through Django's storage API, with WebP thumbnails."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

THUMB_EDGE = 384
FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpeg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}


class NotAnImageError(ValueError):
    pass


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    format: str  # png, jpeg, webp
    content_type: str
    width: int
    height: int
    sha256: str


def check_image(data: bytes, *, max_pixels: int | None = None) -> CheckedImage:
    """Open and verify bytes as PNG, JPEG or WebP; raise NotAnImageError for anything else."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if max_pixels and width * height > max_pixels:
                raise NotAnImageError(f"The image has {width * height:,} pixels; the limit is {max_pixels:,}.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() misses truncated pixel data; loading catches it
    except NotAnImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImageError(f"Not a readable image: {exc}") from exc
    if fmt not in FORMATS:
        raise NotAnImageError(f"Unsupported image type {fmt}.")
    name, content_type = FORMATS[fmt]
    return CheckedImage(data, name, content_type, width, height, hashlib.sha256(data).hexdigest())


def make_thumbnail(data: bytes, edge: int = THUMB_EDGE) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", quality=80, method=4)
        return buffer.getvalue()


def output_key(run_id, queued_at, index: int, fmt: str, *, thumb: bool = False) -> str:
    prefix = f"runs/{queued_at:%Y/%m}/{run_id}/"
    return prefix + (f"{index}.thumb.webp" if thumb else f"{index}.{EXTENSIONS[fmt]}")


def save(key: str, data: bytes) -> str:
    """Write bytes at exactly this key (deterministic keys make a retried write replace itself)."""
    return default_storage.save(key, ContentFile(data))


def read(key: str) -> bytes:
    with default_storage.open(key, "rb") as handle:
        return handle.read()


def is_remote() -> bool:
    """True when the storage hands out URLs of its own (S3); local files are streamed by our views."""
    return hasattr(default_storage, "bucket_name")


def presigned_url(key: str, *, filename: str | None = None) -> str:
    params = {"ResponseContentDisposition": f'attachment; filename="{filename}"'} if filename else None
    return default_storage.url(key, parameters=params) if params else default_storage.url(key)
