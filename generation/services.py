"""Runs: start one, execute it (the one retry loop), store its outputs, recover lost ones."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from . import enhance, pricing, registry, storage
from .models import ImageModel, OutputImage, Run, RunSource, RunStatus
from .providers import get_provider
from .providers.base import GenerationRequest, ProgressEvent, ReferenceImage, Usage
from .providers.errors import BadOutputError, ModelUnavailableError, ProviderError, UnsupportedRequestError

log = logging.getLogger(__name__)

PARAM_KEYS = (
    "size",
    "quality",
    "background",
    "output_format",
    "output_compression",
    "n",
    "moderation",
    "seed",
    "partial_images",
)
QUEUE_DOWN_MESSAGE = "Waiting for a worker: the queue could not be reached. The run will start automatically."


class RunRefusedError(Exception):
    """A run that cannot start: nothing is saved and nothing is spent."""

    def __init__(self, message: str, *, code: str = "invalid", owner_message: str = "", errors=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.owner_message = owner_message or message
        self.errors = errors or [message]


@dataclass(frozen=True)
class PreparedRun:
    requested: ImageModel
    model: ImageModel
    params: dict
    estimated_cost_usd: Decimal


def run_prepare(*, model: ImageModel, prompt: str, params: dict, reference_count: int = 0) -> PreparedRun:
    """Check a run against its model before anything is saved: routing around retirement, capabilities,
    and the estimate. Raises RunRefusedError."""
    params = {k: v for k, v in params.items() if k in PARAM_KEYS and v not in (None, "")}
    try:
        serving = registry.serving_model(model, params, prompt=prompt, reference_count=reference_count)
    except registry.ModelRefusedError as exc:
        raise RunRefusedError(exc.visitor_message, code=exc.code, owner_message=exc.owner_message) from exc
    # Live previews are a preference, not a requirement: kept only where the model streams them (0 to 3).
    if serving.capabilities.get("streaming") and params.get("partial_images"):
        params["partial_images"] = max(0, min(int(params["partial_images"]), 3))
    else:
        params.pop("partial_images", None)
    if not registry.is_usable(serving):
        raise RunRefusedError(
            "Image generation is not set up for this model.",
            code="not_configured",
            owner_message=f"{serving.display_name} needs OPENAI_API_KEY on the server.",
        )
    errors = registry.fit_errors(serving, params, prompt=prompt, reference_count=reference_count)
    if errors:
        raise RunRefusedError(" ".join(errors), code="unsupported", errors=errors)
    estimate = pricing.estimate_run(registry.spec_for(serving), params, prompt=prompt)
    return PreparedRun(model, serving, params, estimate)


def run_start(
    *,
    model: ImageModel,
    prompt: str,
    params: dict,
    app=None,
    inputs: dict | None = None,
    references: list[ReferenceImage] | None = None,
    user=None,
    visitor_hash: str = "",
    source: str = RunSource.BUILDER_TEST,
    prepared: PreparedRun | None = None,
    **links,
) -> Run:
    """Validate, save and enqueue a run (after the transaction commits). `links` may set comparison,
    comparison_index or variant. Raises RunRefusedError with nothing saved."""
    references = references or []
    prepared = prepared or run_prepare(model=model, prompt=prompt, params=params, reference_count=len(references))
    with transaction.atomic():
        run = Run.objects.create(
            app=app,
            requested_model=prepared.requested,
            model=prepared.model,
            vendor_model_sent=registry.spec_for(prepared.model).vendor_id,
            inputs=inputs or {},
            prompt=prompt,
            params=prepared.params,
            estimated_cost_usd=prepared.estimated_cost_usd,
            user=user if user is not None and user.is_authenticated else None,
            visitor_hash=visitor_hash,
            source=source,
            **links,
        )
        if references:
            keys = []
            for i, ref in enumerate(references):
                checked = storage.check_image(ref.data)
                keys.append(storage.save(f"runs/{run.queued_at:%Y/%m}/{run.id}/ref-{i}.{checked.format}", ref.data))
            run.reference_keys = keys
            run.save(update_fields=["reference_keys"])
        transaction.on_commit(lambda: run_enqueue(run_id=run.id))
    return run


def run_enqueue(*, run_id) -> bool:
    """Hand a run to the queue. A broker that is down leaves the run queued with a message (never an error
    for the visitor); the recovery job enqueues it again once the broker answers."""
    from .tasks import execute_run

    try:
        execute_run.apply_async(args=[str(run_id)], retry=False)
    except Exception as exc:  # kombu raises several types for an unreachable broker
        log.warning("Could not enqueue run %s: %s", run_id, exc)
        Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(status_message=QUEUE_DOWN_MESSAGE)
        return False
    return True


def _claim(run_id) -> bool:
    """Exactly one worker owns a run: the one whose update matched; a duplicate delivery matches nothing.
    A run whose worker died (running, silent past the deadline) may be claimed again while it has attempts
    left, so a re-delivered message finishes it."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.RUN_RUNNING_DEADLINE_SECONDS)
    claimed = Run.objects.filter(
        Q(status=RunStatus.QUEUED)
        | Q(status=RunStatus.RUNNING, heartbeat_at__lt=stale, attempts__lt=settings.RUN_MAX_ATTEMPTS),
        pk=run_id,
    ).update(
        status=RunStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,  # the claim starts the first attempt: one query fewer per run
        status_message="Generating",
    )
    return claimed == 1


