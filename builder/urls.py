"""The builder dashboard (signed-in builders)."""

from django.urls import path

from .views import dashboard

app_name = "builder"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("apps/new/", dashboard.app_new, name="app_new"),
    path("apps/params/", dashboard.app_params, name="app_params"),
    path("apps/preview/", dashboard.app_preview, name="app_preview"),
    path("apps/<int:pk>/", dashboard.app_detail, name="app_detail"),
    path("apps/<int:pk>/edit/", dashboard.app_edit, name="app_edit"),
    path("apps/<int:pk>/test/", dashboard.app_test, name="app_test"),
    path("apps/<int:pk>/publish/", dashboard.app_publish, name="app_publish"),
    path("apps/<int:pk>/duplicate/", dashboard.app_duplicate, name="app_duplicate"),
    path("apps/<int:pk>/delete/", dashboard.app_delete, name="app_delete"),
    path("apps/<int:pk>/switch/", dashboard.app_switch, name="app_switch"),
    path("apps/<int:pk>/cover/", dashboard.app_cover, name="app_cover"),
]
