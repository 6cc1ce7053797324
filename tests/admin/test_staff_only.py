"""The admin is for staff only: visitors and signed-in builders are sent to sign in."""

import pytest
from django.urls import reverse

from tests.factories import AppFactory, UserFactory, image_model

PAGES = [
    "admin:index",
    "admin:builder_app_changelist",
    "admin:generation_imagemodel_changelist",
    "admin:generation_run_changelist",
    "admin:builder_modelswitch_changelist",
    "admin:generation_sitesettings_changelist",
]


@pytest.mark.parametrize("url_name", PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login")) and "next=" in response.url


def test_signed_in_builder_who_is_not_staff_is_sent_to_sign_in(client, db):
    client.force_login(UserFactory(username="builder"))
    response = client.get(reverse("admin:builder_app_changelist"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    login_page = client.get(response.url)
    assert "not authorized to access this page" in login_page.content.decode()


def test_non_staff_cannot_run_an_admin_action(client, db):
    app = AppFactory()
    client.force_login(UserFactory(username="builder"))
    response = client.post(
        reverse("admin:builder_app_changelist"),
        {"action": "switch_model", "_selected_action": [app.pk], "apply": "1", "model": image_model("gpt-image-2").pk},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.model == image_model("offline")


@pytest.mark.parametrize("url_name", PAGES)
def test_staff_see_every_admin_page(admin_client, url_name):
    response = admin_client.get(reverse(url_name), follow=True)
    assert response.status_code == 200
