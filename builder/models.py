"""Image apps, their input fields, model switches, comparisons and experiments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from generation.models import ImageModel

# Parameters an app fixes by default and may open to visitors.
PARAM_NAMES = ("size", "quality", "background", "output_format", "n")
DEFAULT_PARAMS = {
    "size": "1024x1024",
    "quality": "medium",
    "background": "auto",
    "output_format": "png",
    "n": 1,
}


class AppState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class App(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="apps")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    cover = models.ImageField(upload_to="covers/", blank=True)
    state = models.CharField(max_length=16, choices=AppState.choices, default=AppState.DRAFT)
    model = models.ForeignKey(
        ImageModel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="apps",
        help_text="Empty means the site default model.",
    )
    # Set when the app's model was disabled or retired with nothing that fits: runs are refused until an
    # owner or staff member chooses a model.
    needs_model = models.BooleanField(default=False)
    prompt_template = models.TextField()
    params = models.JSONField(default=dict, blank=True)
    visitor_params = models.JSONField(default=list, blank=True, help_text="Parameter names a visitor may change.")
    sample_inputs = models.JSONField(default=dict, blank=True)
    enhance_prompt = models.BooleanField(default=False)
    daily_budget_usd = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("5"))
    rate_per_minute = models.PositiveIntegerField(default=settings.PUBLIC_RATE_PER_MINUTE)
    rate_per_day = models.PositiveIntegerField(default=settings.PUBLIC_RATE_PER_DAY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.state == AppState.PUBLISHED

    def get_absolute_url(self) -> str:
        return reverse("builder:app_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("public:app", args=[self.slug])

    @property
    def effective_params(self) -> dict:
        return {**DEFAULT_PARAMS, **(self.params or {})}


class FieldType(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    SELECT = "select", "Select"
    NUMBER = "number", "Number"
    CHECKBOX = "checkbox", "Checkbox"
    IMAGE = "image", "Reference image upload"


class Field(models.Model):
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="fields")
    order = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=16, choices=FieldType.choices, default=FieldType.SHORT_TEXT)
    required = models.BooleanField(default=True)
    default = models.CharField(max_length=500, blank=True)
    help_text = models.CharField(max_length=200, blank=True)
    options = models.JSONField(default=list, blank=True, help_text="Choices of a select field.")
    max_length = models.PositiveIntegerField(null=True, blank=True)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["app", "key"], name="unique_field_key_per_app")]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.key}"


class SwitchKind(models.TextChoices):
    APP = "app", "One app"
    BULK = "bulk", "Bulk action"
    SITE_DEFAULT = "site_default", "Site default"
    DISABLE_FALLBACK = "disable_fallback", "Model disabled"
    SUCCESSOR = "successor", "Moved to successor"
    VARIANT = "variant", "Comparison or experiment winner"


class ModelSwitch(models.Model):
    """Audit entry: who switched which app (or the site default) from what to what, and why."""

    app = models.ForeignKey(App, null=True, blank=True, on_delete=models.CASCADE, related_name="switches")
    kind = models.CharField(max_length=20, choices=SwitchKind.choices, default=SwitchKind.APP)
    from_model = models.ForeignKey(ImageModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_model = models.ForeignKey(ImageModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "model switches"

    def __str__(self) -> str:
        return f"{self.from_model} -> {self.to_model}"


class Comparison(models.Model):
    """A side-by-side run of 2 to 4 variants (model + parameters) on the same inputs."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="comparisons")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    inputs = models.JSONField(default=dict, blank=True)
    # [{"model": key, "params": {...}}, ...]
    variants = models.JSONField(default=list)
    estimated_cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Comparison {self.pk} of {self.app}"


class ExperimentState(models.TextChoices):
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"


class Experiment(models.Model):
    """Live traffic split between variants on a published app's public page."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="experiments")
    state = models.CharField(max_length=16, choices=ExperimentState.choices, default=ExperimentState.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    winner = models.ForeignKey("ExperimentVariant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["app"], condition=models.Q(state="running"), name="one_running_experiment_per_app"
            )
        ]

    def __str__(self) -> str:
        return f"Experiment {self.pk} on {self.app}"


class ExperimentVariant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(max_length=8)
    model = models.ForeignKey(ImageModel, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    weight = models.PositiveSmallIntegerField(default=50)

    class Meta:
        ordering = ["experiment", "label"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "label"], name="unique_variant_label_per_experiment")
        ]

    def __str__(self) -> str:
        return f"Variant {self.label}"


class Vote(models.Model):
    """A visitor's thumbs up or down on one run: one per run."""

    run = models.OneToOneField("generation.Run", on_delete=models.CASCADE, related_name="vote")
    up = models.BooleanField()
    visitor_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{'Up' if self.up else 'Down'} on {self.run_id}"
