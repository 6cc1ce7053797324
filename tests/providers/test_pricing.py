"""Estimates and actual costs against the published prices."""

from decimal import Decimal

import pytest

from generation import pricing
from generation.providers.base import Usage

GPT_IMAGE_1_PER_IMAGE = {
    ("low", "1024x1024"): "0.011",
    ("medium", "1024x1024"): "0.042",
    ("high", "1024x1024"): "0.167",
    ("low", "1024x1536"): "0.016",
    ("medium", "1024x1536"): "0.063",
    ("high", "1024x1536"): "0.25",
    ("low", "1536x1024"): "0.016",
    ("medium", "1536x1024"): "0.063",
    ("high", "1536x1024"): "0.25",
}


@pytest.mark.parametrize(("quality", "size"), sorted(GPT_IMAGE_1_PER_IMAGE))
def test_gpt_image_1_estimate_is_its_published_per_image_price(spec_of, quality, size):
    spec = spec_of("gpt-image-1")

    assert pricing.estimate_per_image(spec, size=size, quality=quality) == Decimal(
        GPT_IMAGE_1_PER_IMAGE[(quality, size)]
    )
    assert pricing.estimate_run(spec, {"size": size, "quality": quality, "n": 3}) == 3 * Decimal(
        GPT_IMAGE_1_PER_IMAGE[(quality, size)]
    )


def test_gpt_image_1_tokens_cost_5_10_and_40_per_million(spec_of):
    usage = Usage(text_input_tokens=2_000_000, image_input_tokens=1_000_000, image_output_tokens=500_000)

    assert pricing.cost_from_usage(spec_of("gpt-image-1"), usage) == Decimal("40.000000")


@pytest.mark.parametrize(("quality", "at_1024"), [("low", "0.006"), ("medium", "0.053"), ("high", "0.211")])
def test_sunburst_estimate_is_the_published_figure_scaled_by_area(spec_of, quality, at_1024):
    spec = spec_of("gpt-image-2.5-sunburst")

    assert pricing.estimate_per_image(spec, size="1024x1024", quality=quality) == Decimal(at_1024)
    assert pricing.estimate_per_image(spec, size="1536x1024", quality=quality) == Decimal(at_1024) * Decimal("1.5")
    assert pricing.estimate_per_image(spec, size="2048x2048", quality=quality) == Decimal(at_1024) * 4


def test_sunburst_actual_cost_comes_from_usage_at_5_8_30(spec_of):
    usage = Usage(text_input_tokens=120, image_input_tokens=1000, image_output_tokens=4160)

    # 120 x 5 + 1000 x 8 + 4160 x 30 = 133,400 micro-dollars per token-million
    assert pricing.cost_from_usage(spec_of("gpt-image-2.5-sunburst"), usage) == Decimal("0.133400")


def test_gpt_4_1_mini_estimate_adds_its_text_part_to_the_tool_models_image(spec_of):
    spec = spec_of("gpt-4.1-mini")
    prompt = "x" * 400  # 100 tokens on top of the 300-token overhead

    estimate = pricing.estimate_run(spec, {"size": "1024x1024", "quality": "low"}, prompt=prompt)

    # flare at low: 0.006; text: 400 in x 0.40 + 100 out x 1.60 per 1M
    assert estimate == Decimal("0.006") + Decimal("0.000160") + Decimal("0.000160")


def test_offline_model_costs_nothing(spec_of):
    spec = spec_of("offline")

    assert pricing.estimate_run(spec, {"size": "1024x1024", "quality": "high", "n": 4}) == 0
    assert pricing.cost_from_usage(spec, Usage(image_output_tokens=1000)) == 0
