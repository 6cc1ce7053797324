"""The account pages in Chromium: sign in, change the password, and reset a forgotten one by email."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def submit(page, name):
    page.get_by_role("button", name=name).click()


def test_sign_in_change_password_sign_out_and_reset_it_by_email(page, live_server, settings, screenshot_dir):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = UserFactory(username="ada", email="ada@example.com")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("wrong password")
    submit(page, "Sign in")
    expect(page.get_by_role("alert").first).to_be_visible()
    page.get_by_label("Password").fill("correct-horse-battery")
    submit(page, "Sign in")
    expect(page.get_by_role("heading", name="My apps")).to_be_visible()

    page.get_by_role("link", name="Account").click()
    page.get_by_label("Old password").fill("correct-horse-battery")
    page.get_by_label("New password", exact=True).fill("a-new-long-passphrase-42")
    page.get_by_label("New password confirmation").fill("a-new-long-passphrase-42")
    page.screenshot(path=screenshot_dir / "password-change.png", full_page=True)
    page.get_by_role("button", name=re.compile("Change", re.I)).click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_server.url}/accounts/password_reset/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name=re.compile("reset|send", re.I)).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    (message,) = mail.outbox
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("yet-another-passphrase-7")
    page.get_by_label("New password confirmation").fill("yet-another-passphrase-7")
    page.screenshot(path=screenshot_dir / "password-reset-confirm.png", full_page=True)
    page.get_by_role("button", name=re.compile("password", re.I)).click()
    expect(page.get_by_role("heading", name="Password set")).to_be_visible()
    user.refresh_from_db()
    assert user.check_password("yet-another-passphrase-7")
