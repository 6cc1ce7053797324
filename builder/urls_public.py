"""Public app pages: anyone with the link."""

from django.urls import path

from .views import public

app_name = "public"

urlpatterns = [
    path("a/<slug:slug>/", public.app_page, name="app"),
]
