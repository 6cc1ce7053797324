"""Staff's admin for the model registry, site settings and runs.

Disabling a model, moving apps to a successor and changing the site default switch apps: those go through
`builder.switching` (capability-checked and audited), the one place that knows about apps.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from builder.admin import count_of, message_switch_report
from builder.switching import (
    SwitchReport,
    models_disable,
    models_enable,
    models_move_to_successor,
    site_default_misfits,
    site_default_set,
)

from .admin_forms import ImageModelForm, SiteSettingsForm
from .models import ImageModel, ModelState, OutputImage, Run, RunStatus, SiteSettings
from .registry import is_usable, site_default_model


def message_disable_report(request, models: list[ImageModel], report: SwitchReport) -> None:
    names = ", ".join(m.display_name for m in models)
    messages.success(request, f"Disabled {names}.")
    default = SiteSettings.load().default_model
    if default is not None and default.pk in {m.pk for m in models}:
        messages.warning(
            request,
            f"{default.display_name} was the site default: choose another in Site settings "
            f"({site_default_model().display_name} serves until then).",
        )
    if report.switched:
        target = report.switched[0].model.display_name
        listed = ", ".join(app.name for app in report.switched)
        moved = count_of(len(report.switched), "app")
        messages.success(request, f"Moved {moved} to the site default {target}: {listed}.")
    for app, errors in report.refused:
        messages.warning(
            request,
            f"{app.name} has no model that fits and refuses new runs until someone chooses a model: "
            + " ".join(errors),
        )


@admin.register(ImageModel)
class ImageModelAdmin(admin.ModelAdmin):
    form = ImageModelForm
    list_display = (
        "key",
        "display_name",
        "provider",
        "state_column",
        "enabled",
        "snapshot_id",
        "reachable",
        "app_count",
    )
    list_filter = ("enabled", "provider")
    search_fields = ("key", "display_name", "vendor_model_id", "snapshot_id")
    actions = ["enable_models", "disable_models", "move_apps_to_successor"]
    readonly_fields = ("state_column", "app_count", "reachable", "last_checked_at", "last_error_code", "last_error_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("key", "display_name"),
                    ("provider", "enabled"),
                    "vendor_model_id",
                    "snapshot_id",
                    "tool_image_model",
                    "sort_order",
                    "notes",
                    "app_count",
                )
            },
        ),
        ("Capabilities and prices (JSON)", {"fields": ("capabilities", "pricing")}),
        (
            "Lifecycle",
            {
                "fields": (
                    "state_column",
                    "deprecation_announced",
                    "shutdown_date",
                    "successor",
                    "lifecycle_source",
                )
            },
        ),
        ("Health", {"fields": ("reachable", "last_checked_at", "last_error_code", "last_error_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(app_count=Count("apps"))

    def get_readonly_fields(self, request, obj=None):
        # Comparisons and seeds refer to models by key: it is fixed once the model exists.
        return (*self.readonly_fields, "key") if obj else self.readonly_fields

    @admin.display(description="State")
    def state_column(self, model):
        state = model.state
        if state == ModelState.DEPRECATED and model.days_left is not None:
            return f"Deprecated, {model.days_left} days left (shuts down {model.shutdown_date:%Y-%m-%d})"
        if state == ModelState.RETIRED:
            return f"Retired on {model.shutdown_date:%Y-%m-%d}"
        return ModelState(state).label

    @admin.display(description="Apps", ordering="app_count")
    def app_count(self, model):
        if not model.pk:
            return 0
        url = reverse("admin:builder_app_changelist") + f"?model__id__exact={model.pk}"
        return format_html('<a href="{}">{}</a>', url, model.app_count)

    def save_model(self, request, obj, form, change):
        toggled = change and "enabled" in form.changed_data
        disabling = toggled and not obj.enabled
        if disabling:
            obj.enabled = True  # models_disable turns it off and moves its apps, in one place
        super().save_model(request, obj, form, change)
        if disabling:
            message_disable_report(request, [obj], models_disable(models=[obj], by=request.user))
        elif toggled:
            self._message_enabled(request, models_enable(models=[obj]))

    def _message_enabled(self, request, unflagged: int) -> None:
        if unflagged:
            waiting = count_of(unflagged, "app")
            messages.success(request, f"{waiting} that waited for a model can take runs again.")

    @admin.action(description="Enable selected models")
    def enable_models(self, request, queryset):
        models = list(queryset)
        unflagged = models_enable(models=models)
        messages.success(request, f"Enabled {', '.join(m.display_name for m in models)}.")
        self._message_enabled(request, unflagged)

    @admin.action(description="Disable selected models (apps move to the site default where they fit)")
    def disable_models(self, request, queryset):
        models = list(queryset.filter(enabled=True))
        if not models:
            messages.info(request, "The selected models were already disabled.")
            return
        message_disable_report(request, models, models_disable(models=models, by=request.user))

    @admin.action(description="Move their apps to the successor")
    def move_apps_to_successor(self, request, queryset):
        report = models_move_to_successor(models=list(queryset), by=request.user)
        message_switch_report(request, report, to="their successors", refused_note="was not moved")


# --- Site settings: one row ----------------------------------------------------------------------------


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    form = SiteSettingsForm
    fields = ("default_model", "switch_reason", "generation_enabled", "daily_budget_usd", "prompt_model")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row = SiteSettings.load()
        return HttpResponseRedirect(reverse("admin:generation_sitesettings_change", args=[row.pk]))

    def save_model(self, request, obj, form, change):
        changing_default = "default_model" in form.changed_data
        new_default = obj.default_model
        if changing_default:
            obj.default_model = SiteSettings.objects.get(pk=obj.pk).default_model
        super().save_model(request, obj, form, change)
        if changing_default:
            site_default_set(model=new_default, by=request.user, reason=form.cleaned_data.get("switch_reason", ""))
            obj.default_model = new_default
            if new_default is not None and not is_usable(new_default):
                messages.warning(
                    request,
                    f"{new_default.display_name} needs OPENAI_API_KEY on the server: until it is set, "
                    f"{site_default_model().display_name} serves apps that follow the site default.",
                )
            if new_default is not None:
                for app, errors in site_default_misfits(new_default):
                    messages.warning(
                        request, f"{app.name} follows the site default, which cannot run it: {' '.join(errors)}"
                    )


# --- Runs: read-only -----------------------------------------------------------------------------------


def thumbnail(run_id, index: int, size: int = 96) -> str:
    """Our own thumbnail URL (it redirects to storage): never a presigned URL in the page."""
    url = reverse("generation:thumb", args=[run_id, index])
    return format_html(
        '<img src="{}" alt="Output {}" width="{}" height="{}" loading="lazy" style="object-fit:contain">',
        url,
        index,
        size,
        size,
    )


class OutputImageInline(admin.TabularInline):
    model = OutputImage
    extra = 0
    can_delete = False
    fields = ("preview", "index", "width", "height", "bytes", "content_type", "revised_prompt")
    readonly_fields = fields

    @admin.display(description="Image")
    def preview(self, image):
        return thumbnail(image.run_id, image.index)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("short_id", "thumb", "app", "model_column", "status", "source", "cost_usd", "queued_at")
    list_filter = ("status", "model", "app", "source")
    list_select_related = ("app", "model", "requested_model")
    search_fields = ("=id", "app__name", "prompt", "error_code")
    date_hierarchy = "queued_at"
    inlines = [OutputImageInline]
    fieldsets = (
        (None, {"fields": ("id", "app", "status", "status_message", "source", "user", "visitor_hash")}),
        ("Model", {"fields": ("requested_model", "model", "vendor_model_sent", "params")}),
        ("Prompt", {"fields": ("inputs", "prompt", "enhanced_prompt")}),
        ("Error", {"fields": ("error_code", "error_message", "error_detail", "attempts")}),
        ("Usage and cost", {"fields": ("usage_json", "estimated_cost_usd", "cost_usd", "latency_ms")}),
        ("Times", {"fields": ("queued_at", "started_at", "finished_at")}),
    )
    readonly_fields = ("usage_json",)

    @admin.display(description="Run")
    def short_id(self, run):
        return str(run.id)[:8]

    @admin.display(description="Image")
    def thumb(self, run):
        # Succeeded runs always have image 0: no query per row.
        return thumbnail(run.id, 0, size=48) if run.status == RunStatus.SUCCEEDED else "-"

    @admin.display(description="Model", ordering="model__display_name")
    def model_column(self, run):
        if run.served_by_successor:
            return f"{run.model.display_name} (for {run.requested_model.display_name})"
        return run.model.display_name

    @admin.display(description="Usage")
    def usage_json(self, run):
        return format_html("<pre>{}</pre>", json.dumps(run.usage or {}, indent=2, sort_keys=True))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
