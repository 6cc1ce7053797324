"""Public pages' services and selectors: who the visitor is, what they may change, and whether the
builder's money allows another run (kill switch, rate limits, budgets) before one is started."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import statistics
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, DecimalField, F, Sum, When
from django.http import Http404
from django.utils import timezone

from generation import registry
from generation.models import FINISHED_STATUSES, ImageModel, Run, RunSource, RunStatus, SiteSettings
from generation.providers.base import ReferenceImage
from generation.services import RunRefusedError, run_prepare, run_start

from .experiments import assign_variant
from .models import App, AppState
from .templating import render_prompt

UNAVAILABLE_MESSAGE = "This app is being updated. Please try again later."
PAUSED_MESSAGE = "Image generation is paused on this site for now. Please try again later."
BUSY_MESSAGE = "This app has reached its limit for today. Please come back tomorrow."
# Seconds a run usually takes when there is no history yet, by quality.
DEFAULT_SECONDS = {"low": 15, "medium": 30, "high": 60}


class PublicRunRefused(Exception):
    """A visitor's run was refused before anything was saved. `status` is the HTTP status to answer."""

    def __init__(self, message: str, *, code: str, status: int, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.retry_after = retry_after


# --- Visitors ----------------------------------------------------------------------------------------


def client_ip(request) -> str:
    """REMOTE_ADDR (no proxy headers are trusted, so they cannot be forged). An IPv6 visitor counts by their
    /64 network: one home or phone holds a whole /64 and could otherwise rotate addresses to dodge limits."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def visitor_hash(ip: str) -> str:
    """A keyed hash of the IP: stable for rate limits and experiments, and no raw address is stored."""
    return hmac.new(settings.SECRET_KEY.encode(), f"visitor:{ip}".encode(), hashlib.sha256).hexdigest()


# --- Selectors ---------------------------------------------------------------------------------------


def app_for_visitor(*, slug: str, user) -> tuple[App, bool]:
    """The app behind a public link and whether this is its owner's preview of a draft. A draft is 404 for
    everyone else."""
    app = App.objects.select_related("model", "owner").filter(slug=slug).first()
    if app is None:
        raise Http404("No such app")
    if app.state == AppState.PUBLISHED:
        return app, False
    if user is not None and user.is_authenticated and user.pk == app.owner_id:
        return app, True
    raise Http404("No such app")


def app_model(app: App) -> ImageModel:
    """The model that would serve this app's next run (its own, its successor, or the site default)."""
    model = app.model or registry.site_default_model()
    try:
        return registry.serving_model(model, app.effective_params)
    except registry.ModelRefusedError:
        return model


def visitor_param_choices(app: App, model: ImageModel | None = None) -> dict[str, list]:
    """For each parameter the builder opened to visitors, the values the model can do. A parameter the
    model offers no choice for is left out."""
    caps = (model or app_model(app)).capabilities or {}
    current = app.effective_params
    available = {
        "size": list(caps.get("sizes", [])),
        "quality": list(caps.get("qualities", [])),
        "background": list(caps.get("backgrounds", [])),
        "output_format": list(caps.get("output_formats", [])),
        "n": list(range(1, int(caps.get("max_images", 1) or 1) + 1)),
    }
    # A transparent background only works with formats that carry it; the builder's fixed format decides.
    if "output_format" not in app.visitor_params and current.get("output_format") not in caps.get(
        "transparent_formats", []
    ):
        available["background"] = [b for b in available["background"] if b != "transparent"]
    choices = {}
    for name in app.visitor_params or []:
        values = available.get(name)
        if not values:
            continue
        # The builder's own value (say a custom size) stays selectable: it is what the app was made with.
        if name in current and current[name] not in values and name != "n":
            values = [current[name], *values]
        choices[name] = values
    return choices


def estimate_seconds(app: App) -> int:
    """Typical seconds per run: the median of this app's recent runs, else a figure by quality."""
    durations = [
        (finished - started).total_seconds()
        for started, finished in Run.objects.filter(app=app, status=RunStatus.SUCCEEDED, started_at__isnull=False)
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:20]
        if finished
    ]
    if durations:
        return max(1, round(statistics.median(durations)))
    model = app_model(app)
    latency = (model.capabilities or {}).get("simulated_latency_ms")
    if model.provider == "offline":
        return max(1, round((latency or 1000) / 1000))
    return DEFAULT_SECONDS.get(str(app.effective_params.get("quality")), 30)


def day_start(moment: datetime) -> datetime:
    """Midnight of the site's day (TIME_ZONE) that `moment` falls in: daily limits and budgets reset there."""
    return timezone.make_aware(datetime.combine(timezone.localdate(moment), time.min))


def generation_paused() -> bool:
    """The site-wide kill switch is on."""
    return not SiteSettings.load().generation_enabled


def spent_today(runs) -> Decimal:
    """USD of today's runs: the actual cost of finished runs, the estimate of those still working."""
    start = day_start(timezone.now())
    total = runs.filter(queued_at__gte=start).aggregate(
        total=Sum(
            Case(
                When(status__in=FINISHED_STATUSES, then=F("cost_usd")),
                default=F("estimated_cost_usd"),
                output_field=DecimalField(max_digits=12, decimal_places=6),
            )
        )
    )["total"]
    return total or Decimal(0)


