"""A visitor in Chromium: the shared link, the form, progress, the image and its download, the share link,
the rate limit message, framing rules and a phone-sized screen."""

import functools
import http.server
import importlib
import threading

import pytest
from playwright.sync_api import expect

from builder.models import Field, FieldType
from builder.public import rate_limit_hit, visitor_hash
from generation.models import ImageModel, Run
from tests.conftest import free_port
from tests.factories import AppFactory

from .helpers import image_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def seeded_registry():
    """The registry rows from the seed migration, present even after an earlier transactional test's flush
    (serialized rollback does not always survive a test with an in-process Celery worker)."""
    from django.apps import apps

    importlib.import_module("generation.migrations.0002_seed_registry").seed(apps, None)


def assert_loaded(page, image) -> None:
    """The picture really arrived (through our stable URL and its redirect), not just the <img> tag."""
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10_000)


@pytest.fixture
def slow_offline_model():
    """The offline model taking a moment, so that a visitor sees the progress before the image."""
    model = ImageModel.objects.get(key="offline")
    model.capabilities = {**model.capabilities, "simulated_latency_ms": 1600}
    model.save(update_fields=["capabilities"])
    return model


@pytest.mark.worker
def test_visitor_generates_downloads_and_shares_an_image(
    page, browser, live_server, celery_worker, slow_offline_model, screenshot_dir
):
    app = AppFactory(name="Sticker Studio", description="Cute stickers from a word.", visitor_params=["size"])
    page.goto(f"{live_server.url}/a/{app.slug}/")
    expect(page.get_by_role("heading", name="Sticker Studio")).to_be_visible()
    expect(page.get_by_text("Takes about")).to_be_visible()
    page.get_by_label("Subject").fill("a red fox")
    page.get_by_label("Size").select_option("1536x1024")
    page.get_by_role("button", name="Generate").click()

    expect(page.locator("#result progress")).to_be_visible()
    page.screenshot(path=screenshot_dir / "public-progress.png", full_page=True)
    image = page.get_by_role("img", name="Generated image 1")
    expect(image).to_be_visible(timeout=20_000)
    assert_loaded(page, image)
    page.screenshot(path=screenshot_dir / "public-result.png", full_page=True)

    run = Run.objects.get()
    assert run.params["size"] == "1536x1024" and run.prompt == "A sticker of a red fox"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".png")
    assert download.failure() is None
    run.refresh_from_db()
    assert run.download_count == 1

    share_url = page.get_by_role("link", name=f"/r/{run.id}/").get_attribute("href")
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(f"{live_server.url}{share_url}")
        expect(other.get_by_role("heading", name="Sticker Studio")).to_be_visible()
        shared = other.get_by_role("img", name="Generated image 1")
        expect(shared).to_be_visible()
        assert_loaded(other, shared)
        expect(other.get_by_role("link", name="Make your own with Sticker Studio")).to_be_visible()
        other.screenshot(path=screenshot_dir / "public-share.png", full_page=True)
    finally:
        fresh.close()


def test_visitor_over_the_rate_limit_sees_the_message(page, live_server, screenshot_dir):
    app = AppFactory(rate_per_minute=1)
    rate_limit_hit(app=app, visitor=visitor_hash("127.0.0.1"))  # this visitor's one run of the minute
    page.goto(f"{live_server.url}/a/{app.slug}/")
    page.get_by_label("Subject").fill("a red fox")
    page.get_by_role("button", name="Generate").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("You can make 1 image a minute with this app. Please wait a minute and try again.")
    expect(page.get_by_label("Subject")).to_have_value("a red fox")
    page.screenshot(path=screenshot_dir / "public-rate-limited.png", full_page=True)
    assert not Run.objects.exists()


def test_visitor_sees_field_errors_next_to_the_field(page, live_server):
    app = AppFactory()
    page.goto(f"{live_server.url}/a/{app.slug}/")
    page.get_by_role("button", name="Generate").click()
    subject = page.get_by_label("Subject")
    expect(subject).to_have_attribute("aria-invalid", "true")
    expect(subject).to_have_accessible_description("This field is required.")
    expect(page.get_by_role("alert")).to_contain_text("Please correct the highlighted fields.")


