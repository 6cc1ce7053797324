"""`make run` seeds a staff demo account and a published demo app, and seeding twice changes nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from builder.models import App, AppState

pytestmark = pytest.mark.django_db


def test_seed_makes_a_staff_demo_account_and_a_published_app_whose_page_works(client):
    call_command("seed")
    call_command("seed")

    app = App.objects.get(slug="sticker-studio")
    assert App.objects.count() == 1 and app.state == AppState.PUBLISHED
    assert app.owner.username == "demo" and app.owner.is_staff and app.owner.check_password("demo-appaca")
    assert [f.key for f in app.fields.all()] == ["subject", "style"]
    assert app.sample_inputs["subject"]
    page = client.get(reverse("public:app", args=[app.slug]))
    assert page.status_code == 200 and "Sticker studio" in page.content.decode()