# Storage and image work (S3 transfers, Pillow) runs on a few shared threads, not on each of the hundred
# threads that wait on vendors: django-storages keeps a boto3 resource per thread (about 15 MB each), and
# Pillow's work is CPU that more threads cannot speed up. bench/README.md has the measurements.
STORAGE_THREADS = 4
_storage_lock = threading.Lock()
_storage_executor: tuple[int, ThreadPoolExecutor] | None = None


def _storage_threads() -> ThreadPoolExecutor:
    global _storage_executor
    with _storage_lock:
        if _storage_executor is None or _storage_executor[0] != os.getpid():  # a fork gets its own threads
            _storage_executor = (os.getpid(), ThreadPoolExecutor(STORAGE_THREADS, thread_name_prefix="storage"))
        return _storage_executor[1]


def _on_storage_thread(fn, *args):
    """Run fn(*args) on the worker's storage threads and wait for its result (exceptions pass through)."""
    return _storage_threads().submit(fn, *args).result()


def _save_thumbnail(key: str, data: bytes) -> str:
    return storage.save(key, storage.make_thumbnail(data))


def _save_preview(run: Run, data: bytes) -> str:
    checked = storage.check_image(data)
    return storage.save(f"runs/{run.queued_at:%Y/%m}/{run.id}/preview.{checked.format}", data)


def _read_reference(key: str) -> ReferenceImage:
    data = storage.read(key)
    checked = storage.check_image(data)
    return ReferenceImage(data, checked.content_type, key.rsplit("/", 1)[-1])


def _progress_callback(run: Run):
    def report(event: ProgressEvent) -> None:
        fields = {"progress": max(0, min(event.percent, 99)), "heartbeat_at": timezone.now()}
        if event.message:
            fields["status_message"] = event.message[:300]
        if event.partial_image:
            with contextlib.suppress(storage.NotAnImageError):  # a bad preview is skipped, not fatal
                fields["preview_key"] = _on_storage_thread(_save_preview, run, event.partial_image)
        Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(**fields)
        connection.close()

    return report


def _request_for(run: Run) -> GenerationRequest:
    references = [_on_storage_thread(_read_reference, key) for key in run.reference_keys]
    p = run.params
    return GenerationRequest(
        prompt=run.enhanced_prompt or run.prompt,
        size=p.get("size", "1024x1024"),
        quality=p.get("quality", "medium"),
        background=p.get("background", "auto"),
        output_format=p.get("output_format", "png"),
        output_compression=p.get("output_compression"),
        n=int(p.get("n", 1)),
        references=references,
        moderation=p.get("moderation", "auto"),
        end_user_id=run.visitor_hash or (f"user-{run.user_id}" if run.user_id else ""),
        seed=int(p.get("seed", 0)),
        partial_images=int(p.get("partial_images", 0)),
        progress=_progress_callback(run),
    )


def backoff_seconds(attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, capped; a server's Retry-After is honoured as the floor."""
    ceiling = min(settings.RUN_RETRY_MAX_SECONDS, settings.RUN_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.RUN_RETRY_MAX_SECONDS))
    return delay


def run_execute(*, run_id) -> None:
    """Execute a queued run once. Safe under duplicate delivery: only the claiming worker proceeds. Every
    claimed run ends succeeded or failed; only a database outage can leave it running, for recovery."""
    if not _claim(run_id):
        return
    run = Run.objects.select_related("app", "model", "model__tool_image_model").get(pk=run_id)
    try:
        _execute_claimed(run)
    except Exception:
        log.exception("Run %s failed unexpectedly", run_id)
        _fail(run, "internal", "Something went wrong while making the image. Please try again.")
    finally:
        connection.close()


