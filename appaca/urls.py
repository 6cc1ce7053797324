from django.contrib import admin
from django.urls import include, path

from generation import views as generation_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("builder.urls_accounts")),
    path("healthz/", generation_views.healthz, name="healthz"),
    path("", include("generation.urls")),
    path("", include("builder.urls_public")),
    path("", include("builder.urls_experiments")),
    path("", include("builder.urls")),
]
