"""Small helpers for the public-page tests: image bytes of every kind a visitor might upload."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(fmt: str = "PNG", size=(64, 48), colour=(200, 40, 40), **save) -> bytes:
    buffer = io.BytesIO()
    mode = "P" if fmt == "GIF" else "RGB"
    Image.new(mode, size, colour if mode == "RGB" else 1).save(buffer, fmt, **save)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG that claims billions of pixels: a decompression bomb if anything tried to decode it."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = zlib.compress(row * 64, 9)  # a few rows are enough: the header is what makes it a bomb
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def flat_png(width: int, height: int) -> bytes:
    """A real, fully decodable PNG of one colour: small on disk, large in pixels."""
    return image_bytes("PNG", size=(width, height), colour=(10, 120, 200), optimize=True)


def generate(client, app, ip: str = "203.0.113.7", **headers):
    """A visitor at `ip` presses Generate on the app's page (a plain POST)."""
    return client.post(f"/a/{app.slug}/", {"subject": "a fox"}, REMOTE_ADDR=ip, headers=headers)
