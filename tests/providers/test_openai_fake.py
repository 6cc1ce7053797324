"""The local OpenAI server itself: it holds requests to the official spec and answers like the real API."""

import openai
import pytest


@pytest.fixture
def sdk(openai_server):
    return openai.OpenAI(api_key="sk-test", base_url=openai_server.url, max_retries=0, timeout=5)


@pytest.mark.parametrize("retired", ["gpt-image-1", "dall-e-2", "dall-e-3"])
def test_retired_models_always_answer_404_model_not_found(sdk, openai_server, retired):
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.images.generate(model=retired, prompt="A red fox")

    assert caught.value.code == "model_not_found"
    openai_server.assert_valid()


def test_retired_image_tool_model_answers_404_too(sdk):
    with pytest.raises(openai.NotFoundError):
        sdk.responses.create(
            model="gpt-4.1-mini", input="A fox", tools=[{"type": "image_generation", "model": "gpt-image-1"}]
        )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda sdk: sdk.images.generate(model="gpt-image-2", prompt="x", n=11), "n"),
        (lambda sdk: sdk.images.generate(model="gpt-image-2", prompt="x", background="clear"), "background"),
        (lambda sdk: sdk.images.edit(model="gpt-image-2", prompt="x", image=("a.png", b"x"), n=0), "n"),
        (
            lambda sdk: sdk.responses.create(
                model="gpt-4.1-mini", input="x", tools=[{"type": "image_generation", "quality": "ultra"}]
            ),
            "tools/0",
        ),
    ],
)
def test_a_body_that_breaks_the_spec_answers_400_and_is_recorded(sdk, openai_server, call, field):
    with pytest.raises(openai.BadRequestError) as caught:
        call(sdk)

    assert caught.value.code == "invalid_request_body"
    [(path, message)] = openai_server.validation_failures
    assert message.startswith(field)
    openai_server.validation_failures.clear()  # expected here; the fixture's other users must see none


def test_model_list_is_configurable(sdk, openai_server):
    openai_server.models = {"gpt-image-2", "gpt-4.1-mini"}

    assert sorted(model.id for model in sdk.models.list()) == ["gpt-4.1-mini", "gpt-image-2"]


def test_a_wrong_key_is_refused(openai_server):
    sdk = openai.OpenAI(api_key="sk-wrong", base_url=openai_server.url, max_retries=0)

    with pytest.raises(openai.AuthenticationError):
        sdk.models.list()


def test_scripted_behaviours_wait_for_their_path(sdk, openai_server):
    openai_server.queue("server_error", path="/v1/responses")

    sdk.images.generate(model="gpt-image-2", prompt="x")  # not affected
    with pytest.raises(openai.InternalServerError):
        sdk.responses.create(model="gpt-4.1-mini", input="x", tools=[{"type": "image_generation"}])

    assert openai_server.script == []
