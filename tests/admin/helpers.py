"""Starting an app's run as the builder and public pages do, and waiting for it."""

from builder.switching import app_model_for_run
from builder.templating import render_prompt
from generation import services
from generation.models import Run, RunStatus
from tests.waiting import wait_until_finished


def start_app_run(app, subject: str = "a red fox") -> Run:
    """The app's next run: its model is read fresh from the database, as every caller of run_start does."""
    return services.run_start(
        app=app,
        model=app_model_for_run(app),
        prompt=render_prompt(app.prompt_template, {"subject": subject}),
        params=app.effective_params,
        inputs={"subject": subject},
    )


__all__ = ["RunStatus", "start_app_run", "wait_until_finished"]
