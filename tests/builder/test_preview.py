"""The live prompt preview: the template filled from the fields' samples or defaults."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

from .helpers import app_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    return client


def preview(client, data):
    response = client.post(reverse("builder:app_preview"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_preview_fills_placeholders_from_samples_then_defaults(signed_in):
    data = app_data(
        {"key": "subject", "label": "Subject", "sample": "a blue mug", "default": "a cup"},
        {"key": "style", "label": "Style", "type": "select", "options": "photo\nsketch", "default": "sketch"},
        prompt_template="A {{ style }} of {{ subject }}",
    )
    body = preview(signed_in, data)
    assert "A sketch of a blue mug" in body and "<html" not in body


def test_preview_is_plain_substitution_never_a_template(signed_in):
    data = app_data(
        {"key": "subject", "label": "Subject", "sample": "{% debug %}<b>{{ settings }}</b>"},
        prompt_template="Draw {{ subject }} {% now 'Y' %}",
    )
    body = preview(signed_in, data)
    assert "Draw {% debug %}&lt;b&gt;{{ settings }}&lt;/b&gt; {% now &#x27;Y&#x27; %}" in body


def test_preview_names_unknown_placeholders_and_unused_required_fields(signed_in):
    data = app_data(
        {"key": "subject", "label": "Subject"},
        {"key": "style", "label": "Style"},
        prompt_template="A {{ colour }} {{ subject }}",
    )
    body = preview(signed_in, data)
    assert "No field for <code>{{ colour }}</code>" in body
    assert "Required field not in the template: style." in body
    assert "No sample or default yet for: subject." in body


def test_preview_ignores_removed_fields(signed_in):
    data = app_data({"key": "subject", "label": "Subject", "sample": "x", "DELETE": "on"})
    assert "No field for <code>{{ subject }}</code>" in preview(signed_in, data)


def test_preview_needs_sign_in(client):
    response = client.post(reverse("builder:app_preview"), app_data())
    assert response.status_code == 302
