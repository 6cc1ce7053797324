"""Experiments (builder, owner only: start, watch, stop, promote) and votes (public, no sign-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseStopPolling

from .. import experiments, public
from ..experiments import ExperimentError, VoteRefusedError, WeightedVariant
from ..models import Experiment, ExperimentState, ExperimentVariant
from .compare import COMMON_SIZES, VariantSlotsForm, owned_app


class ExperimentForm(VariantSlotsForm):
    """Two to four variants with traffic weights (for example 50/50)."""

    with_weights = True


def _owned_experiment(request, pk, eid) -> Experiment:
    app = owned_app(request, pk)
    return get_object_or_404(Experiment.objects.select_related("app", "winner"), pk=eid, app=app)


@login_required
def experiment_new(request, pk):
    app = owned_app(request, pk)
    running = experiments.running_experiment(app)
    if running is not None:
        messages.info(request, "An experiment is already running on this app.")
        return redirect("experiments:experiment_detail", pk=app.pk, eid=running.pk)
    form = ExperimentForm(request.POST or None, app=app)
    if request.method == "POST" and form.is_valid():
        weighted = [WeightedVariant(v, w) for v, w in zip(form.variants, form.weights, strict=True)]
        try:
            experiment = experiments.experiment_start(app=app, by=request.user, variants=weighted)
        except ExperimentError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, "Experiment started: public visitors are now split between the variants.")
            return redirect("experiments:experiment_detail", pk=app.pk, eid=experiment.pk)
    return render(request, "builder/experiments/new.html", {"app": app, "form": form, "sizes": COMMON_SIZES})


@login_required
def experiment_detail(request, pk, eid):
    """The live results; htmx polls the results fragment while the experiment runs."""
    experiment = _owned_experiment(request, pk, eid)
    context = {
        "app": experiment.app,
        "experiment": experiment,
        "results": experiments.experiment_results(experiment=experiment),
    }
    if request.htmx:
        response = render(request, "builder/experiments/partials/results.html", context)
        if experiment.state != ExperimentState.RUNNING:
            return HttpResponseStopPolling(response.content)
        return response
    return render(request, "builder/experiments/detail.html", context)


@login_required
def app_panel(request, pk):
    """htmx: the experiment summary on the builder's app page."""
    app = owned_app(request, pk)
    listed = experiments.experiment_list(app=app)
    current = listed[0] if listed else None
    context = {
        "app": app,
        "experiment": current,
        "results": experiments.experiment_results(experiment=current) if current else None,
        "past": listed[1:6],
    }
    return render(request, "builder/experiments/partials/panel.html", context)


@login_required
@require_POST
def experiment_stop(request, pk, eid):
    experiment = _owned_experiment(request, pk, eid)
    if experiments.experiment_stop(experiment=experiment):
        messages.success(request, "Experiment stopped: visitors all get the app's own model again.")
    else:
        messages.info(request, "This experiment had already stopped.")
    return redirect("experiments:experiment_detail", pk=pk, eid=eid)


@login_required
@require_POST
def experiment_promote(request, pk, eid, vid):
    """Stop the experiment and make the winner the app's model, through the audited switch."""
    experiment = _owned_experiment(request, pk, eid)
    variant = get_object_or_404(ExperimentVariant.objects.select_related("model"), pk=vid, experiment=experiment)
    report = experiments.experiment_promote(experiment=experiment, variant=variant, by=request.user)
    if report.switched:
        messages.success(
            request,
            f"Variant {variant.label} promoted: {experiment.app.name} now uses {variant.model.display_name} "
            "for every visitor. The experiment is stopped.",
        )
    else:
        reasons = " ".join(r for _, errors in report.refused for r in errors)
        messages.error(request, f"Variant {variant.label} could not be promoted: {reasons}")
    return redirect("experiments:experiment_detail", pk=pk, eid=eid)


@csrf_exempt  # votes come from embeds too, where our cookies are not sent; they are anonymous and rate-limited
@require_POST
def vote(request, run_id):
    """A visitor's thumbs up or down on a result; no sign-in. htmx gets the vote fragment back with a
    message; a plain POST gets a small page with the same message."""
    up = request.POST.get("up")
    status = 200
    if up not in ("1", "0"):
        message, ok, status = "Choose thumbs up or thumbs down.", False, 400
    else:
        try:
            experiments.vote_cast(
                run_id=run_id, up=up == "1", visitor_hash=public.visitor_hash(public.client_ip(request))
            )
        except VoteRefusedError as exc:
            message, ok, status = exc.message, False, exc.status
        else:
            message, ok = "Thanks! Your rating was recorded.", True
    run = experiments.votable_run(run_id=run_id)
    context = {"run": run, "run_id": run_id, "vote_message": message, "vote_ok": ok}
    if request.htmx:
        # htmx swaps only 2xx answers: the refusal is in the fragment's text.
        return render(request, "builder/partials/vote.html", context)
    return render(request, "builder/experiments/vote_done.html", context, status=status)
