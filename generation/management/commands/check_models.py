"""`manage.py check_models`: which registry models this key can reach, and which apps would break.

Exits non-zero when an app's model is unreachable or retired without a fitting successor. Runs daily
(generation.tasks.check_models) and works against OPENAI_BASE_URL.
"""

from django.core.management.base import BaseCommand, CommandError

from generation.lifecycle import models_check
from generation.providers.errors import ProviderError

COLUMNS = ("key", "vendor id", "state", "reachable", "shutdown", "apps", "note")


def _reachable(value: bool | None) -> str:
    return {True: "yes", False: "NO", None: "-"}[value]


class Command(BaseCommand):
    help = "Compare the registry with the models the provider lists; fail when an app's model cannot run."

    def handle(self, *args, **options):
        try:
            report = models_check()
        except ProviderError as exc:
            raise CommandError(f"Could not list the provider's models: {exc.message}", returncode=2) from exc
        if report.notice:
            self.stdout.write(self.style.WARNING(report.notice))
        table = [COLUMNS] + [
            (
                row.key,
                row.vendor_id,
                row.state,
                _reachable(row.reachable),
                f"{row.shutdown_date:%Y-%m-%d}" if row.shutdown_date else "-",
                str(row.apps_using),
                row.note,
            )
            for row in report.rows
        ]
        widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
        for line in table:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        if report.ok:
            self.stdout.write(self.style.SUCCESS("Every app's model can run."))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(f"{len(report.problems)} app(s) would fail on their next run.", returncode=1)
