"""Compare (builder, owner only): 2 to 4 variants on the same inputs, run side by side."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseStopPolling

from .. import comparisons
from ..comparisons import MAX_VARIANTS, ComparisonError, Variant, variant_label
from ..models import App, Comparison, FieldType
from ..public_forms import input_field, input_value

QUALITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
BACKGROUNDS = [("auto", "Auto"), ("opaque", "Opaque"), ("transparent", "Transparent")]
FORMATS = [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WebP")]
COMMON_SIZES = ["1024x1024", "1536x1024", "1024x1536"]


def owned_app(request, pk: int) -> App:
    """The signed-in builder's own app; anyone else gets a 404, not a hint that it exists."""
    return get_object_or_404(App, pk=pk, owner=request.user)


class VariantSlotsForm(forms.Form):
    """Up to four variant slots (model, quality, size, background, format); a slot with no model is unused.
    `self.variants` holds the chosen ones after validation, `self.slot_of` maps a variant to its slot."""

    with_weights = False

    def __init__(self, *args, app: App, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app
        self.models = {m.key: m for m in comparisons.model_choices()}
        if app.model and app.model.key not in self.models and not app.model.is_retired and app.model.enabled:
            self.models[app.model.key] = app.model
        model_choices = [("", "(not used)")] + [(key, m.display_name) for key, m in self.models.items()]
        params = app.effective_params
        default_model = app.model.key if app.model and app.model.key in self.models else ""
        self.slots = []
        for i in range(MAX_VARIANTS):
            used = i < 2
            label = variant_label(i)
            names = {
                "model": f"v{i}_model",
                "quality": f"v{i}_quality",
                "size": f"v{i}_size",
                "background": f"v{i}_background",
                "output_format": f"v{i}_output_format",
            }
            self.fields[names["model"]] = forms.ChoiceField(
                label=f"Variant {label}: model",
                choices=model_choices,
                required=False,
                initial=(default_model or next(iter(self.models), "")) if used else "",
            )
            self.fields[names["quality"]] = forms.ChoiceField(
                label="Quality", choices=QUALITIES, initial=params.get("quality", "medium")
            )
            self.fields[names["size"]] = forms.CharField(
                label="Size",
                max_length=11,
                initial=params.get("size", "1024x1024"),
                widget=forms.TextInput(attrs={"list": "sizes", "size": 11}),
            )
            self.fields[names["background"]] = forms.ChoiceField(
                label="Background", choices=BACKGROUNDS, initial=params.get("background", "auto")
            )
            self.fields[names["output_format"]] = forms.ChoiceField(
                label="Format", choices=FORMATS, initial=params.get("output_format", "png")
            )
            if self.with_weights:
                names["weight"] = f"v{i}_weight"
                self.fields[names["weight"]] = forms.IntegerField(
                    label="Traffic weight", min_value=0, max_value=100, initial=50 if used else 0
                )
            self.slots.append({"label": label, "names": names})
        self.variants: list[Variant] = []
        self.weights: list[int] = []
        self.slot_of: list[int] = []

    def slot_fields(self):
        """For templates: each slot's label and bound fields in order."""
        return [
            {"label": slot["label"], "fields": [self[name] for name in slot["names"].values()]} for slot in self.slots
        ]

    def clean(self):
        cleaned = super().clean()
        self.variants, self.weights, self.slot_of = [], [], []
        for i, slot in enumerate(self.slots):
            names = slot["names"]
            key = cleaned.get(names["model"])
            if not key:
                continue
            params = {
                name: cleaned.get(field_name)
                for name, field_name in names.items()
                if name not in ("model", "weight") and cleaned.get(field_name)
            }
            self.variants.append(Variant(self.models[key], params))
            self.weights.append(cleaned.get(names.get("weight", ""), 0) or 0)
            self.slot_of.append(i)
        if not 2 <= len(self.variants) <= MAX_VARIANTS:
            raise forms.ValidationError(f"Choose a model for 2 to {MAX_VARIANTS} variants.")
        return cleaned

    def add_service_errors(self, errors: dict[int, list[str]]) -> None:
        for index, reasons in errors.items():
            target = self.slots[self.slot_of[index]]["names"]["model"] if index >= 0 else None
            for reason in reasons:
                self.add_error(target, reason)


class CompareForm(VariantSlotsForm):
    """The inputs, filled once (prefilled from the app's sample inputs), and the variant slots."""

    def __init__(self, *args, app: App, **kwargs):
        super().__init__(*args, app=app, **kwargs)
        self.input_names = []
        samples = app.sample_inputs or {}
        for field in app.fields.exclude(type=FieldType.IMAGE):
            name = f"in_{field.key}"
            initial = samples.get(field.key)
            self.fields[name] = input_field(field, initial=initial)
            self.input_names.append((field.key, name))
        self.has_image_field = app.fields.filter(type=FieldType.IMAGE).exists()

    def input_fields(self):
        return [self[name] for _, name in self.input_names]

    def inputs(self) -> dict:
        return {key: input_value(self.cleaned_data.get(name)) for key, name in self.input_names}


def _form_context(app: App, form: CompareForm, estimate=None) -> dict:
    return {"app": app, "form": form, "sizes": COMMON_SIZES, "estimate": estimate}


def _estimate(form: CompareForm) -> dict | None:
    """The estimate from whatever parses so far (the form may still have errors elsewhere), one row per
    chosen slot."""
    if not form.is_valid() and not form.variants:
        return None
    inputs = form.inputs() if form.is_valid() else {}
    estimate = comparisons.comparison_estimate(app=form.app, inputs=inputs, variants=form.variants)
    rows = [
        {"label": variant_label(slot), "cost": cost, "errors": estimate.errors.get(i, [])}
        for i, (slot, cost) in enumerate(zip(form.slot_of, estimate.per_variant, strict=True))
    ]
    return {"total_usd": estimate.total_usd, "rows": rows, "errors": estimate.errors.get(-1, [])}


@login_required
def compare_new(request, pk):
    app = owned_app(request, pk)
    if request.method != "POST":
        form = CompareForm(app=app)
        estimate = _estimate(CompareForm(initial_data(form), app=app))
        return render(request, "builder/compare/new.html", _form_context(app, form, estimate))
    form = CompareForm(request.POST, app=app)
    if form.is_valid():
        try:
            comparison = comparisons.comparison_start(
                app=app, by=request.user, inputs=form.inputs(), variants=form.variants
            )
        except ComparisonError as exc:
            form.add_service_errors(exc.errors)
        else:
            return redirect("experiments:compare_detail", pk=app.pk, cid=comparison.pk)
    return render(request, "builder/compare/new.html", _form_context(app, form, _estimate(form)))


def initial_data(form: forms.Form) -> dict:
    """The form's initial values as POST data, to estimate the prefilled form before anything changes."""
    data = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


@login_required
@require_POST
def compare_estimate(request, pk):
    """htmx: the whole comparison's estimated cost as the form changes."""
    app = owned_app(request, pk)
    form = CompareForm(request.POST, app=app)
    return render(request, "builder/compare/partials/estimate.html", {"estimate": _estimate(form), "form": form})


def _owned_comparison(request, pk, cid) -> Comparison:
    app = owned_app(request, pk)
    return get_object_or_404(Comparison.objects.select_related("app"), pk=cid, app=app)


@login_required
def compare_detail(request, pk, cid):
    """The results side by side; htmx polls the summary line (finished count, actual cost) until all finish."""
    comparison = _owned_comparison(request, pk, cid)
    columns = comparisons.comparison_columns(comparison=comparison)
    context = {
        "app": comparison.app,
        "comparison": comparison,
        "columns": columns,
        "finished": sum(1 for c in columns if c.run and c.run.is_finished),
        "actual_cost": comparisons.comparison_actual_cost(comparison=comparison),
    }
    if request.htmx:
        response = render(request, "builder/compare/partials/summary.html", context)
        if context["finished"] == len(columns):
            return HttpResponseStopPolling(response.content)
        return response
    return render(request, "builder/compare/detail.html", context)


@login_required
@require_POST
def compare_rerun(request, pk, cid):
    comparison = _owned_comparison(request, pk, cid)
    try:
        again = comparisons.comparison_rerun(comparison=comparison, by=request.user)
    except ComparisonError as exc:
        messages.error(request, "Could not run this comparison again: " + str(exc))
        return redirect("experiments:compare_detail", pk=pk, cid=cid)
    messages.success(request, f"Running comparison {comparison.pk} again as comparison {again.pk}.")
    return redirect("experiments:compare_detail", pk=pk, cid=again.pk)


@login_required
@require_POST
def compare_use(request, pk, cid, index):
    """ "Use this variant": the app's model and parameters become the variant's, through the audited switch."""
    comparison = _owned_comparison(request, pk, cid)
    try:
        report = comparisons.comparison_use_variant(comparison=comparison, index=index, by=request.user)
    except ComparisonError as exc:
        messages.error(request, str(exc))
        return redirect("experiments:compare_detail", pk=pk, cid=cid)
    if report.switched:
        app = report.switched[0]
        messages.success(
            request,
            f"{app.name} now uses variant {variant_label(index)}: {app.model} "
            f"({_describe(app.effective_params)}). The next run uses it.",
        )
        return redirect(app.get_absolute_url())
    reasons = " ".join(r for _, errors in report.refused for r in errors)
    messages.error(request, f"Variant {variant_label(index)} was not applied: {reasons}")
    return redirect("experiments:compare_detail", pk=pk, cid=cid)


def _describe(params: dict) -> str:
    keys = ("quality", "size", "background", "output_format")
    return ", ".join(str(params[k]) for k in keys if params.get(k))
