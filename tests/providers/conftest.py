"""Helpers for the provider tests: registry specs as the pipeline builds them, and image checks."""

import io
import uuid

import pytest
from PIL import Image

from generation import registry
from generation.models import ImageModel
from generation.providers.base import ReferenceImage


@pytest.fixture
def spec_of(db):
    """The ModelSpec the run pipeline would hand a provider for a registry key."""

    def spec(key: str):
        return registry.spec_for(ImageModel.objects.get(key=key))

    return spec


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def png_reference(name: str = "ref.png", size=(64, 64), colour=(200, 30, 30, 255)) -> ReferenceImage:
    buffer = io.BytesIO()
    Image.new("RGBA", size, colour).save(buffer, "PNG")
    return ReferenceImage(buffer.getvalue(), "image/png", name)


@pytest.fixture
def private_queue(settings):
    """Runs started in transactional tests are enqueued after commit: send them to a queue of their own,
    deleted afterwards, so no worker anywhere picks them up. The tests execute runs themselves."""
    import redis

    from appaca.celery import app

    queue = f"providers-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = previous
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue, f"_kombu.binding.{queue}")
