"""Polling with a deadline, for tests where a real worker does the work."""

from __future__ import annotations

import time

from generation.models import Run


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05) -> bool:
    """True as soon as predicate() is; False once the deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def wait_until_finished(run: Run, timeout: float = 30.0) -> Run:
    """The run, reloaded, once it has finished; fails the test if it has not by the deadline."""
    if not wait_for(lambda: Run.objects.filter(pk=run.pk, status__in=["succeeded", "failed", "canceled"]).exists(),
                    timeout=timeout):  # fmt: skip
        run.refresh_from_db()
        raise AssertionError(f"run {run.id} still {run.status} after {timeout} s")
    run.refresh_from_db()
    return run