def _execute_claimed(run: Run) -> None:
    """The one retry loop: retryable provider errors are tried again with backoff (Retry-After honoured) up
    to RUN_MAX_ATTEMPTS; anything else fails the run at once with the message mapped for visitors."""
    try:
        _route_around_retirement(run)
    except registry.ModelRefusedError as exc:
        _fail(run, exc.code, exc.visitor_message, detail=exc.owner_message)
        return
    if run.app_id and run.app.enhance_prompt and not run.enhanced_prompt:
        _enhance(run)
    provider = get_provider(run.model.provider)
    spec = registry.spec_for(run.model)
    request = _request_for(run)
    while True:
        connection.close()  # the call is pure waiting: hold no database connection through it
        try:
            result = provider.generate(spec, request)
            _record_success(run, result, _save_outputs(run, result))
            return
        except ProviderError as exc:
            log.info("Run %s attempt %s: %s (%s) %s", run.pk, run.attempts, exc.code, exc.vendor_code, exc.message)
            if isinstance(exc, ModelUnavailableError):
                ImageModel.objects.filter(pk=run.model_id).update(
                    reachable=False, last_error_code=exc.code, last_error_at=timezone.now()
                )
            if exc.retryable and run.attempts < settings.RUN_MAX_ATTEMPTS:
                delay = backoff_seconds(run.attempts, exc.retry_after)
                Run.objects.filter(pk=run.pk).update(
                    status_message=f"The image service is busy; trying again in {delay:.0f} s",
                    retry_at=timezone.now() + timedelta(seconds=delay),
                    heartbeat_at=timezone.now(),
                )
                connection.close()
                time.sleep(delay)
                Run.objects.filter(pk=run.pk).update(
                    attempts=F("attempts") + 1, heartbeat_at=timezone.now(), status_message="Generating"
                )
                run.attempts += 1
                continue
            # The vendor's own text may name the model or the key: visitors get the mapped message; the owner
            # and staff see the vendor's words in error_detail.
            message = exc.user_message
            if exc.retryable:
                message = f"{exc.user_message} (gave up after {run.attempts} attempts)"
            detail = exc.message if exc.message != exc.user_message else ""
            _fail(run, exc.code, message, detail=detail)
            return


def _enhance(run: Run) -> None:
    """Rewrite the run's prompt with the site's text model before generating (the app asked for it). Kept
    on the run, so a retried or re-delivered run does not pay for it twice."""
    Run.objects.filter(pk=run.pk).update(status_message="Enhancing the prompt", heartbeat_at=timezone.now())
    connection.close()
    enhancement = enhance.prompt_enhance(prompt=run.prompt)
    if enhancement is None:
        return
    run.enhanced_prompt = enhancement.prompt
    run.cost_usd = enhancement.cost_usd
    run.usage = {**(run.usage or {}), "enhancement": enhancement.usage}
    Run.objects.filter(pk=run.pk).update(
        enhanced_prompt=run.enhanced_prompt, cost_usd=run.cost_usd, usage=run.usage, heartbeat_at=timezone.now()
    )


def _route_around_retirement(run: Run) -> None:
    """A run queued before its model's shutdown date and executed after it (a backlog, a recovery) is served
    by the successor, exactly as at submit: a retired vendor id is never sent. Raises ModelRefusedError."""
    serving = registry.serving_model(run.model, run.params, prompt=run.prompt, reference_count=len(run.reference_keys))
    if serving.pk != run.model_id:
        run.model = serving
        run.vendor_model_sent = registry.spec_for(serving).vendor_id
        Run.objects.filter(pk=run.pk).update(model=serving, vendor_model_sent=run.vendor_model_sent)


def _fail(run: Run, code: str, message: str, *, detail: str = "") -> None:
    Run.objects.filter(pk=run.pk).exclude(status__in=[RunStatus.SUCCEEDED, RunStatus.CANCELED]).update(
        status=RunStatus.FAILED,
        error_code=code,
        error_message=message[:2000],
        error_detail=detail[:4000],
        status_message="",
        finished_at=timezone.now(),
    )


