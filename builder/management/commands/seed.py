"""Idempotent seed for `make run`: the registry (as the migration seeds it), a staff demo account and one
published demo app. Existing rows are left as they are."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from builder.models import App, AppState, Field, FieldType
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
        app, created = App.objects.get_or_create(
            slug="sticker-studio",
            defaults=dict(
                owner=user,
                name="Sticker studio",
                description="Describe a subject and get a die-cut sticker on a transparent background.",
                state=AppState.PUBLISHED,
                model=ImageModel.objects.get(key="offline"),
                prompt_template="A die-cut {{ style }} sticker of {{ subject }}, bold outline, transparent background",
                params={
                    "size": "1024x1024",
                    "quality": "medium",
                    "background": "transparent",
                    "output_format": "png",
                    "n": 1,
                },
                visitor_params=["size"],
                sample_inputs={"subject": "a red fox reading a book", "style": "cartoon"},
            ),
        )
        if created:
            Field.objects.create(
                app=app,
                order=0,
                key="subject",
                label="Subject",
                type=FieldType.SHORT_TEXT,
                max_length=200,
                help_text="What the sticker shows.",
            )
            Field.objects.create(
                app=app,
                order=1,
                key="style",
                label="Style",
                type=FieldType.SELECT,
                options=["cartoon", "watercolor", "pixel art"],
                default="cartoon",
            )
        self.stdout.write(f"Seeded: user {DEMO_USERNAME!r}, app {app.slug!r}.")
