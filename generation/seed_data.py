"""The registry as seeded: the data migration and `manage.py seed` both read it (plain data, no ORM).

Sources: published prices (USD) and the lifecycle the installed `openai` SDK (3.x) documents in its
docstrings (types/image_model.py, types/image_generate_params.py, types/shared/chat_model.py).
"""

STANDARD_SIZES = ["1024x1024", "1536x1024", "1024x1536"]
CUSTOM_SIZE = {"multiple_of": 16, "max_edge": 3840, "max_pixels": 3840 * 2160, "max_ratio": 3.0}
FORMATS = ["png", "jpeg", "webp"]
TRANSPARENT_FORMATS = ["png", "webp"]
QUALITIES = ["low", "medium", "high"]
SDK_SOURCE = "openai Python SDK 3.x docstrings: types/image_model.py, types/shared/chat_model.py"

GPT_IMAGE_2X_PRICING = {
    "image_tokens_per_million": {"text_input": 5.00, "image_input": 8.00, "image_output": 30.00},
    # Published per-image estimates at 1024x1024; other sizes scale by pixel area.
    "estimate_per_image_1024": {"low": 0.006, "medium": 0.053, "high": 0.211},
}


def _gpt_image_2x(transparent: bool) -> dict:
    return {
        "sizes": STANDARD_SIZES,
        "custom_size": CUSTOM_SIZE,
        "qualities": QUALITIES,
        "backgrounds": ["auto", "opaque", "transparent"] if transparent else ["auto", "opaque"],
        "output_formats": FORMATS,
        "transparent_formats": TRANSPARENT_FORMATS if transparent else [],
        "max_images": 10,
        "max_reference_images": 16,
        "mask": True,
        "max_prompt_chars": 32000,
        "streaming": True,
    }


MODELS = [
    {
        "key": "offline",
        "display_name": "Offline (built in)",
        "provider": "offline",
        "vendor_model_id": "",
        "sort_order": 0,
        "capabilities": {
            "sizes": STANDARD_SIZES,
            "custom_size": CUSTOM_SIZE,
            "qualities": QUALITIES,
            "backgrounds": ["auto", "opaque", "transparent"],
            "output_formats": FORMATS,
            "transparent_formats": TRANSPARENT_FORMATS,
            "max_images": 4,
            "max_reference_images": 4,
            "mask": False,
            "max_prompt_chars": 32000,
        },
        "pricing": {},
        "notes": "Deterministic pictures from the prompt and seed, made on the server. Free, no key needed.",
    },
    {
        "key": "gpt-image-1",
        "display_name": "GPT Image 1",
        "provider": "openai_images",
        "vendor_model_id": "gpt-image-1",
        "sort_order": 10,
        "capabilities": {
            "sizes": STANDARD_SIZES,
            "custom_size": None,
            "qualities": QUALITIES,
            "backgrounds": ["auto", "opaque", "transparent"],
            "output_formats": FORMATS,
            "transparent_formats": TRANSPARENT_FORMATS,
            "max_images": 10,
            "max_reference_images": 16,
            "mask": True,
            "max_prompt_chars": 32000,
            "streaming": True,
        },
        "pricing": {
            "per_image": {
                "low": {"1024x1024": 0.011, "1024x1536": 0.016, "1536x1024": 0.016},
                "medium": {"1024x1024": 0.042, "1024x1536": 0.063, "1536x1024": 0.063},
                "high": {"1024x1024": 0.167, "1024x1536": 0.25, "1536x1024": 0.25},
            },
            "image_tokens_per_million": {"text_input": 5.00, "image_input": 10.00, "image_output": 40.00},
        },
        "shutdown_date": "2026-10-23",
        "successor": "gpt-image-2.5-sunburst",
        "lifecycle_source": SDK_SOURCE + ': "GPT Image 1 was shut down on October 23, 2026."',
        "notes": "Shut down by the vendor; apps on it are served by its successor.",
    },
    {
        "key": "gpt-image-2.5-sunburst",
        "display_name": "GPT Image 2.5 Sunburst",
        "provider": "openai_images",
        "vendor_model_id": "gpt-image-2.5-sunburst",
        "snapshot_id": "gpt-image-2.5-sunburst-2026-09-08",
        "sort_order": 20,
        "capabilities": _gpt_image_2x(transparent=True),
        "pricing": GPT_IMAGE_2X_PRICING,
        "lifecycle_source": SDK_SOURCE,
    },
    {
        "key": "gpt-image-2.5-flare",
        "display_name": "GPT Image 2.5 Flare",
        "provider": "openai_images",
        "vendor_model_id": "gpt-image-2.5-flare",
        "snapshot_id": "gpt-image-2.5-flare-2026-09-08",
        "sort_order": 21,
        "capabilities": _gpt_image_2x(transparent=True),
        "pricing": GPT_IMAGE_2X_PRICING,
        "lifecycle_source": SDK_SOURCE,
    },
    {
        "key": "gpt-image-2",
        "display_name": "GPT Image 2",
        "provider": "openai_images",
        "vendor_model_id": "gpt-image-2",
        "snapshot_id": "gpt-image-2-2026-04-21",
        "sort_order": 22,
        # The vendor calls transparency on gpt-image-2 a preview: not offered.
        "capabilities": _gpt_image_2x(transparent=False),
        "pricing": GPT_IMAGE_2X_PRICING,
        "lifecycle_source": SDK_SOURCE,
    },
    {
        "key": "gpt-4.1-mini",
        "display_name": "GPT-4.1 Mini (image tool)",
        "provider": "openai_responses",
        "vendor_model_id": "gpt-4.1-mini",
        "sort_order": 30,
        "tool_image_model": "gpt-image-2.5-flare",
        "capabilities": {
            **_gpt_image_2x(transparent=True),
            "max_images": 1,
            "max_reference_images": 8,
            "mask": False,
            "streaming": False,
        },
        "pricing": {"text_tokens_per_million": {"input": 0.40, "output": 1.60}},
        "shutdown_date": "2027-01-14",
        "lifecycle_source": SDK_SOURCE + ': "gpt-4.1-mini ... Announced shutdown date: 2027-01-14."',
        "notes": "A text model that draws through the Responses API's image_generation tool.",
    },
]
