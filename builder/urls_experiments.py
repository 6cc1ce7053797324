"""Comparisons (builder) and experiments (builder and public votes)."""

from django.urls import path

from .views import compare, experiments

app_name = "experiments"

urlpatterns = [
    path("apps/<int:pk>/compare/", compare.compare_new, name="compare_new"),
    path("apps/<int:pk>/compare/estimate/", compare.compare_estimate, name="compare_estimate"),
    path("apps/<int:pk>/compare/<int:cid>/", compare.compare_detail, name="compare_detail"),
    path("apps/<int:pk>/compare/<int:cid>/rerun/", compare.compare_rerun, name="compare_rerun"),
    path("apps/<int:pk>/compare/<int:cid>/use/<int:index>/", compare.compare_use, name="compare_use"),
    path("apps/<int:pk>/experiments/new/", experiments.experiment_new, name="experiment_new"),
    path("apps/<int:pk>/experiments/panel/", experiments.app_panel, name="app_panel"),
    path("apps/<int:pk>/experiments/<int:eid>/", experiments.experiment_detail, name="experiment_detail"),
    path("apps/<int:pk>/experiments/<int:eid>/stop/", experiments.experiment_stop, name="experiment_stop"),
    path(
        "apps/<int:pk>/experiments/<int:eid>/promote/<int:vid>/",
        experiments.experiment_promote,
        name="experiment_promote",
    ),
    path("runs/<uuid:run_id>/vote/", experiments.vote, name="vote"),
]
