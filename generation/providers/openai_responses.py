"""OpenAI's Responses API driving the `image_generation` tool: a text model that draws.

The tool's image model is always sent (the registry's `tool_image_model`), never left to the API's default,
which has changed from release to release. The call is billed in two parts: the text model's tokens
(`response.usage`) and the image tool's tokens (`response.tool_usage.image_gen`).
"""

from __future__ import annotations

import base64
import time

from .. import pricing
from .base import GenerationRequest, GenerationResult, ModelSpec, RewriteResult, Usage
from .errors import (
    BadOutputError,
    ContentPolicyError,
    InvalidRequestError,
    NotConfiguredError,
    ProviderError,
    RetryableError,
)
from .openai_common import CONTENT_POLICY_CODES, client, decode_image, elapsed_ms, translate_errors
from .openai_images import COMPRESSIBLE_FORMATS


def tool_for(model: ModelSpec, request: GenerationRequest) -> dict:
    if model.tool_image_model is None:
        raise NotConfiguredError(f"{model.key} has no image model for its image tool; set one in the registry.")
    tool = {
        "type": "image_generation",
        "model": model.tool_image_model.vendor_id,
        "size": request.size,
        "quality": request.quality,
        "background": request.background,
        "output_format": request.output_format,
        "moderation": request.moderation,
    }
    if request.output_format in COMPRESSIBLE_FORMATS and request.output_compression is not None:
        tool["output_compression"] = request.output_compression
    if request.references:
        tool["action"] = "edit"
    return tool


def input_for(request: GenerationRequest) -> list[dict]:
    content = [{"type": "input_text", "text": request.prompt}]
    for ref in request.references:
        data_url = f"data:{ref.content_type};base64,{base64.b64encode(ref.data).decode()}"
        content.append({"type": "input_image", "image_url": data_url, "detail": "auto"})
    return [{"role": "user", "content": content}]


def usage_from(response) -> Usage:
    usage = Usage()
    if response.usage is not None:
        usage.text_model_input_tokens = response.usage.input_tokens or 0
        usage.text_model_output_tokens = response.usage.output_tokens or 0
    image_gen = response.tool_usage.image_gen if response.tool_usage is not None else None
    if image_gen is not None:
        details = image_gen.input_tokens_details
        usage.text_input_tokens = getattr(details, "text_tokens", 0) or 0
        usage.image_input_tokens = getattr(details, "image_tokens", 0) or 0
        usage.image_output_tokens = image_gen.output_tokens or 0
    return usage


RETRYABLE_RESPONSE_CODES = {"server_error", "rate_limit_exceeded", "vector_store_timeout"}
POLICY_RESPONSE_CODES = {"image_content_policy_violation", "bio_policy", "misalignment_policy_violation"}


def _response_error(error) -> ProviderError:
    """A response that came back with status "failed": the error object says why."""
    code = error.code or ""
    if code in RETRYABLE_RESPONSE_CODES:
        return RetryableError(error.message, vendor_code=code)
    if code in POLICY_RESPONSE_CODES or code in CONTENT_POLICY_CODES:
        return ContentPolicyError(ContentPolicyError.user_message, vendor_code=code)
    return InvalidRequestError(error.message, vendor_code=code)


class OpenAIResponsesProvider:
    def rewrite(self, model: ModelSpec, prompt: str, *, instructions: str) -> RewriteResult:
        """The text model alone (no tools) rewrites a prompt: prompt enhancement."""
        sdk = client()
        with translate_errors():
            response = sdk.responses.create(model=model.vendor_id, instructions=instructions, input=prompt)
        if response.status == "failed" and response.error is not None:
            raise _response_error(response.error)
        text = (response.output_text or "").strip()
        if not text:
            raise BadOutputError("The text model returned no prompt.")
        return RewriteResult(text=text, usage=usage_from(response), vendor_request_id=response._request_id or "")

    def generate(self, model: ModelSpec, request: GenerationRequest) -> GenerationResult:
        started = time.monotonic()
        params = {
            "model": model.vendor_id,
            "input": input_for(request),
            "tools": [tool_for(model, request)],
            "tool_choice": {"type": "image_generation"},
        }
        if request.end_user_id:
            params["safety_identifier"] = request.end_user_id
        sdk = client()
        with translate_errors():
            response = sdk.responses.create(**params)
        if response.status == "failed" and response.error is not None:
            raise _response_error(response.error)
        calls = [item for item in response.output or [] if item.type == "image_generation_call"]
        for call in calls:
            error = getattr(call, "error", None)
            if call.status == "failed" and error is not None and (error.code or "") in CONTENT_POLICY_CODES:
                raise ContentPolicyError(ContentPolicyError.user_message, vendor_code=error.code)
        images = [decode_image(call.result, call.revised_prompt or "") for call in calls if call.result]
        if not images:
            reason = next((c.error.message for c in calls if getattr(c, "error", None)), "")
            raise BadOutputError(f"The image tool produced no image. {reason}".strip())
        usage = usage_from(response)
        return GenerationResult(
            images=images,
            usage=usage,
            cost_usd=float(pricing.cost_from_usage(model, usage)),
            vendor_request_id=response._request_id or "",
            latency_ms=elapsed_ms(started),
        )
