"""The request and result types every provider speaks, and the interface they implement.

Providers import nothing from Django models: they take a request and return a result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class ReferenceImage:
    data: bytes
    content_type: str  # image/png, image/jpeg or image/webp
    name: str = "reference.png"


@dataclass(frozen=True)
class ProgressEvent:
    """Sent to the progress callback: a percentage, and a partial image where the provider streams one."""

    percent: int
    message: str = ""
    partial_image: bytes | None = None


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class ModelSpec:
    """What a provider needs to know of the registry entry (a plain copy, no ORM)."""

    key: str
    vendor_id: str  # snapshot when pinned, else the alias
    capabilities: dict = field(default_factory=dict)
    pricing: dict = field(default_factory=dict)
    tool_image_model: ModelSpec | None = None  # for a text model driving the image tool


@dataclass
class GenerationRequest:
    prompt: str
    size: str = "1024x1024"
    quality: str = "medium"
    background: str = "auto"
    output_format: str = "png"
    output_compression: int | None = None
    n: int = 1
    references: list[ReferenceImage] = field(default_factory=list)
    mask: ReferenceImage | None = None
    moderation: str = "auto"
    end_user_id: str = ""
    seed: int = 0
    partial_images: int = 0
    progress: ProgressCallback | None = None


@dataclass
class Usage:
    """Tokens by kind. The image model's part and, for the Responses API, the text model's part."""

    text_input_tokens: int = 0
    image_input_tokens: int = 0
    image_output_tokens: int = 0
    text_model_input_tokens: int = 0
    text_model_output_tokens: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict | None) -> Usage:
        data = data or {}
        return cls(**{k: int(data.get(k, 0) or 0) for k in cls.__dataclass_fields__})


@dataclass
class GeneratedImage:
    data: bytes
    content_type: str
    revised_prompt: str = ""


@dataclass
class GenerationResult:
    images: list[GeneratedImage]
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    vendor_request_id: str = ""
    latency_ms: int = 0


@dataclass
class RewriteResult:
    """A text model's rewrite of a prompt, with the text model's usage."""

    text: str
    usage: Usage = field(default_factory=Usage)
    vendor_request_id: str = ""


class Provider(Protocol):
    def generate(self, model: ModelSpec, request: GenerationRequest) -> GenerationResult: ...


class PromptRewriter(Protocol):
    """Providers of text models also rewrite prompts (prompt enhancement)."""

    def rewrite(self, model: ModelSpec, prompt: str, *, instructions: str) -> RewriteResult: ...
