"""The builder dashboard: the owner's apps, the app form, its live preview, the app page and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from generation.models import RunStatus
from generation.registry import enabled_models, site_default_model
from generation.services import RunRefusedError

from .. import selectors, services
from ..forms import (
    CUSTOM_SIZE,
    FIELD_PREFIX,
    AppForm,
    FieldFormSet,
    check_template,
    field_initial,
    refit_to_model,
    rows_from_data,
    sample_values,
    with_extra_row,
)
from ..models import App
from ..public_forms import RunForm
from ..starters import STARTERS, starter_for

APPS_PER_PAGE = 12
RUNS_PER_PAGE = 20


@login_required
def dashboard(request):
    page = Paginator(selectors.app_list(owner=request.user), APPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "builder/dashboard.html", {"page": page, "starters": STARTERS.values()})


# --- The app form ------------------------------------------------------------------------------------------


def _form_context(request, form, formset, app, changes=()) -> dict:
    params = {
        "size": form["size"].value() or "1024x1024",
        "quality": form["quality"].value() or "medium",
    }
    if params["size"] == CUSTOM_SIZE:
        params["size"] = f"{form['custom_width'].value()}x{form['custom_height'].value()}"
    rows = rows_from_data(formset.data) if formset.is_bound else formset.initial or []
    template = form["prompt_template"].value() or ""
    return {
        "form": form,
        "formset": formset,
        "app": app,
        "changes": changes,
        "selected_key": form["model"].value() or "",
        "model_options": selectors.model_options(models=form.models, default=form.default_model, params=params),
        "preview": selectors.prompt_preview(template=template, rows=rows, values=sample_values(rows)),
    }


def _edit(request, app: App, starter=None):
    changes: list[str] = []
    if request.method == "POST":
        data, changes = refit_to_model(request.POST)
        form = AppForm(data, request.FILES, instance=app)
        if "add_field" in data:
            data = with_extra_row(data)
        formset = FieldFormSet(data, prefix=FIELD_PREFIX)
        if changes:
            messages.warning(request, "The new model cannot do everything the old one did: " + "; ".join(changes)
                             + ". Review and save.")  # fmt: skip
        elif "add_field" not in data and form.is_valid() and formset.is_valid() and check_template(form, formset):
            try:
                app, saved_changes = services.app_save(
                    app=app,
                    owner=request.user,
                    values=form.cleaned_data,
                    params=form.params(),
                    visitor_params=form.cleaned_data["visitor_params"],
                    fields=formset.field_rows(),
                    model=form.cleaned_data["model"],
                    cover=form.cleaned_data["cover"],
                    remove_cover=form.cleaned_data["remove_cover"],
                    by=request.user,
                )
            except services.AppSaveError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            else:
                for change in saved_changes:
                    messages.info(request, change)
                messages.success(request, f"Saved {app.name}.")
                return redirect(app)
    else:
        form = AppForm(instance=app, starter=starter)
        formset = FieldFormSet(initial=field_initial(app, starter), prefix=FIELD_PREFIX)
    return render(request, "builder/app_form.html", _form_context(request, form, formset, app, changes))


@login_required
def app_new(request):
    return _edit(request, App(), starter_for(request.GET.get("starter")))


@login_required
def app_edit(request, pk):
    return _edit(request, selectors.app_get(owner=request.user, pk=pk))


@login_required
@require_POST
def app_params(request):
    """htmx: the model list and the parameter fields again, fitted to the model just picked."""
    app_id = request.POST.get("app_id")
    app = selectors.app_get(owner=request.user, pk=app_id) if app_id else App()
    data, changes = refit_to_model(request.POST)
    form = AppForm(data, instance=app)
    formset = FieldFormSet(data, prefix=FIELD_PREFIX)
    return render(request, "builder/partials/model_params.html", _form_context(request, form, formset, app, changes))


@login_required
@require_POST
def app_preview(request):
    """htmx: the filled prompt from the fields' samples or defaults, as the builder types."""
    rows = rows_from_data(request.POST)
    preview = selectors.prompt_preview(
        template=request.POST.get("prompt_template", ""), rows=rows, values=sample_values(rows)
    )
    return render(request, "builder/partials/preview.html", {"preview": preview})


# --- The app page ------------------------------------------------------------------------------------------


