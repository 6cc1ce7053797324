"""Public app pages: anyone with the link."""

from django.urls import path

from .views import public

app_name = "public"

urlpatterns = [
    path("a/<slug:slug>/", public.app_page, name="app"),
    path("a/<slug:slug>/embed/", public.embed, name="embed"),
    path("a/<slug:slug>/cover/", public.cover, name="cover"),
    path("r/<uuid:run_id>/", public.share, name="share"),
]
