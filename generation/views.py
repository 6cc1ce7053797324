"""Run status (htmx fragment, JSON or a small page) and output images through stable URLs.

Pages only ever link to these URLs; an image URL redirects to a fresh presigned URL (S3) or streams the
file (local storage), so a page or share link never holds an address that expires.
"""

import mimetypes

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors, services, storage

STOP_POLLING = 286  # htmx stops an `every` trigger on this status (django_htmx's HttpResponseStopPolling)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@require_GET
@never_cache
def run_status(request, run_id):
    run = selectors.run_get(run_id=run_id)
    if run is None:
        raise Http404("No such run.")
    if request.htmx:
        response = render(request, "generation/partials/run_status.html", {"run": run})
        if run.is_finished:
            response.status_code = STOP_POLLING
        return response
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(selectors.run_status_data(run=run))
    return render(request, "generation/run_status.html", {"run": run})


def _serve(key: str, content_type: str, filename: str, *, download: bool):
    """S3: a redirect to a fresh presigned URL (cached by the browser for well under its lifetime, except
    downloads, which are counted). Local storage: the file itself."""
    if storage.is_remote():
        response = HttpResponseRedirect(storage.presigned_url(key, filename=filename if download else None))
        max_age = 0 if download else min(300, settings.AWS_PRESIGNED_EXPIRY // 3)
        response["Cache-Control"] = f"private, max-age={max_age}"
        return response
    try:
        handle = default_storage.open(key, "rb")
    except FileNotFoundError as exc:
        raise Http404("No such image.") from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=download, filename=filename)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def image_original(request, run_id, index):
    image = selectors.run_image_get(run_id=run_id, index=index)
    if image is None:
        raise Http404("No such image.")
    download = request.GET.get("download") == "1"
    if download:
        services.run_download_record(run_id=run_id)
    filename = f"appaca-{str(run_id)[:8]}-{index}.{image.key.rsplit('.', 1)[-1]}"
    return _serve(image.key, image.content_type, filename, download=download)


@require_GET
def image_thumb(request, run_id, index):
    image = selectors.run_image_get(run_id=run_id, index=index)
    if image is None:
        raise Http404("No such image.")
    filename = f"appaca-{str(run_id)[:8]}-{index}-thumb.webp"
    return _serve(image.thumb_key, "image/webp", filename, download=request.GET.get("download") == "1")


@require_GET
@never_cache
def image_preview(request, run_id):
    key = selectors.run_preview_key(run_id=run_id)
    if not key:
        raise Http404("No preview.")
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    return _serve(key, content_type, key.rsplit("/", 1)[-1], download=False)
