"""The form for one run of an app: built from its fields (and, on the public page, the parameters its builder
opened to visitors). The public page, the builder's test panel and comparisons all build inputs here."""

from __future__ import annotations

from django import forms

from generation.services import PARAM_KEYS

from .models import PARAM_NAMES, App, Field, FieldType
from .uploads import ACCEPT, UploadRefusedError, upload_check

PARAM_PREFIX = "param_"
PARAM_LABELS = {
    "size": "Size",
    "quality": "Quality",
    "background": "Background",
    "output_format": "File format",
    "n": "Number of images",
}
SIZE_NAMES = {"1024x1024": "Square", "1536x1024": "Landscape", "1024x1536": "Portrait"}


def value_label(name: str, value) -> str:
    value = str(value)
    if name == "size":
        dimensions = value.replace("x", " × ")
        return f"{SIZE_NAMES[value]} ({dimensions})" if value in SIZE_NAMES else dimensions
    if name == "output_format":
        return value.upper()
    return value.capitalize()


DEFAULT_MAX_LENGTH = {FieldType.SHORT_TEXT: 300, FieldType.LONG_TEXT: 4000}


def _option_pairs(options) -> list[tuple[str, str]]:
    """Select options as stored by the builder: plain strings, {"value", "label"} objects or pairs."""
    pairs = []
    for option in options or []:
        if isinstance(option, dict):
            value = str(option.get("value", option.get("label", "")))
            pairs.append((value, str(option.get("label", value))))
        elif isinstance(option, list | tuple) and len(option) == 2:
            pairs.append((str(option[0]), str(option[1])))
        else:
            pairs.append((str(option), str(option)))
    return pairs


TRUE_WORDS = {"1", "true", "yes", "on"}


def input_field(field: Field, *, initial=None) -> forms.Field:
    """The form field for one of an app's input fields; `initial` (a sample value) overrides its default."""
    default = field.default if initial is None else initial
    common = {"label": field.label, "required": field.required, "help_text": field.help_text}
    if field.type == FieldType.LONG_TEXT:
        return forms.CharField(
            max_length=field.max_length or DEFAULT_MAX_LENGTH[field.type],
            widget=forms.Textarea(attrs={"rows": 4}),
            initial=default,
            **common,
        )
    if field.type == FieldType.SELECT:
        pairs = _option_pairs(field.options)
        choices = pairs if field.required else [("", "—"), *pairs]
        return forms.ChoiceField(choices=choices, initial=default or None, **common)
    if field.type == FieldType.NUMBER:
        try:
            number = float(default) if default not in (None, "") else None
        except (TypeError, ValueError):
            number = None
        return forms.FloatField(min_value=field.min_value, max_value=field.max_value, initial=number, **common)
    if field.type == FieldType.CHECKBOX:
        common["required"] = False  # unticked is a valid answer: "no"
        return forms.BooleanField(initial=str(default).lower() in TRUE_WORDS, **common)
    if field.type == FieldType.IMAGE:
        return forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}), **common)
    return forms.CharField(
        max_length=field.max_length or DEFAULT_MAX_LENGTH[FieldType.SHORT_TEXT], initial=default, **common
    )


def input_value(value):
    """A cleaned input as it fills the template: whole numbers without a trailing .0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class RunForm(forms.Form):
    """Inputs for one run. Field keys are the input names; open parameters are `param_<name>`. Any other
    parameter in the submission (one the builder fixed) is refused, never silently used or dropped.
    Uploads are checked and re-encoded (builder.uploads) into `references`."""

    def __init__(self, *args, app: App, param_choices: dict[str, list] | None = None, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app
        self.app_fields = list(app.fields.all())
        self.param_choices = param_choices or {}
        self.references = []
        initial_values = initial_values or {}
        for field in self.app_fields:
            self.fields[field.key] = input_field(field, initial=initial_values.get(field.key))
        current = app.effective_params
        for name, values in self.param_choices.items():
            choices = [(str(v), value_label(name, v)) for v in values]
            self.fields[PARAM_PREFIX + name] = forms.TypedChoiceField(
                label=PARAM_LABELS.get(name, name),
                choices=choices,
                coerce=int if name == "n" else str,
                initial=str(current.get(name, values[0])),
            )

    def clean(self):
        cleaned = super().clean()
        if self.data:
            field_keys = {f.key for f in self.app_fields}
            for key in self.data:
                name = key[len(PARAM_PREFIX) :] if key.startswith(PARAM_PREFIX) else key
                is_param = key.startswith(PARAM_PREFIX) or (key in PARAM_KEYS and key not in field_keys)
                if is_param and name not in self.param_choices:
                    label = PARAM_LABELS.get(name, name).lower()
                    raise forms.ValidationError(
                        f"The {label} is set by this app and cannot be changed.", code="param_fixed"
                    )
        for field in self.app_fields:
            if field.type != FieldType.IMAGE or not cleaned.get(field.key):
                continue
            try:
                self.references.append(upload_check(cleaned[field.key]))
            except UploadRefusedError as exc:
                self.add_error(field.key, str(exc))
        return cleaned

    @property
    def values(self) -> dict:
        """The inputs that fill the prompt template (uploads are passed as references, not text)."""
        return {
            field.key: input_value(self.cleaned_data.get(field.key))
            for field in self.app_fields
            if field.type != FieldType.IMAGE
        }

    @property
    def params(self) -> dict:
        return {
            name: self.cleaned_data[PARAM_PREFIX + name]
            for name in self.param_choices
            if name in PARAM_NAMES and self.cleaned_data.get(PARAM_PREFIX + name) not in (None, "")
        }

    @property
    def param_fields(self) -> list:
        return [self[PARAM_PREFIX + name] for name in self.param_choices]

    @property
    def input_fields(self) -> list:
        return [self[f.key] for f in self.app_fields]
