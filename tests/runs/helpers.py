"""Small helpers shared by the runs tests: stored outputs without a worker, and polling with a deadline."""

from __future__ import annotations

import io

from django.utils import timezone
from PIL import Image

from generation import storage
from generation.models import OutputImage, Run, RunStatus


def png_bytes(width: int = 64, height: int = 48, colour=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def finish_with_images(run: Run, count: int = 1, **fields) -> list[OutputImage]:
    """Store `count` PNGs and their thumbnails for a run and mark it succeeded, as a worker would."""
    images = []
    for index in range(count):
        checked = storage.check_image(png_bytes(64 + index, 48))
        key = storage.save(storage.output_key(run.id, run.queued_at, index, "png"), checked.data)
        thumb = storage.save(
            storage.output_key(run.id, run.queued_at, index, "png", thumb=True), storage.make_thumbnail(checked.data)
        )
        images.append(
            OutputImage.objects.create(
                run=run,
                index=index,
                key=key,
                thumb_key=thumb,
                width=checked.width,
                height=checked.height,
                bytes=len(checked.data),
                content_type=checked.content_type,
                sha256=checked.sha256,
                revised_prompt=fields.pop("revised_prompt", ""),
            )
        )
    now = timezone.now()
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, progress=100, started_at=now, finished_at=now, **fields
    )
    run.refresh_from_db()
    return images
