"""Staff's view of experiments: every app's experiments with their variants, and a Stop action."""

from __future__ import annotations

from django.contrib import admin, messages

from .experiments import experiment_stop
from .models import Experiment, ExperimentState, ExperimentVariant


class ExperimentVariantInline(admin.TabularInline):
    model = ExperimentVariant
    extra = 0
    fields = ("label", "model", "params", "weight")
    # Read-only: changing a weight mid-experiment would move visitors between variants.
    readonly_fields = ("label", "model", "params", "weight")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "app", "state", "started_at", "stopped_at", "winner")
    list_filter = ("state",)
    search_fields = ("app__name", "app__slug")
    list_select_related = ("app", "winner")
    readonly_fields = ("app", "state", "started_at", "stopped_at", "winner")
    inlines = [ExperimentVariantInline]
    actions = ["stop_experiments"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Stop the selected experiments")
    def stop_experiments(self, request, queryset):
        stopped = sum(experiment_stop(experiment=e) for e in queryset.filter(state=ExperimentState.RUNNING))
        messages.success(request, f"Stopped {stopped} experiment{'s' if stopped != 1 else ''}.")
