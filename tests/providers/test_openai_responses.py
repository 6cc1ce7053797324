"""GPT-4.1 Mini drawing through the Responses API's image_generation tool, against the local server."""

import base64
from dataclasses import replace
from decimal import Decimal

import pytest

from generation import pricing
from generation.providers.base import GenerationRequest, Usage
from generation.providers.errors import ContentPolicyError, NotConfiguredError, RetryableError
from generation.providers.openai_responses import OpenAIResponsesProvider
from tests.providers.conftest import open_image, png_reference


def test_image_tool_is_forced_and_its_model_always_sent(openai_server, spec_of):
    spec = spec_of("gpt-4.1-mini")
    request = GenerationRequest(
        prompt="A watercolour heron",
        size="1024x1536",
        quality="high",
        background="transparent",
        output_format="webp",
        output_compression=80,
        end_user_id="visitor-1",
    )

    result = OpenAIResponsesProvider().generate(spec, request)

    openai_server.assert_valid()
    [sent] = openai_server.requests
    assert sent.path == "/v1/responses"
    assert sent.model == "gpt-4.1-mini"
    assert sent.body["tool_choice"] == {"type": "image_generation"}
    assert sent.body["tools"] == [
        {
            "type": "image_generation",
            "model": "gpt-image-2.5-flare-2026-09-08",  # the registry's tool model, pinned snapshot
            "size": "1024x1536",
            "quality": "high",
            "background": "transparent",
            "output_format": "webp",
            "moderation": "auto",
            "output_compression": 80,
        }
    ]
    assert sent.body["safety_identifier"] == "visitor-1"
    assert sent.body["input"] == [{"role": "user", "content": [{"type": "input_text", "text": "A watercolour heron"}]}]
    [image] = result.images
    assert image.content_type == "image/webp"
    assert open_image(image.data).size == (1024, 1536)
    assert image.revised_prompt == "A watercolour heron (revised)"
    assert result.vendor_request_id.startswith("req_fake")


def test_tool_model_is_sent_even_for_defaults(openai_server, spec_of):
    OpenAIResponsesProvider().generate(spec_of("gpt-4.1-mini"), GenerationRequest(prompt="x"))

    assert openai_server.requests[0].tool_models == ["gpt-image-2.5-flare-2026-09-08"]


def test_text_model_without_a_tool_model_is_not_configured_and_sends_nothing(openai_server, spec_of):
    spec = replace(spec_of("gpt-4.1-mini"), tool_image_model=None)

    with pytest.raises(NotConfiguredError):
        OpenAIResponsesProvider().generate(spec, GenerationRequest(prompt="x"))

    assert openai_server.requests == []


def test_reference_images_are_sent_as_input_image_data_urls(openai_server, spec_of):
    reference = png_reference("cat.png")

    OpenAIResponsesProvider().generate(
        spec_of("gpt-4.1-mini"), GenerationRequest(prompt="This cat as a knight", references=[reference])
    )

    openai_server.assert_valid()
    content = openai_server.requests[0].body["input"][0]["content"]
    assert content[0] == {"type": "input_text", "text": "This cat as a knight"}
    assert content[1]["type"] == "input_image"
    assert content[1]["image_url"] == "data:image/png;base64," + base64.b64encode(reference.data).decode()
    assert openai_server.requests[0].body["tools"][0]["action"] == "edit"


def test_both_parts_of_the_usage_are_read_and_billed(openai_server, spec_of):
    spec = spec_of("gpt-4.1-mini")

    result = OpenAIResponsesProvider().generate(spec, GenerationRequest(prompt="A fox", quality="low"))

    usage = result.usage
    assert usage.text_model_input_tokens > 0 and usage.text_model_output_tokens == 30
    assert usage.image_output_tokens == 272  # the tool's output tokens at low, 1024x1024
    assert usage.text_input_tokens == 1
    assert Decimal(str(result.cost_usd)) == pricing.cost_from_usage(spec, usage)
    expected = (
        Decimal("0.40") * usage.text_model_input_tokens
        + Decimal("1.60") * usage.text_model_output_tokens
        + Decimal("5") * usage.text_input_tokens
        + Decimal("30") * usage.image_output_tokens
    ) / 1_000_000
    assert Decimal(str(result.cost_usd)) == expected.quantize(Decimal("0.000001"))


def test_gpt_4_1_mini_cost_is_text_at_its_rates_and_image_at_flare_rates(spec_of):
    usage = Usage(
        text_model_input_tokens=1_000_000,
        text_model_output_tokens=1_000_000,
        text_input_tokens=1_000_000,
        image_input_tokens=1_000_000,
        image_output_tokens=1_000_000,
    )

    # 0.40 + 1.60 for gpt-4.1-mini's own tokens; 5 + 8 + 30 for gpt-image-2.5-flare's
    assert pricing.cost_from_usage(spec_of("gpt-4.1-mini"), usage) == Decimal("45.000000")


def test_moderation_failure_inside_the_image_call_is_a_content_policy_error(openai_server, spec_of):
    openai_server.queue("moderation_in_output")

    with pytest.raises(ContentPolicyError) as caught:
        OpenAIResponsesProvider().generate(spec_of("gpt-4.1-mini"), GenerationRequest(prompt="x"))

    assert caught.value.vendor_code == "moderation_blocked"
    assert not caught.value.retryable


def test_a_failed_response_with_a_server_error_is_retryable(openai_server, spec_of):
    openai_server.queue("response_failed", message="The model had a hiccup.")

    with pytest.raises(RetryableError) as caught:
        OpenAIResponsesProvider().generate(spec_of("gpt-4.1-mini"), GenerationRequest(prompt="x"))

    assert caught.value.vendor_code == "server_error"
    assert caught.value.message == "The model had a hiccup."
