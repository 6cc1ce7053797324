"""OpenAI's Images API: `images.generate`, or `images.edit` when reference images are given."""

from __future__ import annotations

import time

from .. import pricing
from .base import GenerationRequest, GenerationResult, ModelSpec, ProgressEvent, Usage
from .openai_common import client, decode_image, elapsed_ms, translate_errors

COMPRESSIBLE_FORMATS = ("jpeg", "webp")


def image_params(model: ModelSpec, request: GenerationRequest) -> dict:
    """The parameters both calls share, named as the SDK names them."""
    params = {
        "model": model.vendor_id,
        "prompt": request.prompt,
        "size": request.size,
        "quality": request.quality,
        "background": request.background,
        "output_format": request.output_format,
        "n": request.n,
        "moderation": request.moderation,
    }
    if request.output_format in COMPRESSIBLE_FORMATS and request.output_compression is not None:
        params["output_compression"] = request.output_compression
    if request.end_user_id:
        params["safety_identifier"] = request.end_user_id
    return params


def usage_from(api_usage) -> Usage:
    """Images API usage: input split into text and image tokens, output is image tokens."""
    if api_usage is None:
        return Usage()
    details = getattr(api_usage, "input_tokens_details", None)
    return Usage(
        text_input_tokens=getattr(details, "text_tokens", 0) or 0,
        image_input_tokens=getattr(details, "image_tokens", 0) or 0,
        image_output_tokens=api_usage.output_tokens or 0,
    )


class OpenAIImagesProvider:
    def generate(self, model: ModelSpec, request: GenerationRequest) -> GenerationResult:
        started = time.monotonic()
        params = image_params(model, request)
        streaming = (
            request.partial_images > 0
            and request.progress is not None
            and request.n == 1
            and model.capabilities.get("streaming", True)
        )
        if streaming:
            params.update(stream=True, partial_images=min(request.partial_images, 3))
        sdk = client()
        with translate_errors():
            if request.references:
                params.pop("moderation")  # images.edit takes no moderation level
                params["image"] = [(ref.name, ref.data, ref.content_type) for ref in request.references]
                if request.mask is not None:
                    params["mask"] = (request.mask.name, request.mask.data, request.mask.content_type)
                answer = sdk.images.edit(**params)
            else:
                answer = sdk.images.generate(**params)
            if streaming:
                images, usage, request_id = self._read_stream(answer, request)
            else:
                images = [decode_image(item.b64_json, item.revised_prompt or "") for item in answer.data or []]
                usage, request_id = usage_from(answer.usage), answer._request_id or ""
        return GenerationResult(
            images=images,
            usage=usage,
            cost_usd=float(pricing.cost_from_usage(model, usage)),
            vendor_request_id=request_id,
            latency_ms=elapsed_ms(started),
        )

    def _read_stream(self, stream, request: GenerationRequest):
        """Partial images go to the progress callback as they arrive; the completed event holds the image."""
        images, usage = [], Usage()
        total = min(request.partial_images, 3)
        with stream:
            for event in stream:
                if event.type.endswith(".partial_image"):
                    index = event.partial_image_index
                    request.progress(
                        ProgressEvent(
                            percent=min(90, (index + 1) * 90 // (total + 1)),
                            message="Drawing",
                            partial_image=decode_image(event.b64_json).data,
                        )
                    )
                elif event.type.endswith(".completed"):
                    images.append(decode_image(event.b64_json))
                    usage = usage_from(event.usage)
            request_id = stream.response.headers.get("x-request-id", "")
        return images, usage, request_id
