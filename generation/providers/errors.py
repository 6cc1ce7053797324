"""The one family of errors providers raise. Exactly one retry loop (generation.services) reads them."""

from __future__ import annotations


class ProviderError(Exception):
    code = "provider_error"
    retryable = False
    user_message = "The image could not be generated."

    def __init__(self, message: str = "", *, retry_after: float | None = None, vendor_code: str = ""):
        super().__init__(message or self.user_message)
        self.message = message or self.user_message
        self.retry_after = retry_after
        self.vendor_code = vendor_code


class RetryableError(ProviderError):
    """Rate limits, server errors, timeouts and dropped connections: trying again can help."""

    code = "retryable"
    retryable = True
    user_message = "The image service is busy. Please try again in a moment."


class ContentPolicyError(ProviderError):
    code = "content_policy"
    user_message = "The request was blocked by the image service's safety system. Try rewording the description."


class InvalidRequestError(ProviderError):
    code = "invalid_request"
    user_message = "The image service refused the request."


class NotConfiguredError(ProviderError):
    """No key, a wrong key, or no permission: something for staff to fix, not the visitor."""

    code = "not_configured"
    user_message = "Image generation is not set up correctly. The site's staff have been told."


class ModelUnavailableError(ProviderError):
    """The vendor says the model does not exist or is not available to this key (404 / 403)."""

    code = "model_unavailable"
    user_message = "This app's model is not available right now. The app is being updated."


class BadOutputError(ProviderError):
    """The provider answered with something that is not an image."""

    code = "bad_output"
    user_message = "The image service returned an unreadable image."


class UnsupportedRequestError(ProviderError):
    """The chosen model cannot do what was asked; raised before any call is made."""

    code = "unsupported"
