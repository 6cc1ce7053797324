"""Sign up, sign in, sign out, password change and reset: Django's auth views plus sign-up."""

from django.urls import include, path

from .views import accounts

urlpatterns = [
    path("signup/", accounts.signup, name="signup"),
    path("", include("django.contrib.auth.urls")),
]
