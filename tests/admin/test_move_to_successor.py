"""'Move to successor', on apps and on models: the capability-checked switch, audited."""

from django.urls import reverse

from builder.models import ModelSwitch, SwitchKind
from tests.admin.conftest import changelist_action, page_messages
from tests.factories import AppFactory, image_model

APPS_URL = reverse("admin:builder_app_changelist")
MODELS_URL = reverse("admin:generation_imagemodel_changelist")


def test_move_to_successor_on_apps_moves_a_retired_models_app_with_an_audit_entry(admin_client, admin_user):
    app = AppFactory(name="Old stickers", model=image_model("gpt-image-1"))
    response = changelist_action(admin_client, APPS_URL, "move_to_successor", [app])
    app.refresh_from_db()
    assert app.model == image_model("gpt-image-2.5-sunburst")
    entry = ModelSwitch.objects.get()
    assert (entry.kind, entry.from_model, entry.to_model, entry.by) == (
        SwitchKind.SUCCESSOR,
        image_model("gpt-image-1"),
        image_model("gpt-image-2.5-sunburst"),
        admin_user,
    )
    assert "GPT Image 1 moved to its successor GPT Image 2.5 Sunburst" in entry.reason
    assert any("Switched 1 app to their successors: Old stickers" in n for n in page_messages(response))


def test_move_to_successor_leaves_apps_without_a_successor_and_says_why(admin_client):
    no_successor = AppFactory(name="Mini stickers", model=image_model("gpt-4.1-mini"))
    response = changelist_action(admin_client, APPS_URL, "move_to_successor", [no_successor])
    no_successor.refresh_from_db()
    assert no_successor.model == image_model("gpt-4.1-mini")
    assert not ModelSwitch.objects.exists()
    assert any(
        "Mini stickers was not moved: GPT-4.1 Mini (image tool) has no enabled successor." in n
        for n in page_messages(response)
    )


def test_move_to_successor_refuses_an_app_the_successor_cannot_run(admin_client):
    old = image_model("gpt-image-1")
    old.successor = image_model("gpt-image-2")  # no transparency there
    old.save()
    clear = AppFactory(
        name="Clear stickers",
        model=old,
        params={"size": "1024x1024", "quality": "low", "background": "transparent", "output_format": "png", "n": 1},
    )
    response = changelist_action(admin_client, APPS_URL, "move_to_successor", [clear])
    clear.refresh_from_db()
    assert clear.model == old
    assert any(n.startswith("Clear stickers was not moved") and "transparent" in n for n in page_messages(response))


def test_move_to_successor_on_a_model_moves_every_app_on_it(admin_client):
    mini = image_model("gpt-4.1-mini")
    mini.successor = image_model("gpt-image-2.5-flare")
    mini.save()
    apps = [AppFactory(model=mini) for _ in range(3)]
    untouched = AppFactory(model=image_model("offline"))
    changelist_action(admin_client, MODELS_URL, "move_apps_to_successor", [mini])
    for app in apps:
        app.refresh_from_db()
        assert app.model == image_model("gpt-image-2.5-flare")
    untouched.refresh_from_db()
    assert untouched.model == image_model("offline")
    assert ModelSwitch.objects.filter(kind=SwitchKind.SUCCESSOR).count() == 3


def test_successor_chain_skips_a_successor_that_is_itself_retired(admin_client):
    sunburst = image_model("gpt-image-2.5-sunburst")
    sunburst.shutdown_date = "2026-01-01"
    sunburst.successor = image_model("gpt-image-2.5-flare")
    sunburst.save()
    app = AppFactory(model=image_model("gpt-image-1"))
    changelist_action(admin_client, APPS_URL, "move_to_successor", [app])
    app.refresh_from_db()
    assert app.model == image_model("gpt-image-2.5-flare")
