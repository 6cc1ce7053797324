"""Accounts: sign up, sign in and out, password change and reset; each user sees only their own apps."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from builder.models import App
from tests.factories import AppFactory, RunFactory, UserFactory

from .helpers import app_data

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def test_sign_up_signs_in_and_lands_on_the_dashboard(client):
    response = client.post(
        reverse("signup"),
        {"username": "ada", "email": "ada@example.com", "password1": "lovelace-1843!", "password2": "lovelace-1843!"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("builder:dashboard")
    assert "Welcome, ada" in response.content.decode()
    assert get_user_model().objects.get(username="ada").email == "ada@example.com"


def test_sign_up_errors_are_shown(client):
    body = client.post(
        reverse("signup"), {"username": "ada", "email": "nope", "password1": "x", "password2": "y"}
    ).content.decode()
    assert "Enter a valid email address." in body and "The two password fields didn’t match." in body


def test_sign_in_and_out(client):
    user = UserFactory(username="grace")
    response = client.post(reverse("login"), {"username": "grace", "password": PASSWORD}, follow=True)
    assert response.context["user"] == user
    assert "My apps" in response.content.decode()
    response = client.post(reverse("logout"), follow=True)
    assert not response.context["user"].is_authenticated


def test_dashboard_needs_sign_in(client):
    response = client.get(reverse("builder:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    assert "Change your password" in client.get(reverse("password_change")).content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-new-secret-9", "new_password2": "a-new-secret-9"},
    )
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("a-new-secret-9")


def test_password_reset_by_email(client):
    user = UserFactory(email="kim@example.com")
    response = client.post(reverse("password_reset"), {"email": "kim@example.com"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Reset your Appaca password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()
    client.post(response.redirect_chain[-1][0], {"new_password1": "fresh-start-77", "new_password2": "fresh-start-77"})
    user.refresh_from_db()
    assert user.check_password("fresh-start-77")


def test_dashboard_lists_only_my_apps(client):
    me, other = UserFactory(), UserFactory()
    AppFactory(owner=me, name="Mine")
    AppFactory(owner=other, name="Theirs")
    client.force_login(me)
    body = client.get(reverse("builder:dashboard")).content.decode()
    assert "Mine" in body and "Theirs" not in body


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("builder:app_detail", "get"),
        ("builder:app_edit", "get"),
        ("builder:app_edit", "post"),
        ("builder:app_delete", "get"),
        ("builder:app_delete", "post"),
        ("builder:app_publish", "post"),
        ("builder:app_duplicate", "post"),
        ("builder:app_test", "post"),
        ("builder:app_switch", "post"),
        ("builder:app_cover", "get"),
    ],
)
def test_another_users_app_is_404(client, name, method):
    theirs = AppFactory()
    RunFactory(app=theirs)
    client.force_login(UserFactory())
    response = getattr(client, method)(reverse(name, args=[theirs.pk]), app_data() if method == "post" else None)
    assert response.status_code == 404
    assert App.objects.filter(pk=theirs.pk, state="published", name=theirs.name).exists()


def test_params_partial_refuses_another_users_app(client):
    theirs = AppFactory()
    client.force_login(UserFactory())
    response = client.post(reverse("builder:app_params"), {**app_data(), "app_id": theirs.pk})
    assert response.status_code == 404