@login_required
def app_detail(request, pk):
    app = selectors.app_get(owner=request.user, pk=pk)
    status = request.GET.get("status") if request.GET.get("status") in RunStatus.values else None
    runs = Paginator(selectors.run_list(app=app, status=status), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    history = {"app": app, "runs": runs, "status": status, "statuses": RunStatus.choices}
    if request.htmx and request.htmx.target == "run-history":
        return render(request, "builder/partials/run_history.html", history)
    fields = list(app.fields.all())
    test_run = selectors.app_run(app=app, run_id=request.GET.get("run"))
    return render(
        request,
        "builder/app_detail.html",
        {
            **history,
            "fields": fields,
            "inputs_form": RunForm(app=app, initial_values=app.sample_inputs),
            "test_run": test_run,
            "notice": selectors.model_notice(app=app),
            "default_model": site_default_model(),
            "gallery": selectors.gallery(app=app),
            "usage_days": selectors.usage_by_day(app=app),
            "usage_models": selectors.usage_by_model(app=app),
            "totals": selectors.usage_totals(app=app),
            "switches": selectors.switch_history(app=app),
            "public_url": selectors.public_url(app),
            "embed_snippet": selectors.embed_snippet(app),
        },
    )


@login_required
@require_POST
def app_test(request, pk):
    """Start a test run with the panel's inputs; progress and results show inline (htmx) or on the app page."""
    app = selectors.app_get(owner=request.user, pk=pk)
    form = RunForm(request.POST, request.FILES, app=app)
    run, error = None, None
    if form.is_valid():
        try:
            run = services.app_test_run(app=app, inputs=form.values, references=form.references, user=request.user)
        except RunRefusedError as exc:
            error = exc.owner_message
    else:
        error = "Check the inputs: " + "; ".join(
            f"{form.fields[k].label if k in form.fields else k}: {' '.join(v)}" for k, v in form.errors.items()
        )
    if request.htmx:
        return render(request, "builder/partials/test_result.html", {"run": run, "error": error})
    if error:
        messages.error(request, error)
        return redirect(app)
    return redirect(f"{app.get_absolute_url()}?run={run.pk}#test")


@login_required
@require_POST
def app_publish(request, pk):
    app = selectors.app_get(owner=request.user, pk=pk)
    publish = request.POST.get("action") != "unpublish"
    try:
        services.app_publish(app=app, publish=publish)
    except services.AppPublishError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{app.name} is {'published' if publish else 'unpublished (a draft)'}.")
    return redirect(app)


@login_required
@require_POST
def app_duplicate(request, pk):
    app = selectors.app_get(owner=request.user, pk=pk)
    copy = services.app_duplicate(app=app, by=request.user)
    messages.success(request, f"Made {copy.name}, a draft copy with its fields.")
    return redirect("builder:app_edit", pk=copy.pk)


@login_required
def app_delete(request, pk):
    app = selectors.app_get(owner=request.user, pk=pk)
    if request.method == "POST":
        name = app.name
        services.app_delete(app=app)
        messages.success(request, f"Deleted {name}.")
        return redirect("builder:dashboard")
    return render(request, "builder/app_delete.html", {"app": app, "run_count": app.runs.count()})


@login_required
@require_POST
def app_switch(request, pk):
    """Move the app to a model picked on its page (the retirement notice's successor)."""
    app = selectors.app_get(owner=request.user, pk=pk)
    models = {m.key: m for m in enabled_models()}
    target = models.get(request.POST.get("model", ""))
    if target is None:
        messages.error(request, "That model cannot be chosen for apps.")
        return redirect(app)
    previous = app.model
    errors = services.app_switch_model(app=app, to=target, by=request.user)
    if errors:
        messages.error(request, f"{target.display_name} cannot run this app: " + " ".join(errors))
    else:
        messages.success(request, f"Switched from {previous or 'the site default'} to {target.display_name}.")
    return redirect(app)


@login_required
def app_cover(request, pk):
    """The app's cover image, streamed through our server (the bucket is private)."""
    app = selectors.app_get(owner=request.user, pk=pk)
    if not app.cover:
        raise Http404("No cover")
    with default_storage.open(app.cover.name, "rb") as handle:
        data = handle.read()
    extension = app.cover.name.rsplit(".", 1)[-1]
    content_type = {"jpg": "image/jpeg", "webp": "image/webp"}.get(extension, "image/png")
    return HttpResponse(data, content_type=content_type, headers={"Cache-Control": "private, max-age=3600"})
