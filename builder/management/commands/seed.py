"""Idempotent seed for `make run`: a staff demo account and one published demo app (the sticker starter on
the offline model). The registry itself is seeded by a migration. Existing rows are left as they are."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from builder.models import App, AppState, Field
from builder.starters import starter_for
from generation.models import ImageModel

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-appaca"


class Command(BaseCommand):
    help = "Seed the demo account and demo app (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"email": "demo@example.com", "is_staff": True, "is_superuser": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        sticker = starter_for("sticker")
        app, created = App.objects.get_or_create(
            slug="sticker-studio",
            defaults=dict(
                owner=user,
                name="Sticker studio",
                description="Describe a subject and get a die-cut sticker on a transparent background.",
                state=AppState.PUBLISHED,
                model=ImageModel.objects.get(key="offline"),
                prompt_template=sticker.prompt_template,
                params=sticker.params,
                visitor_params=["size"],
                sample_inputs={f["key"]: f["sample"] for f in sticker.fields if "sample" in f},
            ),
        )
        if created:
            for order, spec in enumerate(sticker.fields):
                Field.objects.create(app=app, order=order, **{k: v for k, v in spec.items() if k != "sample"})
        self.stdout.write(f"Seeded: user {DEMO_USERNAME!r}, app {app.slug!r}.")
