"""Public pages: an app's page, its embeddable twin and the share link of one result. No sign-in needed."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from generation import storage

from .. import public as services
from .. import selectors
from ..public_forms import RunForm

NO_FRAMING = "frame-ancestors 'none'"
ANY_FRAMING = "frame-ancestors *"


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") and not request.htmx


def _visitor(request) -> str:
    return services.visitor_hash(services.client_ip(request))


def _page(request, *, app, preview: bool, embed: bool, form, run=None, status: int = 200) -> HttpResponse:
    context = {
        "app": app,
        "preview": preview,
        "embed": embed,
        "form": form,
        "run": run,
        "estimate_seconds": services.estimate_seconds(app),
        "paused": services.generation_paused(),
        "site_url": settings.SITE_URL.rstrip("/"),
        "post_url": reverse("public:embed" if embed else "public:app", args=[app.slug]),
    }
    if request.htmx:
        template = "builder/public/partials/generator.html"
    else:
        template = "builder/public/embed.html" if embed else "builder/public/app.html"
    response = render(request, template, context, status=status)
    response["Content-Security-Policy"] = ANY_FRAMING if embed else NO_FRAMING
    return response


def _generator(request, slug: str, *, embed: bool) -> HttpResponse:
    """GET shows the form; POST starts a run (an htmx swap, JSON, or a redirect to the result)."""
    app, preview = services.app_for_visitor(slug=slug, user=request.user)
    choices = services.visitor_param_choices(app)
    if request.method != "POST":
        run = selectors.app_run(app=app, run_id=request.GET.get("run")) if embed else None
        form = RunForm(app=app, param_choices=choices)
        return _page(request, app=app, preview=preview, embed=embed, form=form, run=run)

    form = RunForm(request.POST, request.FILES, app=app, param_choices=choices)
    if not form.is_valid():
        return _refused(request, app, preview, embed, form, code="invalid", status=400)
    submit = services.PublicSubmit(values=form.values, params=form.params, references=form.references)
    try:
        run = services.public_run_start(app=app, submit=submit, visitor=_visitor(request), user=request.user)
    except services.PublicRunRefused as exc:
        form.add_error(None, exc.message)
        response = _refused(request, app, preview, embed, form, code=exc.code, status=exc.status)
        if exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response
    if _wants_json(request):
        return JsonResponse(
            {
                "run": {
                    "id": str(run.id),
                    "status": run.status,
                    "status_url": request.build_absolute_uri(reverse("generation:run_status", args=[run.id])),
                    "share_url": request.build_absolute_uri(reverse("public:share", args=[run.id])),
                }
            },
            status=201,
        )
    if request.htmx:
        return _page(request, app=app, preview=preview, embed=embed, form=form, run=run)
    if embed:  # the share page refuses framing, so an embedded plain POST stays in the embed
        return redirect(f"{reverse('public:embed', args=[app.slug])}?run={run.id}")
    return redirect("public:share", run_id=run.id)


def _refused(request, app, preview, embed, form, *, code: str, status: int) -> HttpResponse:
    if _wants_json(request):
        errors = form.errors.get_json_data()
        messages = [e["message"] for e in errors.get("__all__", [])] or ["Please correct the errors in the form."]
        fields = {k: [e["message"] for e in v] for k, v in errors.items() if k != "__all__"}
        body = {"error": {"code": code, "message": " ".join(messages)}}
        if fields:
            body["error"]["fields"] = fields
        return JsonResponse(body, status=status)
    return _page(request, app=app, preview=preview, embed=embed, form=form, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def app_page(request, slug):
    return _generator(request, slug, embed=False)


@csrf_exempt  # framed on other sites, where our cookies are not sent; visitors are anonymous here anyway
@xframe_options_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def embed(request, slug):
    return _generator(request, slug, embed=True)


@require_http_methods(["GET", "HEAD"])
def share(request, run_id):
    """One result, for anyone with the link. Images go through our own URLs, which never expire."""
    run = services.run_for_share(run_id=run_id)
    if request.method == "GET":
        services.share_open(run=run, visitor=_visitor(request))
    response = render(request, "builder/public/share.html", {"run": run, "app": run.app})
    response["Content-Security-Policy"] = NO_FRAMING
    return response


@require_http_methods(["GET", "HEAD"])
def cover(request, slug):
    """The app's cover at a stable address: a fresh presigned URL each time, or the local file."""
    app, _ = services.app_for_visitor(slug=slug, user=request.user)
    if not app.cover:
        raise Http404("No cover")
    if storage.is_remote():
        response = redirect(storage.presigned_url(app.cover.name))
        response["Cache-Control"] = "private, max-age=300"
        return response
    return FileResponse(default_storage.open(app.cover.name, "rb"))
