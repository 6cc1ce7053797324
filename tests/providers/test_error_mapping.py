"""Every vendor failure becomes one of our errors, the same way for both OpenAI providers.

The SDK's own retries are off: each scripted failure reaches the server exactly once.
"""

import time

import pytest

from generation.providers.base import GenerationRequest
from generation.providers.errors import (
    BadOutputError,
    ContentPolicyError,
    InvalidRequestError,
    ModelUnavailableError,
    NotConfiguredError,
    RetryableError,
)
from generation.providers.openai_images import OpenAIImagesProvider
from generation.providers.openai_responses import OpenAIResponsesProvider

PROVIDERS = {
    "images": (OpenAIImagesProvider, "gpt-image-2.5-sunburst"),
    "responses": (OpenAIResponsesProvider, "gpt-4.1-mini"),
}


@pytest.fixture(params=sorted(PROVIDERS))
def call(request, openai_server, spec_of):
    provider_class, key = PROVIDERS[request.param]
    spec = spec_of(key)

    def generate(**kwargs):
        return provider_class().generate(spec, GenerationRequest(prompt="A red fox", quality="low", **kwargs))

    return generate


def test_rate_limit_is_retryable_and_honours_retry_after(call, openai_server):
    openai_server.queue("rate_limit", retry_after=7)

    with pytest.raises(RetryableError) as caught:
        call()

    assert caught.value.retryable
    assert caught.value.retry_after == 7
    assert caught.value.vendor_code == "rate_limit_exceeded"
    assert len(openai_server.requests) == 1  # no SDK retry


def test_server_error_is_retryable(call, openai_server):
    openai_server.queue("server_error")

    with pytest.raises(RetryableError) as caught:
        call()

    assert caught.value.retryable and caught.value.retry_after is None
    assert len(openai_server.requests) == 1


def test_slow_answer_past_the_timeout_is_retryable(call, openai_server):
    openai_server.queue("slow", delay=5)
    started = time.monotonic()

    with pytest.raises(RetryableError) as caught:
        call()

    assert time.monotonic() - started < 4.5  # OPENAI_TIMEOUT is 2 s in tests
    assert "did not answer in time" in caught.value.message
    assert len(openai_server.requests) == 1


def test_moderation_block_is_a_content_policy_error_the_visitor_can_act_on(call, openai_server):
    openai_server.queue("moderation")

    with pytest.raises(ContentPolicyError) as caught:
        call()

    assert not caught.value.retryable
    assert caught.value.vendor_code == "moderation_blocked"
    assert "rewording" in caught.value.message


def test_invalid_request_carries_the_vendor_message(call, openai_server):
    openai_server.queue("invalid_request", message="Invalid value for 'size': 17x17.")

    with pytest.raises(InvalidRequestError) as caught:
        call()

    assert not caught.value.retryable
    assert caught.value.message == "Invalid value for 'size': 17x17."


def test_forbidden_model_is_model_unavailable(call, openai_server):
    openai_server.queue("forbidden")

    with pytest.raises(ModelUnavailableError) as caught:
        call()

    assert not caught.value.retryable
    assert caught.value.code == "model_unavailable"


def test_model_not_found_is_model_unavailable(call, openai_server):
    openai_server.queue("not_found")

    with pytest.raises(ModelUnavailableError) as caught:
        call()

    assert caught.value.vendor_code == "model_not_found"


def test_garbage_instead_of_an_image_is_bad_output(call, openai_server):
    openai_server.queue("garbage")

    with pytest.raises(BadOutputError):
        call()

    openai_server.assert_valid()


def test_refused_key_is_not_configured(call, openai_server):
    openai_server.queue("unauthorized")

    with pytest.raises(NotConfiguredError) as caught:
        call()

    assert not caught.value.retryable
    assert "key was refused" in caught.value.message


def test_no_key_is_not_configured_and_nothing_is_sent(call, openai_server, settings):
    settings.OPENAI_API_KEY = ""

    with pytest.raises(NotConfiguredError):
        call()

    assert openai_server.requests == []


def test_unreachable_endpoint_is_retryable(call, settings):
    from tests.conftest import free_port

    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"

    with pytest.raises(RetryableError) as caught:
        call()

    assert "Could not reach" in caught.value.message


def test_retired_vendor_model_answers_404_and_maps_to_model_unavailable(openai_server, spec_of):
    from dataclasses import replace

    spec = replace(spec_of("gpt-image-2.5-sunburst"), vendor_id="gpt-image-1")

    with pytest.raises(ModelUnavailableError) as caught:
        OpenAIImagesProvider().generate(spec, GenerationRequest(prompt="A red fox"))

    assert caught.value.vendor_code == "model_not_found"
    assert "gpt-image-1" in caught.value.message
