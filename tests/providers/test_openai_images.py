"""The Images API provider through the real `openai` SDK against the local server (spec-validated)."""

from decimal import Decimal

from generation import pricing
from generation.providers.base import GenerationRequest, Usage
from generation.providers.openai_images import OpenAIImagesProvider
from tests.providers.conftest import open_image, png_reference


def test_generate_sends_the_pinned_snapshot_and_every_requested_field(openai_server, spec_of):
    spec = spec_of("gpt-image-2.5-sunburst")
    request = GenerationRequest(
        prompt="A sticker of a red fox",
        size="1536x1024",
        quality="low",
        background="opaque",
        output_format="png",
        n=2,
        moderation="low",
        end_user_id="visitor-abc",
    )

    result = OpenAIImagesProvider().generate(spec, request)

    openai_server.assert_valid()
    [sent] = openai_server.requests
    assert sent.path == "/v1/images/generations"
    assert sent.model == "gpt-image-2.5-sunburst-2026-09-08"
    assert sent.body == {
        "model": "gpt-image-2.5-sunburst-2026-09-08",
        "prompt": "A sticker of a red fox",
        "size": "1536x1024",
        "quality": "low",
        "background": "opaque",
        "output_format": "png",
        "n": 2,
        "moderation": "low",
        "safety_identifier": "visitor-abc",
    }
    assert len(result.images) == 2
    assert all(image.content_type == "image/png" for image in result.images)
    assert open_image(result.images[0].data).format == "PNG"
    assert result.vendor_request_id.startswith("req_fake")
    assert result.latency_ms >= 0
    assert result.usage.text_input_tokens == len("A sticker of a red fox") // 4
    assert result.usage.image_output_tokens > 0
    assert Decimal(str(result.cost_usd)) == pricing.cost_from_usage(spec, result.usage)


def test_compression_is_sent_only_for_jpeg_and_webp(openai_server, spec_of):
    spec = spec_of("gpt-image-2.5-flare")
    provider = OpenAIImagesProvider()

    jpeg = provider.generate(spec, GenerationRequest(prompt="fox", output_format="jpeg", output_compression=60))
    provider.generate(spec, GenerationRequest(prompt="fox", output_format="png", output_compression=60))

    openai_server.assert_valid()
    first, second = openai_server.requests
    assert first.body["output_compression"] == 60
    assert "output_compression" not in second.body
    assert "safety_identifier" not in first.body
    assert jpeg.images[0].content_type == "image/jpeg"
    assert open_image(jpeg.images[0].data).format == "JPEG"


def test_reference_images_and_mask_go_to_edits_as_multipart(openai_server, spec_of):
    spec = spec_of("gpt-image-2.5-sunburst")
    request = GenerationRequest(
        prompt="Put the fox in a hat",
        output_format="webp",
        output_compression=70,
        background="transparent",
        references=[png_reference("fox.png"), png_reference("hat.png", colour=(0, 0, 255, 255))],
        mask=png_reference("mask.png", colour=(0, 0, 0, 0)),
    )

    result = OpenAIImagesProvider().generate(spec, request)

    openai_server.assert_valid()
    [sent] = openai_server.requests
    assert sent.path == "/v1/images/edits"
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert sent.model == "gpt-image-2.5-sunburst-2026-09-08"
    assert [part["filename"] for part in sent.body["image"]] == ["fox.png", "hat.png"]
    assert sent.body["mask"]["filename"] == "mask.png"
    assert sent.body["output_compression"] == "70"
    assert result.images[0].content_type == "image/webp"
    assert open_image(result.images[0].data).mode == "RGBA"
    assert result.usage.image_input_tokens > 0  # the references are billed as image input


def test_streamed_partial_images_reach_the_progress_callback(openai_server, spec_of):
    events = []
    request = GenerationRequest(prompt="A lighthouse", partial_images=2, progress=events.append)

    result = OpenAIImagesProvider().generate(spec_of("gpt-image-2.5-sunburst"), request)

    openai_server.assert_valid()
    [sent] = openai_server.requests
    assert sent.body["stream"] is True and sent.body["partial_images"] == 2
    assert [event.partial_image is not None for event in events] == [True, True]
    assert all(open_image(event.partial_image).format == "PNG" for event in events)
    assert 0 < events[0].percent < events[1].percent < 100
    assert len(result.images) == 1 and open_image(result.images[0].data).size == (1024, 1024)
    assert result.usage.image_output_tokens > 0
    assert result.vendor_request_id.startswith("req_fake")


def test_no_streaming_without_a_progress_callback(openai_server, spec_of):
    OpenAIImagesProvider().generate(spec_of("gpt-image-2"), GenerationRequest(prompt="x", partial_images=2))

    assert "stream" not in openai_server.requests[0].body
    assert openai_server.requests[0].model == "gpt-image-2-2026-04-21"


def test_gpt_image_1_usage_costs_its_published_token_prices(spec_of):
    spec = spec_of("gpt-image-1")
    usage = Usage(text_input_tokens=1000, image_input_tokens=2000, image_output_tokens=4160)

    # 1000 x 5.00 + 2000 x 10.00 + 4160 x 40.00 per 1M tokens
    assert pricing.cost_from_usage(spec, usage) == Decimal("0.191400")
