"""The offline model: deterministic, prompt-dependent pictures in every size and format it claims, free."""

import pytest
from PIL import ImageChops

from generation.providers.base import GenerationRequest
from generation.providers.offline import OfflineProvider
from generation.seed_data import MODELS
from tests.providers.conftest import open_image

OFFLINE = next(m for m in MODELS if m["key"] == "offline")
CAPS = OFFLINE["capabilities"]
PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


def generate(spec, **kwargs):
    return OfflineProvider().generate(spec, GenerationRequest(**{"prompt": "A red fox", **kwargs}))


def test_same_input_gives_the_same_bytes(spec_of):
    spec = spec_of("offline")

    first = generate(spec, size="1024x1024", seed=7)
    second = generate(spec, size="1024x1024", seed=7)

    assert first.images[0].data == second.images[0].data


def test_different_prompts_give_visibly_different_pictures(spec_of):
    spec = spec_of("offline")

    fox = open_image(generate(spec, prompt="A red fox").images[0].data).convert("RGB")
    whale = open_image(generate(spec, prompt="A blue whale").images[0].data).convert("RGB")

    unchanged = ImageChops.difference(fox, whale).convert("L").histogram()[0]
    assert unchanged < 0.7 * fox.width * fox.height


def test_different_seeds_and_images_of_one_run_differ(spec_of):
    spec = spec_of("offline")

    run = generate(spec, n=2)

    assert run.images[0].data != run.images[1].data
    assert generate(spec, seed=1).images[0].data != generate(spec, seed=2).images[0].data


@pytest.mark.parametrize("size", [*CAPS["sizes"], "1536x864", "512x1536"])
@pytest.mark.parametrize("output_format", CAPS["output_formats"])
def test_every_size_and_format_it_claims(spec_of, size, output_format):
    result = generate(spec_of("offline"), size=size, output_format=output_format, output_compression=70)

    [image] = result.images
    opened = open_image(image.data)
    assert opened.size == tuple(int(edge) for edge in size.split("x"))
    assert opened.format == PIL_FORMATS[output_format]
    assert image.content_type == f"image/{output_format}"


@pytest.mark.parametrize("output_format", CAPS["transparent_formats"])
def test_transparent_background_is_honoured(spec_of, output_format):
    result = generate(spec_of("offline"), background="transparent", output_format=output_format)

    opened = open_image(result.images[0].data).convert("RGBA")
    # a see-through background (alpha 0) and opaque shapes (alpha 255)
    assert opened.getchannel("A").getextrema() == (0, 255)


def test_opaque_background_has_no_transparency(spec_of):
    opened = open_image(generate(spec_of("offline"), background="opaque").images[0].data)

    assert opened.mode == "RGB"


def test_it_costs_nothing_and_needs_no_key(spec_of, settings):
    settings.OPENAI_API_KEY = ""

    result = generate(spec_of("offline"), n=2)

    assert result.cost_usd == 0
    assert result.usage.as_dict() == dict.fromkeys(result.usage.as_dict(), 0)
    assert result.vendor_request_id == ""
