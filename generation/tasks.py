"""Thin, idempotent Celery tasks: they take ids and call a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def execute_run(run_id: str) -> None:
    services.run_execute(run_id=run_id)


@shared_task(ignore_result=True)
def recover_runs() -> dict:
    return services.runs_recover()


@shared_task(ignore_result=True)
def check_models() -> None:
    from django.core.management import call_command

    call_command("check_models")


@shared_task(ignore_result=False)
def noop() -> str:
    """A bare round trip, for the benchmark's baseline."""
    return "ok"
