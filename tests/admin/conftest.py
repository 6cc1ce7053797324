"""Rows the admin tests share: a second offline model ("offline-b") so a switch needs no network."""

import pytest
from django import forms

from generation.models import ImageModel, ProviderKind
from tests.factories import image_model


@pytest.fixture
def offline_b(db):
    offline = image_model("offline")
    return ImageModel.objects.create(
        key="offline-b",
        display_name="Offline B",
        provider=ProviderKind.OFFLINE,
        capabilities=dict(offline.capabilities),
        pricing={},
        sort_order=1,
    )


def changelist_action(client, url, action, apps, **extra):
    """POST an admin action for these rows, as the changelist's action bar does."""
    data = {"action": action, "_selected_action": [str(a.pk) for a in apps], **extra}
    return client.post(url, data, follow=True)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def change_form_data(response, **overrides) -> dict:
    """What the admin change form on this page would POST unchanged (inline management forms included),
    with `overrides` applied; a None override leaves the field out (an unticked checkbox)."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value is not None:
                    data[subform.add_prefix(name)] = value
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
