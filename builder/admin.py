"""Staff's admin for apps and the model switch log. Every model switch made here goes through
`builder.switching`, so it is capability-checked, audited and live on the app's next run."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Sum
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from generation.models import ImageModel, ModelState
from generation.registry import site_default_model

from .models import PARAM_NAMES, App, ModelSwitch, SwitchKind
from .switching import SwitchReport, app_fit_errors, apps_move_to_successor, model_switch

admin.site.site_header = "Appaca administration"
admin.site.site_title = "Appaca admin"

MAX_LISTED = 20


def model_label(model: ImageModel | None) -> str:
    """A model's name with its lifecycle state: "GPT-4.1 Mini (deprecated, 49 days left)"."""
    if model is None:
        return "Site default"
    state = model.state
    if state == ModelState.AVAILABLE:
        return model.display_name if model.enabled else f"{model.display_name} (disabled)"
    if state == ModelState.RETIRED:
        return f"{model.display_name} (retired)"
    days = model.days_left
    return f"{model.display_name} (deprecated, {days} days left)" if days is not None else f"{model} (deprecated)"


def count_of(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def message_switch_report(request, report: SwitchReport, *, to: str, refused_note: str) -> None:
    """Tell staff which apps moved and, one message each, which did not and why."""
    if report.switched:
        names = ", ".join(app.name for app in report.switched[:MAX_LISTED])
        more = f" and {len(report.switched) - MAX_LISTED} more" if len(report.switched) > MAX_LISTED else ""
        messages.success(request, f"Switched {count_of(len(report.switched), 'app')} to {to}: {names}{more}.")
    for app, errors in report.refused[:MAX_LISTED]:
        messages.warning(request, f"{app.name} {refused_note}: {' '.join(errors)}")
    if len(report.refused) > MAX_LISTED:
        messages.warning(request, f"And {len(report.refused) - MAX_LISTED} more apps {refused_note}.")
    if report.unchanged:
        names = ", ".join(app.name for app in report.unchanged[:MAX_LISTED])
        messages.info(request, f"Already on {to}, left as they were: {names}.")
    if not report.switched and not report.refused and not report.unchanged:
        messages.info(request, "No app was affected.")


def _choosable_models():
    return ImageModel.objects.filter(enabled=True)


def _check_choosable(model: ImageModel | None) -> None:
    if model is not None and (not model.enabled or model.state == ModelState.RETIRED):
        raise forms.ValidationError(f"{model.display_name} is disabled or retired: choose another model.")


class AppAdminForm(forms.ModelForm):
    switch_reason = forms.CharField(
        required=False,
        max_length=300,
        help_text="Recorded in the model switch log when the model changes (optional).",
    )

    class Meta:
        model = App
        fields = (
            *("name", "slug", "owner", "state", "description", "cover", "model", "params", "visitor_params"),
            *("prompt_template", "sample_inputs", "enhance_prompt", "daily_budget_usd", "rate_per_minute"),
            "rate_per_day",
        )

    def clean_params(self):
        params = self.cleaned_data.get("params")
        if not isinstance(params, dict):
            raise forms.ValidationError('Parameters must be a JSON object, e.g. {"size": "1024x1024"}.')
        return params

    def clean_visitor_params(self):
        names = self.cleaned_data.get("visitor_params")
        if not isinstance(names, list) or any(name not in PARAM_NAMES for name in names):
            raise forms.ValidationError(f"A list of parameter names among {', '.join(PARAM_NAMES)}.")
        return names

    def clean_sample_inputs(self):
        samples = self.cleaned_data.get("sample_inputs")
        if not isinstance(samples, dict):
            raise forms.ValidationError('Sample inputs must be a JSON object, e.g. {"subject": "a red fox"}.')
        return samples

    def clean(self):
        """A new model or new parameters must still run the app: checked like every switch."""
        cleaned = super().clean()
        changed = {"model", "params"} & set(self.changed_data)
        if not self.instance.pk or not changed or changed & set(self.errors):
            return cleaned
        model = cleaned.get("model")
        if "model" in changed:
            try:
                _check_choosable(model)
            except forms.ValidationError as exc:
                self.add_error("model", exc)
                return cleaned
        target = model or site_default_model()
        errors = app_fit_errors(self.instance, target, cleaned.get("params"))
        if errors:
            field = "model" if "model" in changed else "params"
            self.add_error(field, f"{target.display_name} cannot run this app: " + " ".join(errors))
        return cleaned


class SwitchModelForm(forms.Form):
    model = forms.ModelChoiceField(queryset=_choosable_models(), label="Switch to", empty_label=None)
    reason = forms.CharField(required=False, max_length=300, help_text="Recorded in the model switch log.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = _choosable_models()
        self.fields["model"].label_from_instance = model_label

    def clean_model(self):
        model = self.cleaned_data["model"]
        _check_choosable(model)
        return model


class SwitchInline(admin.TabularInline):
    model = ModelSwitch
    fk_name = "app"
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "from_model", "to_model", "by", "reason")
    readonly_fields = fields
    verbose_name_plural = "model switches"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    form = AppAdminForm
    list_display = ("name", "owner", "state", "model_column", "run_count", "cost_total", "updated_at")
    list_filter = ("state", "model", "owner", "needs_model")
    search_fields = ("name", "slug", "owner__username")
    list_select_related = ("owner", "model")
    raw_id_fields = ("owner",)
    readonly_fields = ("needs_model", "runs_link", "created_at", "updated_at")
    actions = ["switch_model", "move_to_successor"]
    inlines = [SwitchInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "owner", "state", "description", "cover")}),
        ("Model", {"fields": ("model", "switch_reason", "needs_model", "params", "visitor_params")}),
        ("Prompt", {"fields": ("prompt_template", "sample_inputs", "enhance_prompt")}),
        ("Limits", {"fields": ("daily_budget_usd", "rate_per_minute", "rate_per_day")}),
        ("Activity", {"fields": ("runs_link", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        # Count and Sum over the one runs join: no row is counted twice, no query per app.
        return super().get_queryset(request).annotate(run_count=Count("runs"), cost_total=Sum("runs__cost_usd"))

    @admin.display(description="Model", ordering="model__display_name")
    def model_column(self, app):
        if app.needs_model:
            return format_html("{} <strong>(waiting for a model: runs refused)</strong>", model_label(app.model))
        return model_label(app.model)

    @admin.display(description="Runs", ordering="run_count")
    def run_count(self, app):
        return app.run_count

    @admin.display(description="Cost (USD)", ordering="cost_total")
    def cost_total(self, app):
        return f"{app.cost_total or 0:.4f}"

    @admin.display(description="Runs")
    def runs_link(self, app):
        if not app.pk:
            return "-"
        url = reverse("admin:generation_run_changelist") + f"?app__id__exact={app.pk}"
        count = app.run_count if hasattr(app, "run_count") else app.runs.count()
        return format_html('<a href="{}">{}</a>', url, count_of(count, "run"))

    def save_model(self, request, obj, form, change):
        switching = change and "model" in form.changed_data
        if switching:
            # Save everything else as usual; the model itself changes through the audited switch.
            new_model = obj.model
            obj.model = App.objects.select_related("model").get(pk=obj.pk).model
        super().save_model(request, obj, form, change)
        if switching:
            report = model_switch(
                apps=[obj],
                to=new_model,
                by=request.user,
                reason=form.cleaned_data.get("switch_reason", ""),
                kind=SwitchKind.APP,
            )
            target = new_model or site_default_model()
            message_switch_report(request, report, to=target.display_name, refused_note="kept its model")

    @admin.action(description="Switch model to …")
    def switch_model(self, request, queryset):
        apps = list(App.objects.filter(pk__in=queryset.values("pk")).select_related("model").order_by("name"))
        if "apply" in request.POST:
            form = SwitchModelForm(request.POST)
            if form.is_valid():
                target = form.cleaned_data["model"]
                unchanged = [app for app in apps if app.model_id == target.pk and not app.needs_model]
                report = model_switch(
                    apps=[app for app in apps if app not in unchanged],
                    to=target,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    kind=SwitchKind.BULK,
                )
                report.unchanged = unchanged
                message_switch_report(
                    request,
                    report,
                    to=target.display_name,
                    refused_note=f"cannot run on {target.display_name} and kept its model",
                )
                return None
        else:
            form = SwitchModelForm()
        context = {
            **self.admin_site.each_context(request),
            "title": "Switch the model of the selected apps",
            "opts": self.model._meta,
            "apps": [(app, model_label(app.model)) for app in apps],
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "switch_model",
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/builder/app/switch_model.html", context)

    @admin.action(description="Move to successor")
    def move_to_successor(self, request, queryset):
        apps = list(App.objects.filter(pk__in=queryset.values("pk")).select_related("model__successor"))
        report = apps_move_to_successor(apps=apps, by=request.user)
        message_switch_report(request, report, to="their successors", refused_note="was not moved")


@admin.register(ModelSwitch)
class ModelSwitchAdmin(admin.ModelAdmin):
    """The audit log: read-only."""

    list_display = ("created_at", "by", "app", "from_model", "to_model", "kind", "reason")
    list_filter = ("kind", "to_model", "from_model")
    search_fields = ("app__name", "app__slug", "reason", "by__username")
    list_select_related = ("by", "app", "from_model", "to_model")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from . import admin_experiments  # noqa: F401, E402
