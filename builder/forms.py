"""Builder forms: accounts, the app form with its field formset, and the test panel's inputs."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import MinValueValidator
from django.forms import BaseFormSet, formset_factory
from django.utils.text import slugify

from generation.capabilities import request_errors, size_errors
from generation.models import ImageModel
from generation.registry import enabled_models, site_default_model
from generation.storage import CheckedImage, NotAnImageError, check_image

from .models import DEFAULT_PARAMS, PARAM_NAMES, App, FieldType
from .templating import placeholders

FIELD_PREFIX = "fields"
CUSTOM_SIZE = "custom"
PARAM_LABELS = {
    "size": "Size",
    "quality": "Quality",
    "background": "Background",
    "output_format": "Output format",
    "n": "Number of images",
}
TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"", "0", "false", "no", "off"}


class SignUpForm(UserCreationForm):
    email = forms.EmailField(help_text="For password resets.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


def checked_upload(upload, *, what: str) -> CheckedImage:
    """Size and pixel limits, then a real decode: PNG, JPEG or WebP only."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            f"The {what} is {upload.size / 1048576:.1f} MB; the limit is {settings.UPLOAD_MAX_BYTES / 1048576:.1f} MB."
        )
    try:
        return check_image(upload.read(), max_pixels=settings.UPLOAD_MAX_PIXELS)
    except NotAnImageError as exc:
        raise forms.ValidationError(f"The {what} must be a PNG, JPEG or WebP image. {exc}") from exc


# --- Fields ------------------------------------------------------------------------------------------------


class FieldForm(forms.Form):
    key = forms.SlugField(max_length=40, help_text="Used as {{ key }} in the template.")
    label = forms.CharField(max_length=100)
    type = forms.ChoiceField(choices=FieldType.choices, initial=FieldType.SHORT_TEXT)
    required = forms.BooleanField(required=False, initial=True)
    default = forms.CharField(max_length=500, required=False)
    help_text = forms.CharField(max_length=200, required=False)
    options = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Select only: one option per line."
    )
    max_length = forms.IntegerField(min_value=1, max_value=10000, required=False, label="Max length")
    min_value = forms.FloatField(required=False, label="Min")
    max_value = forms.FloatField(required=False, label="Max")
    sample = forms.CharField(max_length=500, required=False, help_text="Used by the preview and the test panel.")

    def clean_options(self) -> list[str]:
        lines = [line.strip() for line in (self.cleaned_data.get("options") or "").splitlines()]
        return list(dict.fromkeys(line for line in lines if line))

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        options = data.get("options") or []
        key = data.get("key", "")
        if kind == FieldType.SELECT:
            if not options:
                self.add_error("options", f"Select field {key!r} needs at least one option.")
            for name in ("default", "sample"):
                value = data.get(name)
                if value and options and value not in options:
                    self.add_error(
                        name,
                        f"{name.capitalize()} {value!r} of {key!r} is not one of its options ({', '.join(options)}).",
                    )
        elif options:
            self.add_error("options", "Only a select field has options.")
        if kind == FieldType.NUMBER:
            low, high = data.get("min_value"), data.get("max_value")
            if low is not None and high is not None and low > high:
                self.add_error("min_value", f"Min {low:g} is above max {high:g}.")
            for name in ("default", "sample"):
                value = data.get(name)
                if not value:
                    continue
                try:
                    number = float(value)
                except ValueError:
                    self.add_error(name, f"{name.capitalize()} of {key!r} must be a number.")
                    continue
                if (low is not None and number < low) or (high is not None and number > high):
                    self.add_error(name, f"{name.capitalize()} {number:g} of {key!r} is outside its limits.")
        if kind in (FieldType.SHORT_TEXT, FieldType.LONG_TEXT) and data.get("max_length"):
            for name in ("default", "sample"):
                if len(data.get(name) or "") > data["max_length"]:
                    self.add_error(name, f"Longer than the field's max length of {data['max_length']}.")
        if kind == FieldType.CHECKBOX:
            for name in ("default", "sample"):
                if (data.get(name) or "").lower() not in TRUE_VALUES | FALSE_VALUES:
                    self.add_error(name, "A checkbox default is yes or no.")
        if kind == FieldType.IMAGE and data.get("default"):
            self.add_error("default", "A reference image field has no default.")
        return data


