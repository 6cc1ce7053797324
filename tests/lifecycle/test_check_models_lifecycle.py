"""`check_models` and the scheduler: the check runs once a day from beat, and a retired image tool model is
judged by the successor that will really be sent for it."""

import io

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command
from django.utils import timezone

from appaca.celery import app as celery_app
from tests.factories import AppFactory, image_model


def check_models() -> tuple[str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_models", stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue() + err.getvalue() + str(exc), exc.returncode
    return out.getvalue() + err.getvalue(), 0


def test_check_models_is_scheduled_once_a_day():
    [entry] = [e for e in celery_app.conf.beat_schedule.values() if e["task"] == "generation.tasks.check_models"]
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1
    assert schedule.day_of_week == set(range(7)) and schedule.day_of_month == set(range(1, 32))
    celery_app.loader.import_default_modules()
    assert "generation.tasks.check_models" in celery_app.tasks


@pytest.mark.django_db
def test_a_retired_tool_model_with_a_reachable_successor_passes_the_check(openai_server):
    flare = image_model("gpt-image-2.5-flare")
    flare.shutdown_date = timezone.now().date()
    flare.successor = image_model("gpt-image-2.5-sunburst")
    flare.save()
    openai_server.models -= {"gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08"}  # the vendor withdrew it
    AppFactory(model=image_model("gpt-4.1-mini"), slug="heron-app")

    output, code = check_models()

    assert code == 0, output
    assert "Every app's model can run." in output


@pytest.mark.django_db
def test_a_retired_tool_model_without_a_successor_fails_the_check(openai_server):
    flare = image_model("gpt-image-2.5-flare")
    flare.shutdown_date = timezone.now().date()
    flare.successor = None
    flare.save()
    AppFactory(model=image_model("gpt-4.1-mini"), slug="heron-app")

    output, code = check_models()

    assert code == 1
    assert "App heron-app: GPT-4.1 Mini (image tool)'s image tool: GPT Image 2.5 Flare was retired on" in output
