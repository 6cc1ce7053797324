"""Run status and output images, shared by the builder and the public pages."""

from django.urls import path

from . import views

app_name = "generation"

urlpatterns = [
    path("runs/<uuid:run_id>/status/", views.run_status, name="run_status"),
    path("runs/<uuid:run_id>/preview/", views.image_preview, name="preview"),
    path("runs/<uuid:run_id>/images/<int:index>/", views.image_original, name="image"),
    path("runs/<uuid:run_id>/images/<int:index>/thumb/", views.image_thumb, name="thumb"),
]
