"""`manage.py generate_image`: one generation from the shell, offline with no key or through any endpoint."""

import io

import pytest
from django.core.management import CommandError, call_command

from generation.models import Run
from tests.providers.conftest import open_image, png_reference

pytestmark = pytest.mark.django_db


def generate_image(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_image", *args, stdout=out)
    return out.getvalue()


def test_offline_model_writes_the_image_with_no_key(tmp_path, settings):
    settings.OPENAI_API_KEY = ""
    out_path = tmp_path / "fox.png"

    output = generate_image(
        "--model", "offline", "--prompt", "A red fox", "--size", "1536x1024", "--out", str(out_path)
    )

    assert open_image(out_path.read_bytes()).size == (1536, 1024)
    assert f"Wrote {out_path} (image/png" in output
    assert "Cost: $0.000000" in output
    assert Run.objects.count() == 0  # the shell command saves nothing


def test_several_images_are_numbered_and_the_format_follows_the_option(tmp_path, settings):
    settings.OPENAI_API_KEY = ""
    out_path = tmp_path / "sticker.webp"

    generate_image(
        "--model", "offline", "--prompt", "A sticker", "--n", "2", "--format", "webp",
        "--background", "transparent", "--out", str(out_path),
    )  # fmt: skip

    first, second = tmp_path / "sticker-1.webp", tmp_path / "sticker-2.webp"
    assert open_image(first.read_bytes()).format == "WEBP"
    assert open_image(second.read_bytes()).mode == "RGBA"
    assert first.read_bytes() != second.read_bytes()
    assert not out_path.exists()


def test_what_the_model_cannot_do_is_refused_with_the_capability_message(tmp_path, openai_server):
    with pytest.raises(CommandError, match="A transparent background needs a format this model lacks output"):
        generate_image(
            "--model", "gpt-image-2", "--prompt", "x", "--background", "transparent", "--out", str(tmp_path / "a.png")
        )  # fmt: skip

    with pytest.raises(CommandError, match="multiples of 16"):
        generate_image(
            "--model", "gpt-image-2", "--prompt", "x", "--size", "1000x1000", "--out", str(tmp_path / "b.png")
        )

    assert openai_server.requests == []
    assert list(tmp_path.iterdir()) == []


def test_openai_model_without_a_key_is_refused(tmp_path, settings):
    settings.OPENAI_API_KEY = ""

    with pytest.raises(CommandError, match="needs OPENAI_API_KEY"):
        generate_image("--model", "gpt-image-2", "--prompt", "x", "--out", str(tmp_path / "a.png"))


def test_gpt_image_1_is_served_by_its_successor_and_the_image_is_written(tmp_path, openai_server):
    out_path = tmp_path / "fox.jpg"

    output = generate_image(
        "--model", "gpt-image-1", "--prompt", "A red fox", "--quality", "low", "--out", str(out_path)
    )  # fmt: skip

    assert (
        "GPT Image 1 (gpt-image-1) was retired on 2026-10-23; served by its successor "
        "GPT Image 2.5 Sunburst (gpt-image-2.5-sunburst)." in output
    )
    openai_server.assert_valid()
    [sent] = openai_server.requests
    assert sent.model == "gpt-image-2.5-sunburst-2026-09-08"
    assert sent.body["output_format"] == "jpeg"  # from the file name
    assert open_image(out_path.read_bytes()).format == "JPEG"
    assert "Usage: text input 2, image input 0, image output 272 tokens" in output
    # 2 x 5.00 + 272 x 30.00 per 1M tokens
    assert "Cost: $0.008170 (estimate before the call: $0.006000)" in output
    assert "Request id: req_fake" in output


def test_reference_images_are_sent_as_an_edit(tmp_path, openai_server):
    reference = tmp_path / "cat.png"
    reference.write_bytes(png_reference().data)

    generate_image(
        "--model", "gpt-image-2.5-flare", "--prompt", "This cat as a knight",
        "--reference", str(reference), "--out", str(tmp_path / "knight.png"),
    )  # fmt: skip

    [sent] = openai_server.requests
    assert sent.path == "/v1/images/edits"
    assert sent.body["image"][0]["filename"] == "cat.png"
    assert (tmp_path / "knight.png").exists()


def test_vendor_errors_are_reported_by_kind(tmp_path, openai_server):
    openai_server.queue("moderation")

    with pytest.raises(CommandError, match="content_policy: "):
        generate_image("--model", "gpt-image-2", "--prompt", "x", "--out", str(tmp_path / "a.png"))

    assert not (tmp_path / "a.png").exists()


def test_deprecated_model_warns_with_its_shutdown_date_and_names_its_tool_model(tmp_path, openai_server):
    output = generate_image("--model", "gpt-4.1-mini", "--prompt", "A heron", "--out", str(tmp_path / "heron.png"))

    assert "GPT-4.1 Mini (image tool) is deprecated: it shuts down on 2027-01-14" in output
    assert "(sending gpt-4.1-mini, image tool gpt-image-2.5-flare-2026-09-08)" in output
    assert "; text model " in output
    assert (tmp_path / "heron.png").exists()
