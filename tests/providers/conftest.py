"""Helpers for the provider tests: registry specs as the pipeline builds them, and image checks."""

import io

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
