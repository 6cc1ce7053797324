"""Rows the admin tests share: a second offline model ("offline-b") so a switch needs no network."""

import pytest

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
