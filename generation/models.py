"""The model registry, site settings, runs and their output images."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone


class ProviderKind(models.TextChoices):
    OPENAI_IMAGES = "openai_images", "OpenAI Images API"
    OPENAI_RESPONSES = "openai_responses", "OpenAI Responses API (image tool)"
    OFFLINE = "offline", "Offline (built in)"


class ModelState(models.TextChoices):
    AVAILABLE = "available", "Available"
    DEPRECATED = "deprecated", "Deprecated"
    RETIRED = "retired", "Retired"


class ImageModel(models.Model):
    """One model in the registry. Models are data: staff edit them in the admin, no code changes.

    `capabilities` and `pricing` are JSON documents; `generation.capabilities` and `generation.pricing`
    read them (their docstrings describe the keys).
    """

    # Vendor names carry dots (gpt-4.1-mini), so a key is a slug that may also hold dots.
    key = models.CharField(
        max_length=64,
        unique=True,
        error_messages={"unique": "A model with this key already exists."},
        validators=[
            RegexValidator(r"^[a-z0-9][a-z0-9._-]*$", "Lower-case letters, digits, dots, dashes, underscores.")
        ],
    )
    display_name = models.CharField(max_length=100)
    provider = models.CharField(max_length=32, choices=ProviderKind.choices)
    vendor_model_id = models.CharField(max_length=100, blank=True)
    snapshot_id = models.CharField(
        max_length=100,
        blank=True,
        help_text="Sent instead of the vendor id when set, for reproducible results.",
    )
    enabled = models.BooleanField(default=True)
    capabilities = models.JSONField(default=dict, blank=True)
    pricing = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    # The image model that a text model's image tool uses: always sent, never the API's moving default.
    tool_image_model = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Lifecycle: the state follows from the dates.
    deprecation_announced = models.DateField(null=True, blank=True)
    shutdown_date = models.DateField(null=True, blank=True)
    successor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors")
    lifecycle_source = models.CharField(max_length=300, blank=True)
    # Health, from check_models and from vendor answers.
    reachable = models.BooleanField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=64, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "display_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def vendor_id_to_send(self) -> str:
        return self.snapshot_id or self.vendor_model_id

    def state_on(self, day: datetime.date) -> str:
        if self.shutdown_date and day >= self.shutdown_date:
            return ModelState.RETIRED
        if self.shutdown_date or self.deprecation_announced:
            return ModelState.DEPRECATED
        return ModelState.AVAILABLE

    @property
    def state(self) -> str:
        return self.state_on(timezone.now().date())

    @property
    def is_retired(self) -> bool:
        return self.state == ModelState.RETIRED

    @property
    def days_left(self) -> int | None:
        if not self.shutdown_date:
            return None
        return (self.shutdown_date - timezone.now().date()).days


class SiteSettings(models.Model):
    """One row of site-wide settings, edited in the admin."""

    default_model = models.ForeignKey(ImageModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    generation_enabled = models.BooleanField(
        default=True, help_text="Site-wide kill switch: off refuses every new public run."
    )
    daily_budget_usd = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    prompt_model = models.ForeignKey(
        ImageModel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"provider__in": ["offline", "openai_responses"]},
        help_text="The text model that rewrites prompts for apps with prompt enhancement on. "
        "Empty: the built-in rewriter (no key needed).",
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return "Site settings"

    @classmethod
    def load(cls) -> SiteSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


FINISHED_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELED)


class RunSource(models.TextChoices):
    BUILDER_TEST = "builder_test", "Builder test"
    PUBLIC = "public", "Public page"
    COMPARE = "compare", "Comparison"
    API = "api", "API"
    CLI = "cli", "Command line"


class Run(models.Model):
    """One press of Generate. The model and vendor id are frozen at submit time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    app = models.ForeignKey("builder.App", null=True, blank=True, on_delete=models.CASCADE, related_name="runs")
    requested_model = models.ForeignKey(ImageModel, on_delete=models.PROTECT, related_name="requested_runs")
    model = models.ForeignKey(ImageModel, on_delete=models.PROTECT, related_name="runs")
    vendor_model_sent = models.CharField(max_length=100, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    prompt = models.TextField()
    enhanced_prompt = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    # Reference images uploaded for this run: storage keys, re-encoded before they are stored.
    reference_keys = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    status_message = models.CharField(max_length=300, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    # The vendor's own words, for the app's owner and staff only: they may name the model or the key.
    error_detail = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0-100")
    preview_key = models.CharField(max_length=300, blank=True)
    usage = models.JSONField(default=dict, blank=True)
    estimated_cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal("0"))
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal("0"))
    vendor_request_id = models.CharField(max_length=100, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    visitor_hash = models.CharField(max_length=64, blank=True, db_index=True)
    source = models.CharField(max_length=16, choices=RunSource.choices, default=RunSource.BUILDER_TEST)
    comparison = models.ForeignKey(
        "builder.Comparison", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    comparison_index = models.PositiveSmallIntegerField(null=True, blank=True)
    variant = models.ForeignKey(
        "builder.ExperimentVariant", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    download_count = models.PositiveIntegerField(default=0)
    share_open_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-queued_at"]
        indexes = [
            models.Index(fields=["app", "-queued_at"]),
            models.Index(fields=["status", "queued_at"]),
        ]

    def __str__(self) -> str:
        return f"Run {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def served_by_successor(self) -> bool:
        return self.model_id != self.requested_model_id


class OutputImage(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="images")
    index = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=300)
    thumb_key = models.CharField(max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveIntegerField()
    content_type = models.CharField(max_length=50)
    sha256 = models.CharField(max_length=64)
    revised_prompt = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="one_image_per_run_index")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.index}"