def _save_outputs(run: Run, result) -> list[OutputImage]:
    """Verify every image first (garbage fails the run with nothing stored), then write originals and
    thumbnails side by side on the storage threads, at deterministic keys (a run executed again replaces
    its files). No database here."""
    try:
        checked = [storage.check_image(image.data) for image in result.images]
        if not checked:
            raise storage.NotAnImageError("no images in the answer")
    except storage.NotAnImageError as exc:
        raise BadOutputError(f"The image service returned an unreadable image ({exc}).") from exc
    threads = _storage_threads()
    writes = [
        (
            threads.submit(storage.save, storage.output_key(run.id, run.queued_at, index, ok.format), ok.data),
            threads.submit(
                _save_thumbnail, storage.output_key(run.id, run.queued_at, index, ok.format, thumb=True), ok.data
            ),
        )
        for index, ok in enumerate(checked)
    ]
    return [
        OutputImage(
            run=run,
            index=index,
            key=original.result(),
            thumb_key=thumb.result(),
            width=ok.width,
            height=ok.height,
            bytes=len(ok.data),
            content_type=ok.content_type,
            sha256=ok.sha256,
            revised_prompt=image.revised_prompt or "",
        )
        for index, (image, ok, (original, thumb)) in enumerate(zip(result.images, checked, writes, strict=True))
    ]


def _record_success(run: Run, result, images: list[OutputImage]) -> None:
    # One upsert: a run executed again after a crash replaces its rows instead of adding to them.
    OutputImage.objects.bulk_create(
        images,
        update_conflicts=True,
        unique_fields=["run", "index"],
        update_fields=["key", "thumb_key", "width", "height", "bytes", "content_type", "sha256", "revised_prompt"],
    )
    spec = registry.spec_for(run.model)
    usage = result.usage if isinstance(result.usage, Usage) else Usage.from_dict(result.usage)
    Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        status=RunStatus.SUCCEEDED,
        status_message="",
        progress=100,
        usage={**usage.as_dict(), **({"enhancement": run.usage["enhancement"]} if "enhancement" in run.usage else {})},
        cost_usd=(run.cost_usd or 0) + pricing.cost_from_usage(spec, usage),
        vendor_request_id=result.vendor_request_id[:100],
        latency_ms=result.latency_ms,
        finished_at=timezone.now(),
    )


def run_cancel(*, run: Run) -> bool:
    return bool(
        Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
            status=RunStatus.CANCELED, finished_at=timezone.now(), status_message=""
        )
    )


def run_download_record(*, run_id) -> None:
    """Count a download of a run's image (atomically: concurrent downloads are all counted)."""
    Run.objects.filter(pk=run_id).update(download_count=F("download_count") + 1)


def runs_recover() -> dict:
    """The periodic safety net (every 30 s, appaca/celery.py).

    - Queued runs the broker never took (it was down at submit) are enqueued again at once; runs left
      queued past RUN_QUEUED_DEADLINE_SECONDS (a lost message) are enqueued again, at most once per deadline
      (heartbeat_at records the last re-enqueue, so a long backlog is not multiplied).
    - Running runs silent past RUN_RUNNING_DEADLINE_SECONDS (their worker died) go back to the queue while
      they have attempts left, and fail with a clear message otherwise.
    """
    now = timezone.now()
    queued_deadline = now - timedelta(seconds=settings.RUN_QUEUED_DEADLINE_SECONDS)
    running_deadline = now - timedelta(seconds=settings.RUN_RUNNING_DEADLINE_SECONDS)
    lost = Q(queued_at__lt=queued_deadline) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=queued_deadline))
    queued_ids = list(
        Run.objects.filter(Q(status_message=QUEUE_DOWN_MESSAGE) | lost, status=RunStatus.QUEUED)
        .order_by("queued_at")
        .values_list("pk", flat=True)[:500]
    )
    stuck = Run.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=running_deadline)
    retry_ids = list(stuck.filter(attempts__lt=settings.RUN_MAX_ATTEMPTS).values_list("pk", flat=True)[:500])
    retried = Run.objects.filter(pk__in=retry_ids, status=RunStatus.RUNNING, heartbeat_at__lt=running_deadline).update(
        status=RunStatus.QUEUED, status_message="Restarting after a worker stopped"
    )
    failed = stuck.filter(attempts__gte=settings.RUN_MAX_ATTEMPTS).update(
        status=RunStatus.FAILED,
        error_code="stuck",
        error_message="The run stopped responding and was given up. Please try again.",
        status_message="",
        finished_at=now,
    )
    requeued = 0
    for run_id in [*queued_ids, *retry_ids]:
        if run_enqueue(run_id=run_id):
            requeued += 1
            Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
                heartbeat_at=timezone.now(),
                status_message=Case(
                    When(status_message=QUEUE_DOWN_MESSAGE, then=Value("")), default=F("status_message")
                ),
            )
        else:
            break  # the broker is down: the rest wait for the next round
    return {"requeued": requeued, "retried": retried, "failed": failed}


__all__ = [
    "PreparedRun",
    "RunRefusedError",
    "UnsupportedRequestError",
    "run_cancel",
    "run_download_record",
    "run_enqueue",
    "run_execute",
    "run_prepare",
    "run_start",
    "runs_recover",
]
