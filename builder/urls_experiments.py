"""Comparisons (builder) and experiments (builder and public votes)."""

app_name = "experiments"

urlpatterns: list = []
