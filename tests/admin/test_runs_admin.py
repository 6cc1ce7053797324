"""Runs in the admin: read-only, filterable, with error, usage, cost and thumbnails from our own URLs."""

from django.urls import reverse

from generation.models import OutputImage, RunStatus
from tests.factories import AppFactory, RunFactory, image_model

RUNS_URL = reverse("admin:generation_run_changelist")


def succeeded_run(app, **kwargs):
    run = RunFactory(
        app=app,
        status=RunStatus.SUCCEEDED,
        usage={"image_output_tokens": 4160, "text_input_tokens": 12},
        cost_usd="0.124800",
        **kwargs,
    )
    OutputImage.objects.create(
        run=run,
        index=0,
        key=f"runs/x/{run.id}/0.png",
        thumb_key=f"runs/x/{run.id}/0.thumb.webp",
        width=1024,
        height=1024,
        bytes=1000,
        content_type="image/png",
        sha256="0" * 64,
    )
    return run


def test_run_page_shows_error_usage_cost_and_thumbnails_from_our_own_urls(admin_client):
    run = succeeded_run(AppFactory(name="Fox stickers"))
    html = admin_client.get(reverse("admin:generation_run_change", args=[run.pk])).content.decode()
    thumb = reverse("generation:thumb", args=[run.id, 0])
    assert f'src="{thumb}"' in html
    assert "X-Amz-" not in html and "Signature" not in html  # never a presigned URL in the page
    assert "image_output_tokens" in html and "4160" in html
    assert "0.124800" in html


def test_failed_run_shows_its_error(admin_client):
    run = RunFactory(status=RunStatus.FAILED, error_code="rate_limited", error_message="Gave up after 4 attempts")
    html = admin_client.get(reverse("admin:generation_run_change", args=[run.pk])).content.decode()
    assert "rate_limited" in html and "Gave up after 4 attempts" in html


def test_runs_filter_by_status_model_and_app(admin_client, offline_b):
    fox, owl = AppFactory(name="Fox stickers"), AppFactory(name="Owl stickers")
    done = succeeded_run(fox)
    failed = RunFactory(app=owl, status=RunStatus.FAILED)
    on_b = RunFactory(app=owl, requested_model=offline_b)

    def listed(query):
        html = admin_client.get(RUNS_URL + query).content.decode()
        return {r for r in (done, failed, on_b) if str(r.id)[:8] in html}

    assert listed("?status__exact=failed") == {failed}
    assert listed(f"?model__id__exact={offline_b.pk}") == {on_b}
    assert listed(f"?app__id__exact={fox.pk}") == {done}
    assert listed(f"?model__id__exact={image_model('offline').pk}") == {done, failed}


def test_runs_are_read_only_in_the_admin(admin_client):
    run = RunFactory(status=RunStatus.FAILED)
    change_url = reverse("admin:generation_run_change", args=[run.pk])
    html = admin_client.get(change_url).content.decode()
    assert 'name="_save"' not in html
    assert admin_client.post(change_url, {"status": "succeeded"}).status_code == 403
    assert admin_client.get(reverse("admin:generation_run_add")).status_code == 403
    assert admin_client.get(reverse("admin:generation_run_delete", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