class BaseFieldFormSet(BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            key = form.cleaned_data.get("key")
            if key in seen:
                form.add_error("key", f"Two fields use the key {key!r}; keys must be unique.")
            seen.add(key)

    def field_rows(self) -> list[dict]:
        """The kept fields in their chosen order, as plain dicts (after is_valid)."""
        rows = []
        for order, form in enumerate(self.ordered_forms):
            data = dict(form.cleaned_data)
            data.pop("ORDER", None)
            data.pop("DELETE", None)
            data["order"] = order
            rows.append(data)
        return rows


FieldFormSet = formset_factory(FieldForm, formset=BaseFieldFormSet, extra=1, can_delete=True, can_order=True)


def field_initial(app: App | None, starter=None) -> list[dict]:
    """Initial rows of the field formset from an app's fields, or a starter's."""
    if app is not None and app.pk:
        samples = app.sample_inputs or {}
        return [
            {
                "key": f.key,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "default": f.default,
                "help_text": f.help_text,
                "options": "\n".join(f.options or []),
                "max_length": f.max_length,
                "min_value": f.min_value,
                "max_value": f.max_value,
                "sample": str(samples.get(f.key, "")),
                "ORDER": i + 1,
            }
            for i, f in enumerate(app.fields.all())
        ]
    rows = []
    for i, row in enumerate(starter.fields if starter else []):
        rows.append({**row, "options": "\n".join(row.get("options", [])), "ORDER": i + 1})
    return rows


# --- The app -----------------------------------------------------------------------------------------------


def model_caps(model: ImageModel) -> dict:
    return model.capabilities or {}


def size_choices(caps: dict) -> list[tuple[str, str]]:
    choices = [(s, s.replace("x", " × ")) for s in caps.get("sizes", [])]
    if caps.get("custom_size"):
        choices.append((CUSTOM_SIZE, "Custom…"))
    return choices


def fit_params(params: dict, model: ImageModel) -> tuple[dict, list[str]]:
    """Bring parameters within what `model` can do; say what changed (used when the builder switches model)."""
    caps = model_caps(model)
    fitted, changes = dict(params), []
    size = str(fitted.get("size") or "")
    if size and size_errors(caps, size):
        new = (caps.get("sizes") or ["1024x1024"])[0]
        changes.append(f"Size {size} → {new}")
        fitted["size"] = new
    for name, cap in (("quality", "qualities"), ("background", "backgrounds"), ("output_format", "output_formats")):
        allowed = caps.get(cap)
        value = fitted.get(name)
        if allowed and value and value not in allowed:
            new = DEFAULT_PARAMS[name] if DEFAULT_PARAMS[name] in allowed else allowed[0]
            changes.append(f"{PARAM_LABELS[name]} {value} → {new}")
            fitted[name] = new
    if fitted.get("background") == "transparent":
        formats = caps.get("transparent_formats", [])
        if fitted.get("output_format") not in formats and formats:
            changes.append(f"Output format {fitted.get('output_format')} → {formats[0]} (for transparency)")
            fitted["output_format"] = formats[0]
    max_images = caps.get("max_images", 1)
    try:
        n = int(fitted.get("n") or 1)
    except (TypeError, ValueError):
        n = 1
    if n > max_images:
        changes.append(f"Number of images {n} → {max_images}")
        fitted["n"] = max_images
    return fitted, changes


def refit_to_model(data) -> tuple[object, list[str]]:
    """When the builder picked another model than the posted parameters were chosen for (`params_for`), bring
    the parameters within what it can do; returns the adjusted copy of the data and what changed."""
    key, params_for = data.get("model", ""), data.get("params_for", "")
    if key == params_for:
        return data, []
    model = (ImageModel.objects.filter(key=key).first() if key else None) or site_default_model()
    size = data.get("size", "")
    if size == CUSTOM_SIZE:
        size = f"{data.get('custom_width', '')}x{data.get('custom_height', '')}"
    names = ("quality", "background", "output_format", "n")
    fitted, changes = fit_params({**{name: data.get(name, "") for name in names}, "size": size}, model)
    data = data.copy()
    for name in names:
        data[name] = str(fitted.get(name, ""))
    if fitted["size"] != size:
        data["size"] = fitted["size"]
    data["params_for"] = key
    return data, changes


class AppForm(forms.ModelForm):
    """The app's own settings and default parameters. Parameter options follow the selected model."""

    cover = forms.FileField(required=False, help_text="PNG, JPEG or WebP.")
    remove_cover = forms.BooleanField(required=False)
    model = forms.ChoiceField(required=False, widget=forms.RadioSelect)
    # The model the parameters below were chosen for: when it differs from `model`, they are re-fitted.
    params_for = forms.CharField(required=False, widget=forms.HiddenInput)
    size = forms.CharField(widget=forms.Select)
    # Typing a custom size does not re-render the parameters (that would drop the other edge mid-typing).
    custom_width = forms.IntegerField(
        required=False, min_value=16, max_value=16384, label="Width", widget=forms.NumberInput({"data-no-refresh": 1})
    )
    custom_height = forms.IntegerField(
        required=False, min_value=16, max_value=16384, label="Height", widget=forms.NumberInput({"data-no-refresh": 1})
    )
    quality = forms.CharField(widget=forms.Select)
    background = forms.CharField(widget=forms.Select)
    output_format = forms.CharField(widget=forms.Select, label="Output format")
    n = forms.IntegerField(min_value=1, label="Images per run")
    live_previews = forms.BooleanField(
        required=False,
        label="Live previews",
        help_text="Show a rough preview while the image is made. Each preview costs about 100 extra image tokens.",
    )
    visitor_params = forms.MultipleChoiceField(
        choices=[(name, PARAM_LABELS[name]) for name in PARAM_NAMES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Visitors may change",
    )

    class Meta:
        model = App
        fields = [
            "name",
            "slug",
            "description",
            "prompt_template",
            "enhance_prompt",
            "daily_budget_usd",
            "rate_per_minute",
            "rate_per_day",
        ]
        labels = {
            "enhance_prompt": "Enhance prompts",
            "daily_budget_usd": "Daily budget (USD)",
            "rate_per_minute": "Runs per visitor per minute",
            "rate_per_day": "Runs per visitor per day",
        }
        help_texts = {
            "slug": "The public address: /a/<slug>/. Letters, digits, hyphens.",
            "prompt_template": "Use {{ key }} for each field's value.",
            "enhance_prompt": "A text model rewrites the filled template into a richer prompt before generating.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "prompt_template": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, starter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["daily_budget_usd"].validators.append(MinValueValidator(0))
        self.fields["daily_budget_usd"].widget.attrs["min"] = 0
        self.default_model = site_default_model()
        self.models: dict[str, ImageModel] = {m.key: m for m in enabled_models()}
        current = self.instance.model if self.instance.pk else None
        if current is not None and current.key not in self.models:
            self.models[current.key] = current  # a retired or disabled model stays visible for its app
        self.fields["model"].choices = [("", f"Site default ({self.default_model.display_name})")] + [
            (key, m.display_name) for key, m in self.models.items()
        ]
        if not self.is_bound:
            self._set_initial(starter)
        key = (self.data.get(self.add_prefix("model")) if self.is_bound else self.initial.get("model")) or ""
        self.selected_model: ImageModel | None = self.models.get(key)
        caps = model_caps(self.target_model)
        self.fields["size"].widget.choices = size_choices(caps)
        for name, cap in (("quality", "qualities"), ("background", "backgrounds"), ("output_format", "output_formats")):
            self.fields[name].widget.choices = [(v, v) for v in caps.get(cap, [])]
        self.fields["n"].widget.attrs["max"] = caps.get("max_images", 1)

    @property
    def target_model(self) -> ImageModel:
        """The model the parameters are checked against: the selected one or the site default."""
        return self.selected_model or self.default_model

    def _set_initial(self, starter) -> None:
        app = self.instance
        source = app if app.pk else None
        params = {**DEFAULT_PARAMS, **((source.params if source else starter.params if starter else {}) or {})}
        key = app.model.key if source and app.model else ""
        size = str(params.get("size"))
        model = self.models.get(key) or self.default_model
        custom = size not in model_caps(model).get("sizes", []) and bool(model_caps(model).get("custom_size"))
        self.initial.update(
            model=key,
            params_for=key,
            size=CUSTOM_SIZE if custom else size,
            custom_width=size.split("x")[0] if custom and "x" in size else None,
            custom_height=size.split("x")[1] if custom and "x" in size else None,
            quality=params.get("quality"),
            background=params.get("background"),
            output_format=params.get("output_format"),
            n=params.get("n"),
            live_previews=bool(params.get("partial_images")),
            visitor_params=(source.visitor_params if source else starter.visitor_params if starter else []),
        )
        if starter and not source:
            self.initial.update(
                name="" if starter.key == "blank" else starter.name,
                description=starter.description if starter.key != "blank" else "",
                prompt_template=starter.prompt_template,
            )

    def clean_model(self) -> ImageModel | None:
        key = self.cleaned_data.get("model") or ""
        return self.models.get(key)

    def clean_slug(self) -> str:
        slug = slugify(self.cleaned_data.get("slug") or self.data.get(self.add_prefix("name"), ""))[:60].strip("-")
        if not slug:
            raise forms.ValidationError("Give the app a slug (letters, digits and hyphens).")
        if App.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"The address /a/{slug}/ is taken: choose another slug.")
        return slug

    def clean_cover(self) -> CheckedImage | None:
        upload = self.cleaned_data.get("cover")
        return checked_upload(upload, what="cover") if upload else None

    def clean(self):
        data = super().clean()
        caps = model_caps(self.target_model)
        size = data.get("size")
        if size == CUSTOM_SIZE:
            width, height = data.get("custom_width"), data.get("custom_height")
            if not width or not height:
                self.add_error("size", "Enter a custom width and height.")
                return data
            size = f"{width}x{height}"
        if size:
            for error in size_errors(caps, size):
                self.add_error("size", error)
        data["size_value"] = size
        for name in ("quality", "output_format"):
            if data.get(name):
                for error in request_errors(caps, {name: data[name]}):
                    self.add_error(name, error)
        if data.get("background"):
            format_errors = set(request_errors(caps, {"output_format": data.get("output_format")}))
            for error in request_errors(
                caps, {"background": data["background"], "output_format": data.get("output_format")}
            ):
                if error not in format_errors:
                    self.add_error("background", error)
        if data.get("n"):
            for error in request_errors(caps, {"n": data["n"]}):
                self.add_error("n", error)
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "size": data["size_value"],
            "quality": data["quality"],
            "background": data["background"],
            "output_format": data["output_format"],
            "n": data["n"],
            **({"partial_images": 1} if data.get("live_previews") else {}),
        }


def check_template(form: AppForm, formset: BaseFieldFormSet) -> bool:
    """Checks that need both the app and its fields: placeholders, required fields, references, length.
    Adds errors where the builder will see them; True when all is well."""
    rows = formset.field_rows()
    by_key = {row["key"]: row for row in rows}
    template = form.cleaned_data.get("prompt_template") or ""
    used = placeholders(template)
    ok = True
    if not template.strip():
        form.add_error("prompt_template", "Write a prompt template.")
        return False
    unknown = [key for key in used if key not in by_key]
    if unknown:
        form.add_error(
            "prompt_template",
            "No field for "
            + ", ".join(f"{{{{ {key} }}}}" for key in unknown)
            + ": add a field with that key or remove the placeholder.",
        )
        ok = False
    images = [key for key in used if key in by_key and by_key[key]["type"] == FieldType.IMAGE]
    if images:
        form.add_error(
            "prompt_template",
            ", ".join(images)
            + " is a reference image upload: it is sent as an image, not text; remove its placeholder.",
        )
        ok = False
    unused = [
        row["key"] for row in rows if row["required"] and row["type"] != FieldType.IMAGE and row["key"] not in used
    ]
    if unused:
        form.add_error(
            "prompt_template",
            "Required field"
            + ("s " if len(unused) > 1 else " ")
            + ", ".join(unused)
            + " not used in the template: add "
            + ", ".join(f"{{{{ {key} }}}}" for key in unused)
            + " or make "
            + ("them" if len(unused) > 1 else "it")
            + " optional.",
        )
        ok = False
    caps = model_caps(form.target_model)
    references = sum(1 for row in rows if row["type"] == FieldType.IMAGE)
    for error in request_errors(caps, {}, prompt=template, reference_count=references):
        form.add_error("model", f"{form.target_model.display_name}: {error}")
        ok = False
    return ok


def sample_values(rows: list[dict]) -> dict:
    """The values the preview and the test panel start from: each field's sample, else its default."""
    values = {}
    for row in rows:
        if row.get("type") == FieldType.IMAGE:
            continue
        value = row.get("sample") or row.get("default") or ""
        if row.get("type") == FieldType.CHECKBOX:
            value = str(value).lower() in TRUE_VALUES
        values[row["key"]] = value
    return values


def with_extra_row(data):
    """The posted data with one more (blank) field row, for the "Add a field" button."""
    data = data.copy()
    try:
        total = int(data.get(f"{FIELD_PREFIX}-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    data[f"{FIELD_PREFIX}-TOTAL_FORMS"] = str(min(total + 1, 100))
    return data


def rows_from_data(data) -> list[dict]:
    """Field rows read leniently from a half-typed form (for the live preview): no validation."""
    rows = []
    try:
        total = min(int(data.get(f"{FIELD_PREFIX}-TOTAL_FORMS", 0)), 100)
    except ValueError:
        total = 0
    for i in range(total):
        get = lambda name, i=i: (data.get(f"{FIELD_PREFIX}-{i}-{name}") or "").strip()  # noqa: E731
        if not get("key") or get("DELETE"):
            continue
        rows.append(
            {
                "key": get("key"),
                "type": get("type") or FieldType.SHORT_TEXT,
                "required": bool(get("required")),
                "default": get("default"),
                "sample": get("sample"),
            }
        )
    return rows
