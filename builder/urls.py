"""The builder dashboard (signed-in builders)."""

from django.urls import path

from .views import dashboard

app_name = "builder"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("apps/<int:pk>/", dashboard.app_detail, name="app_detail"),
]
