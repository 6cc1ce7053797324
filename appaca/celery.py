"""The Celery app: configuration comes from Django settings (the CELERY_ namespace)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appaca.settings")

app = Celery("appaca")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "recover-runs": {"task": "generation.tasks.recover_runs", "schedule": 30.0},
    "check-models": {"task": "generation.tasks.check_models", "schedule": crontab(hour=6, minute=0)},
}
