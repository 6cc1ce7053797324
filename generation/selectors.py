"""Reads of runs and their outputs, for the status fragment, the JSON status and the image URLs."""

from __future__ import annotations

from django.urls import reverse

from .models import OutputImage, Run


def run_get(*, run_id) -> Run | None:
    """A run with what its status fragment shows (images prefetched), or None."""
    return Run.objects.prefetch_related("images").filter(pk=run_id).first()


def run_image_get(*, run_id, index: int) -> OutputImage | None:
    return OutputImage.objects.select_related("run").filter(run_id=run_id, index=index).first()


def run_preview_key(*, run_id) -> str:
    """The storage key of a running run's latest partial image, or ''."""
    return Run.objects.filter(pk=run_id).values_list("preview_key", flat=True).first() or ""


def run_status_data(*, run: Run) -> dict:
    """The JSON status of a run. It names no model: public visitors are not told which model served them."""
    return {
        "id": str(run.id),
        "status": run.status,
        "progress": run.progress,
        "message": run.status_message,
        "error": {"code": run.error_code, "message": run.error_message},
        "images": [
            {
                "index": image.index,
                "url": reverse("generation:image", args=[run.id, image.index]),
                "thumb_url": reverse("generation:thumb", args=[run.id, image.index]),
                "width": image.width,
                "height": image.height,
            }
            for image in run.images.all()
        ],
    }
