"""What both OpenAI providers share: the SDK client from settings, and the one mapping of SDK errors to ours.

The client is built with `max_retries=0`: the SDK does not retry. Exactly one layer retries, the loop in
`generation.services.run_execute`, which reads `ProviderError.retryable` and `retry_after`.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import functools
import io
import time
from collections.abc import Iterator
from contextlib import contextmanager

import openai
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from .base import GeneratedImage
from .errors import (
    BadOutputError,
    ContentPolicyError,
    InvalidRequestError,
    ModelUnavailableError,
    NotConfiguredError,
    ProviderError,
    RetryableError,
)

CONTENT_POLICY_CODES = {"moderation_blocked", "content_policy_violation", "content_filter"}
MODEL_UNAVAILABLE_CODES = {"model_not_found", "model_not_available"}
PIL_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


def client() -> openai.OpenAI:
    """The SDK client for the configured key, endpoint and timeout. Raises NotConfiguredError with no key."""
    if not settings.OPENAI_API_KEY:
        raise NotConfiguredError("OPENAI_API_KEY is not set on the server.")
    return _client(settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, float(settings.OPENAI_TIMEOUT))


@functools.lru_cache(maxsize=8)
def _client(api_key: str, base_url: str | None, timeout: float) -> openai.OpenAI:
    # One client (and connection pool) per configuration, shared by a worker's threads. No SDK retries:
    # the retry loop lives in generation.services.run_execute.
    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)


def retry_after_seconds(headers) -> float | None:
    """The server's Retry-After (seconds or an HTTP date), or retry-after-ms."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _vendor_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return exc.message


def map_error(exc: openai.OpenAIError) -> ProviderError:
    """The SDK's exception as one of ours: whether trying again can help, and what to tell whom."""
    if isinstance(exc, openai.APITimeoutError):
        return RetryableError(f"The image service did not answer in time ({settings.OPENAI_TIMEOUT:g} s).")
    if isinstance(exc, openai.APIConnectionError):
        return RetryableError(f"Could not reach the image service: {exc.message}")
    if not isinstance(exc, openai.APIStatusError):
        return ProviderError(str(exc))
    code = exc.code or ""
    message = _vendor_message(exc)
    if isinstance(exc, openai.RateLimitError):
        return RetryableError(message, retry_after=retry_after_seconds(exc.response.headers), vendor_code=code)
    if exc.status_code >= 500 or exc.status_code in (408, 409):  # what the SDK itself would have retried
        return RetryableError(message, retry_after=retry_after_seconds(exc.response.headers), vendor_code=code)
    if code in CONTENT_POLICY_CODES or "safety system" in message:
        return ContentPolicyError(ContentPolicyError.user_message, vendor_code=code)
    if code in MODEL_UNAVAILABLE_CODES or isinstance(exc, openai.NotFoundError | openai.PermissionDeniedError):
        return ModelUnavailableError(message, vendor_code=code or str(exc.status_code))
    if isinstance(exc, openai.AuthenticationError):
        return NotConfiguredError(f"The OpenAI key was refused: {message}", vendor_code=code)
    return InvalidRequestError(message, vendor_code=code)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Raise our ProviderError family in place of the SDK's exceptions (mapped here, once)."""
    try:
        yield
    except openai.OpenAIError as exc:
        raise map_error(exc) from exc


def decode_image(b64: str | None, revised_prompt: str = "") -> GeneratedImage:
    """A base64 image from the API, checked to be an image; its content type is read from the bytes."""
    try:
        data = base64.b64decode(b64 or "", validate=True)
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            image.verify()
    except (binascii.Error, ValueError, UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise BadOutputError(f"The image service returned data that is not an image ({exc}).") from exc
    if image_format not in PIL_CONTENT_TYPES:
        raise BadOutputError(f"The image service returned an unexpected image type ({image_format}).")
    return GeneratedImage(data=data, content_type=PIL_CONTENT_TYPES[image_format], revised_prompt=revised_prompt or "")


def elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
