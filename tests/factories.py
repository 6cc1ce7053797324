"""factory-boy factories for the rows tests need."""

import factory
from django.contrib.auth import get_user_model

from builder.models import App, AppState, Field, FieldType
from generation.models import ImageModel, Run


def image_model(key: str = "offline") -> ImageModel:
    return ImageModel.objects.get(key=key)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"builder{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class AppFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = App
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Sticker maker {n}")
    slug = factory.Sequence(lambda n: f"sticker-maker-{n}")
    description = "Turns a subject into a sticker."
    state = AppState.PUBLISHED
    model = factory.LazyFunction(lambda: image_model("offline"))
    prompt_template = "A sticker of {{ subject }}"
    params = factory.LazyFunction(
        lambda: {"size": "1024x1024", "quality": "low", "background": "auto", "output_format": "png", "n": 1}
    )
    sample_inputs = factory.LazyFunction(lambda: {"subject": "a red fox"})

    @factory.post_generation
    def with_fields(self, create, extracted, **kwargs):
        if create and extracted is not False and not self.fields.exists():
            Field.objects.create(app=self, order=0, key="subject", label="Subject", type=FieldType.SHORT_TEXT)


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    app = factory.SubFactory(AppFactory)
    requested_model = factory.LazyAttribute(lambda o: o.app.model if o.app else image_model())
    model = factory.LazyAttribute(lambda o: o.requested_model)
    prompt = "A sticker of a red fox"
    params = factory.LazyFunction(lambda: {"size": "1024x1024", "quality": "low", "output_format": "png", "n": 1})
