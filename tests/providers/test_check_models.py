"""`manage.py check_models`: what this key can reach, stored on each model, and a failing exit code when an
app would break on its next run."""

import io

import pytest
from django.core.management import CommandError, call_command

from generation.models import ImageModel
from tests.factories import AppFactory, image_model

pytestmark = pytest.mark.django_db


def check_models() -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_models", stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
        return out.getvalue(), err.getvalue(), exc.returncode
    return out.getvalue(), err.getvalue(), 0


def row(output: str, key: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.split()[:1] == [key])


def reachable(key: str) -> bool | None:
    return ImageModel.objects.get(key=key).reachable


def test_everything_listed_passes_and_stores_reachability(openai_server):
    AppFactory(model=image_model("gpt-image-1"))  # retired, served by sunburst which is listed
    AppFactory(model=image_model("gpt-4.1-mini"))

    out, err, code = check_models()

    assert code == 0, err
    assert [r.path for r in openai_server.requests] == ["/v1/models"]
    assert row(out, "key")[:4] == ["key", "vendor", "id", "state"]
    assert row(out, "gpt-image-1") == ["gpt-image-1", "gpt-image-1", "retired", "NO", "2026-10-23", "1"]
    assert row(out, "gpt-4.1-mini") == ["gpt-4.1-mini", "gpt-4.1-mini", "deprecated", "yes", "2027-01-14", "1"]
    assert row(out, "gpt-image-2.5-sunburst")[1:4] == ["gpt-image-2.5-sunburst-2026-09-08", "available", "yes"]
    assert "Every app's model can run." in out
    assert reachable("gpt-image-2.5-sunburst") is True
    assert reachable("gpt-image-1") is False
    assert reachable("offline") is True
    assert ImageModel.objects.get(key="gpt-image-2").last_checked_at is not None


def test_an_unlisted_model_in_use_fails_the_check(openai_server):
    openai_server.models -= {"gpt-image-2-2026-04-21", "gpt-image-2"}
    AppFactory(model=image_model("gpt-image-2"), slug="poster-maker")

    out, err, code = check_models()

    assert code == 1
    assert row(out, "gpt-image-2")[3] == "NO"
    assert "App poster-maker: gpt-image-2 is not reachable" in err
    assert reachable("gpt-image-2") is False


def test_an_unlisted_model_nobody_uses_is_reported_but_passes(openai_server):
    openai_server.models -= {"gpt-image-2-2026-04-21"}

    out, err, code = check_models()

    assert code == 0, err
    assert row(out, "gpt-image-2")[3] == "NO"
    assert "alias gpt-image-2 is listed, the pinned snapshot is not" in out


def test_a_text_model_whose_image_tool_model_is_unlisted_fails_the_check(openai_server):
    openai_server.models -= {"gpt-image-2.5-flare-2026-09-08"}
    AppFactory(model=image_model("gpt-4.1-mini"), slug="heron-app")

    out, err, code = check_models()

    assert code == 1
    assert "App heron-app: gpt-image-2.5-flare" in err


def test_a_successor_that_is_unreachable_fails_apps_on_the_retired_model(openai_server):
    openai_server.models -= {"gpt-image-2.5-sunburst-2026-09-08"}
    AppFactory(model=image_model("gpt-image-1"), slug="old-app")

    out, err, code = check_models()

    assert code == 1
    assert "App old-app: gpt-image-2.5-sunburst (serving it for gpt-image-1) is not reachable" in err


def test_a_retired_model_in_use_without_a_fitting_successor_fails_the_check(openai_server):
    gpt_image_1 = image_model("gpt-image-1")
    gpt_image_1.successor = image_model("gpt-image-2")
    gpt_image_1.save()
    AppFactory(
        model=gpt_image_1,
        slug="sticker-app",
        params={"size": "1024x1024", "quality": "low", "background": "transparent", "output_format": "png"},
    )

    out, err, code = check_models()

    assert code == 1
    assert "App sticker-app: GPT Image 1 was retired on 2026-10-23" in err


def test_without_a_key_it_says_so_and_checks_only_the_offline_model(openai_server, settings):
    settings.OPENAI_API_KEY = ""
    ImageModel.objects.filter(key="gpt-image-2").update(reachable=True)
    AppFactory()  # on the offline model

    out, err, code = check_models()

    assert code == 0, err
    assert "OPENAI_API_KEY is not set: only the offline model was checked." in out
    assert openai_server.requests == []
    assert row(out, "offline")[3] == "yes"
    assert row(out, "gpt-image-2")[3] == "-"
    assert reachable("offline") is True
    assert reachable("gpt-image-2") is True  # untouched: not checked
    assert ImageModel.objects.get(key="gpt-image-2").last_checked_at is None


def test_a_refused_key_exits_non_zero_with_the_reason(openai_server):
    openai_server.queue("unauthorized")

    out, err, code = check_models()

    assert code == 2
    assert "Could not list the provider's models" in err


def test_the_scheduled_task_runs_the_check(openai_server):
    from generation.tasks import check_models as task

    task.apply()

    assert [r.path for r in openai_server.requests] == ["/v1/models"]
    assert reachable("gpt-4.1-mini") is True