@pytest.fixture
def other_origin():
    """A second web server on another port (another origin) that frames our pages."""
    directory = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            body = directory.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield directory, f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.mark.worker
def test_embed_works_in_another_sites_iframe_while_the_normal_page_refuses(
    page, live_server, celery_worker, other_origin, screenshot_dir
):
    pages, origin = other_origin
    app = AppFactory(name="Sticker Studio")
    assert not live_server.url.startswith(origin)
    pages["/blog.html"] = (
        "<!doctype html><h1>A blog</h1>"
        f'<iframe id="embed" src="{live_server.url}/a/{app.slug}/embed/" width="600" height="700"></iframe>'
        f'<iframe id="normal" src="{live_server.url}/a/{app.slug}/" width="600" height="300"></iframe>'
    )
    responses = {}
    page.on("response", lambda r: responses.setdefault(r.url.split("?")[0], r))
    page.goto(f"{origin}/blog.html")

    embed = page.frame_locator("#embed")
    expect(embed.get_by_role("heading", name="Sticker Studio")).to_be_visible()
    embed.get_by_label("Subject").fill("a red fox")
    embed.get_by_role("button", name="Generate").click()
    picture = embed.get_by_role("img", name="Generated image 1")
    expect(picture).to_be_visible(timeout=20_000)
    frame = page.frame(url=lambda url: "/embed/" in url)
    assert_loaded(frame, picture)
    page.screenshot(path=screenshot_dir / "embed-in-iframe.png", full_page=True)

    normal_url = f"{live_server.url}/a/{app.slug}/"
    assert responses[normal_url].headers["x-frame-options"] == "DENY"
    assert responses[normal_url].headers["content-security-policy"] == "frame-ancestors 'none'"
    normal_frame = page.frame(url=lambda url: url.endswith(f"/a/{app.slug}/")) or page.frames[-1]
    assert normal_frame.get_by_role("button", name="Generate").count() == 0
    assert page.frame_locator("#normal").get_by_role("heading", name="Sticker Studio").count() == 0
    assert Run.objects.count() == 1


def test_public_page_fits_a_phone(phone_page, live_server, screenshot_dir):
    app = AppFactory(
        name="Sticker Studio",
        description="Turn any word into a cute die-cut sticker, ready to print.",
        visitor_params=["size", "quality"],
    )
    phone_page.goto(f"{live_server.url}/a/{app.slug}/")
    expect(phone_page.get_by_role("heading", name="Sticker Studio")).to_be_visible()
    generate = phone_page.get_by_role("button", name="Generate")
    expect(generate).to_be_visible()
    box = generate.bounding_box()
    assert box["height"] >= 40  # a comfortable touch target
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    subject = phone_page.get_by_label("Subject").bounding_box()
    assert subject["x"] >= 0 and subject["x"] + subject["width"] <= 390
    phone_page.screenshot(path=screenshot_dir / "public-phone.png", full_page=True)


def test_visitor_uploading_a_gif_sees_why_next_to_the_file_input(page, live_server, tmp_path):
    app = AppFactory()
    Field.objects.create(app=app, order=1, key="photo", label="Your photo", type=FieldType.IMAGE)
    gif = tmp_path / "cat.png"
    gif.write_bytes(image_bytes("GIF"))
    page.goto(f"{live_server.url}/a/{app.slug}/")
    page.get_by_label("Subject").fill("a cat")
    page.get_by_label("Your photo").set_input_files(gif)
    page.get_by_role("button", name="Generate").click()
    photo = page.get_by_label("Your photo")
    expect(photo).to_have_accessible_description("Only PNG, JPEG and WebP images are accepted (this one is GIF).")
    expect(photo).to_have_attribute("aria-invalid", "true")
    assert not Run.objects.exists()