def run_for_share(*, run_id) -> Run:
    run = Run.objects.select_related("app").filter(pk=run_id).first()
    if run is None or run.app is None:
        raise Http404("No such result")
    return run


# --- Services ----------------------------------------------------------------------------------------


def share_open(*, run: Run, visitor: str) -> None:
    """Count an open of a share link; the visitor who made the run opening it again is not a share."""
    if run.visitor_hash and run.visitor_hash == visitor:
        return
    Run.objects.filter(pk=run.pk).update(share_open_count=F("share_open_count") + 1)


def _window_hit(key: str, timeout: int) -> int:
    """Count one hit in a fixed window, atomically (add creates the key once, incr is atomic in Redis)."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


def _images(count: int) -> str:
    return f"{count} image" if count == 1 else f"{count} images"


def rate_limit_hit(*, app: App, visitor: str) -> None:
    """Count this submit against the visitor's per-minute and per-day limits on this app."""
    now = timezone.now()
    next_day = day_start(now) + timedelta(days=1)
    minute_key = f"public:rate:{app.pk}:{visitor}:m:{now:%Y%m%d%H%M}"
    if _window_hit(minute_key, 120) > app.rate_per_minute:
        raise PublicRunRefused(
            f"You can make {_images(app.rate_per_minute)} a minute with this app. Please wait a minute and try again.",
            code="rate_limited",
            status=429,
            retry_after=60 - now.second,
        )
    day_key = f"public:rate:{app.pk}:{visitor}:d:{timezone.localdate(now):%Y%m%d}"
    if _window_hit(day_key, 2 * 24 * 3600) > app.rate_per_day:
        raise PublicRunRefused(
            f"You have made {_images(app.rate_per_day)} with this app today, the daily limit. "
            "Please come back tomorrow.",
            code="rate_limited",
            status=429,
            retry_after=max(1, int((next_day - now).total_seconds())),
        )


def _check_budgets(*, app: App, site: SiteSettings, estimate: Decimal) -> None:
    """Refuse when today's spend plus this run's estimate would pass the app's or the site's budget. Called
    with the app row locked, so two submits cannot both squeeze under the limit."""
    spent = spent_today(Run.objects.filter(app=app))
    if spent >= app.daily_budget_usd or spent + estimate > app.daily_budget_usd:
        raise PublicRunRefused(BUSY_MESSAGE, code="app_budget", status=429)
    if site.daily_budget_usd is not None:
        site_spent = spent_today(Run.objects.all())
        if site_spent >= site.daily_budget_usd or site_spent + estimate > site.daily_budget_usd:
            raise PublicRunRefused(
                "This site has reached its limit for today. Please come back tomorrow.",
                code="site_budget",
                status=429,
            )


@dataclass(frozen=True)
class PublicSubmit:
    values: dict
    params: dict
    references: list[ReferenceImage]


def public_run_start(*, app: App, submit: PublicSubmit, visitor: str, user=None) -> Run:
    """Start a visitor's run: kill switch, then the model's checks and estimate, then rate limits, then
    budgets; raises PublicRunRefused (nothing saved) or returns the queued run."""
    site = SiteSettings.load()
    if not site.generation_enabled:
        raise PublicRunRefused(PAUSED_MESSAGE, code="generation_paused", status=503)
    if app.needs_model:
        raise PublicRunRefused(UNAVAILABLE_MESSAGE, code="model_unavailable", status=503)
    variant = assign_variant(app=app, visitor_hash=visitor)
    model = variant.model if variant else (app.model or registry.site_default_model())
    params = {**app.effective_params, **(variant.params if variant else {}), **submit.params}
    prompt = render_prompt(app.prompt_template, submit.values)
    try:
        prepared = run_prepare(model=model, prompt=prompt, params=params, reference_count=len(submit.references))
    except RunRefusedError as exc:
        if exc.code == "unsupported":
            raise PublicRunRefused(exc.message, code="unsupported", status=400) from exc
        raise PublicRunRefused(UNAVAILABLE_MESSAGE, code=exc.code, status=503) from exc
    rate_limit_hit(app=app, visitor=visitor)
    with transaction.atomic():
        App.objects.select_for_update().filter(pk=app.pk).first()
        if site.daily_budget_usd is not None:
            SiteSettings.objects.select_for_update().filter(pk=site.pk).first()
        _check_budgets(app=app, site=site, estimate=prepared.estimated_cost_usd)
        try:
            return run_start(
                model=model,
                prompt=prompt,
                params=params,
                app=app,
                inputs=submit.values,
                references=submit.references,
                user=user,
                visitor_hash=visitor,
                source=RunSource.PUBLIC,
                prepared=prepared,
                variant=variant,
            )
        except RunRefusedError as exc:
            raise PublicRunRefused(exc.message, code=exc.code, status=400) from exc
