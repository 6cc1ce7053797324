"""`make run`: migrate, seed, then the web server, a Celery worker and the scheduler, until Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = os.getenv("APPACA_HOST", "127.0.0.1")
PORT = os.getenv("APPACA_PORT", "8000")


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appaca.settings")
    # Share links and embed snippets name the address this run actually serves on.
    os.environ.setdefault("APPACA_SITE_URL", f"http://{HOST}:{PORT}")
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--noinput", "-v", "0")
    manage("seed")
    celery = [PY, "-m", "celery", "-A", "appaca"]
    queue = os.getenv("CELERY_QUEUE", "appaca")
    processes = {
        "web": subprocess.Popen([PY, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"], cwd=ROOT),
        "worker": subprocess.Popen(
            [
                *celery,
                "worker",
                "--pool",
                "threads",
                "--concurrency",
                os.getenv("WORKER_CONCURRENCY", "32"),
                "-Q",
                queue,
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
        ),
        "scheduler": subprocess.Popen([*celery, "beat", "--loglevel", "WARNING"], cwd=ROOT),
    }
    time.sleep(2)
    print(
        f"\n  Appaca is running at http://{HOST}:{PORT}/\n"
        f"  Sign in as demo / demo-appaca  (staff; the admin is at http://{HOST}:{PORT}/admin/)\n"
        f"  Demo app: http://{HOST}:{PORT}/a/sticker-studio/\n"
        "  Web server, worker and scheduler are running. Press Ctrl-C to stop them all.\n",
        flush=True,
    )

    def stop(*_):
        for proc in processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in processes.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for name, proc in processes.items():
            if proc.poll() is not None:
                print(f"{name} stopped (exit {proc.returncode}); stopping the rest.", flush=True)
                stop()
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
