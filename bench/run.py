"""Appaca's benchmarks (`make bench`): per-run overhead, calls in flight on one worker, thumbnail time.

Everything is real: PostgreSQL (a database of its own, `appaca_bench`, created when missing), Redis, a moto
S3 server process and a Celery worker process (`celery -A appaca worker --pool threads`). The offline model
stands in for the vendor: instant for the overhead benchmark, 5 s per call for the in-flight one.
See bench/README.md for what each figure means and the last results.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUCKET = "appaca-bench"
AWS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_S3_REGION_NAME": "us-east-1"}
PARAMS = {"size": "256x256", "quality": "low", "output_format": "png", "n": 1}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ensure_database(url: str) -> None:
    """Create the benchmark's own database when missing (never the development or test database)."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Services:
    """The moto S3 server and worker processes the benchmarks start; all stopped at the end."""

    def __init__(self, args):
        self.args = args
        self.processes: list[subprocess.Popen] = []
        self.logdir = Path(tempfile.mkdtemp(prefix="appaca-bench-"))
        self.queue = f"bench-{uuid.uuid4().hex[:8]}"
        self.s3_port = free_port()

    def environment(self) -> dict:
        return {
            **os.environ,
            **AWS,
            "DATABASE_URL": self.args.database_url,
            "CELERY_BROKER_URL": self.args.redis_url,
            "CELERY_RESULT_BACKEND": self.args.redis_url,
            "CELERY_QUEUE": self.queue,
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "DJANGO_SETTINGS_MODULE": "appaca.settings",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",
            "APPACA_TESTING": "1",
            "OPENAI_API_KEY": "",
            "DATABASE_POOL_SIZE": str(self.args.pool_size),
        }

    def start_s3(self) -> None:
        moto = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
        log = open(self.logdir / "moto.log", "wb")  # noqa: SIM115 (lives as long as the process)
        self.processes.append(
            subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(self.s3_port)], stdout=log, stderr=log)
        )
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.s3_port}",
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )

        def bucket_made() -> bool:
            try:
                client.create_bucket(Bucket=BUCKET)
                return True
            except Exception:
                return False

        assert wait_until(bucket_made, 30, 0.2), "moto server did not start"

    def start_worker(self, *, concurrency: int, pool: str = "threads", name: str = "worker") -> subprocess.Popen:
        log_path = self.logdir / f"{name}.log"
        log = open(log_path, "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "appaca",
                "worker",
                "--pool",
                pool,
                "--concurrency",
                str(concurrency),
                "-Q",
                self.queue,
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
            ],
            cwd=ROOT,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        ready = wait_until(lambda: b" ready." in log_path.read_bytes() or process.poll() is not None, 120, 0.1)
        if not ready or process.poll() is not None:
            raise SystemExit(f"worker did not start; see {log_path}")
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            self.stop(process)


def setup_django(services: Services) -> None:
    os.environ.update(services.environment())
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def bench_model(key: str, latency_ms: int):
    from generation.models import ImageModel

    offline = ImageModel.objects.get(key="offline")
    capabilities = {**offline.capabilities, "simulated_latency_ms": latency_ms}
    model, _ = ImageModel.objects.update_or_create(
        key=key, defaults={"display_name": key, "provider": "offline", "capabilities": capabilities}
    )
    return model


def submit(model):
    from generation import services

    return services.run_start(model=model, prompt=f"A bench sticker {uuid.uuid4().hex}", params=PARAMS)


# --- 1. per-run overhead ------------------------------------------------------------------------------------


def overhead(services: Services, args) -> dict:
    from generation.models import Run, RunStatus
    from generation.tasks import noop

    worker = services.start_worker(concurrency=args.concurrency, name="overhead")
    model = bench_model("bench-instant", 0)
    try:
        noop.delay().get(timeout=30)
        for _ in range(args.warmup):  # boto3 clients, connections, imports in the worker's threads
            run = submit(model)
            wait_until(lambda run=run: Run.objects.filter(pk=run.pk, status=RunStatus.SUCCEEDED).exists(), 30, 0.005)

        # A bare Celery round trip on the same Redis: publish, execute, result back.
        noop_ms = []
        for _ in range(args.samples):
            started = time.perf_counter()
            noop.delay().get(timeout=30)
            noop_ms.append((time.perf_counter() - started) * 1000)

        # Submit (validate, insert, enqueue) to succeeded with the image and thumbnail stored in S3.
        run_ms, provider_ms, wait_ms, execute_ms = [], [], [], []
        for _ in range(args.samples):
            started = time.perf_counter()
            run = submit(model)
            done = wait_until(
                lambda run=run: Run.objects.filter(pk=run.pk, status=RunStatus.SUCCEEDED).exists(), 30, 0.001
            )
            assert done, f"run {run.pk} did not succeed"
            run_ms.append((time.perf_counter() - started) * 1000)
            done = Run.objects.get(pk=run.pk)
            provider_ms.append(done.latency_ms or 0)
            wait_ms.append((done.started_at - done.queued_at).total_seconds() * 1000)
            execute_ms.append((done.finished_at - done.started_at).total_seconds() * 1000)

        # Throughput: a burst of runs, submitted as fast as one client can, until all have succeeded.
        started = time.perf_counter()
        burst = [submit(model).pk for _ in range(args.burst)]
        assert wait_until(
            lambda: Run.objects.filter(pk__in=burst, status=RunStatus.SUCCEEDED).count() == len(burst), 300, 0.01
        ), "burst did not finish"
        burst_seconds = time.perf_counter() - started

        started = time.perf_counter()
        results = [noop.delay() for _ in range(args.burst)]
        for result in results:
            result.get(timeout=60)
        noop_burst_seconds = time.perf_counter() - started
    finally:
        services.stop(worker)
    overhead_ms = [total - provider for total, provider in zip(run_ms, provider_ms, strict=True)]
    return {
        "noop_p50": statistics.median(noop_ms),
        "noop_p95": percentile(noop_ms, 95),
        "run_p50": statistics.median(run_ms),
        "run_p95": percentile(run_ms, 95),
        "provider_p50": statistics.median(provider_ms),
        "wait_p50": statistics.median(wait_ms),
        "execute_p50": statistics.median(execute_ms),
        "overhead_p50": statistics.median(overhead_ms),
        "overhead_p95": percentile(overhead_ms, 95),
        "runs_per_s": args.burst / burst_seconds,
        "noops_per_s": args.burst / noop_burst_seconds,
    }


# --- 2. calls in flight ------------------------------------------------------------------------------------


def in_flight(services: Services, args, rate: float) -> dict:
    """Open-loop load: runs arrive at `rate` per second (as visitors press Generate), each call takes
    call_seconds. The worker keeps rate x call_seconds calls in flight if it keeps up; measured over the
    steady window once the first calls have finished, until arrivals stop."""
    import threading

    from django.db import connection
    from django.db.models import Avg, F

    from generation.models import Run, RunStatus

    call_seconds = args.call_seconds
    threads = int(rate * call_seconds * 1.25)  # headroom over the expected in-flight count
    model = bench_model(f"bench-slow-{int(call_seconds * 1000)}", int(call_seconds * 1000))
    worker = services.start_worker(concurrency=threads, name=f"inflight-{threads}")
    database = connection.settings_dict["NAME"]
    total = int(rate * args.duration)
    try:
        idle_rss = rss_mib(worker.pid)
        cpu_before = cpu_seconds(worker.pid), cpu_seconds(services.processes[0].pid)
        t0 = time.perf_counter()
        since = timezone_now()
        late = []

        def arrivals(offset: int, step: int) -> None:
            for i in range(offset, total, step):
                delay = t0 + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                else:
                    late.append(-delay)
                submit(model)
            connection.close()

        submitters = [threading.Thread(target=arrivals, args=(k, 2)) for k in range(2)]
        for thread in submitters:
            thread.start()
        window = (call_seconds + 1.0, args.duration)  # seconds after t0: steady state
        samples, peak_rss, peak_connections = [], 0.0, 0
        running = Run.objects.filter(model=model, queued_at__gte=since)
        while time.perf_counter() - t0 < args.duration:
            elapsed = time.perf_counter() - t0
            in_flight_now = running.filter(status=RunStatus.RUNNING).count()
            if window[0] <= elapsed <= window[1]:
                samples.append(in_flight_now)
            peak_rss = max(peak_rss, rss_mib(worker.pid))
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [database],
                )
                peak_connections = max(peak_connections, cursor.fetchone()[0])
            time.sleep(0.25)
        for thread in submitters:
            thread.join()
        assert wait_until(lambda: not running.exclude(status__in=["succeeded", "failed"]).exists(), 120, 0.5)
        cpu_after = cpu_seconds(worker.pid), cpu_seconds(services.processes[0].pid)
        start_at = since + timedelta_s(window[0])
        end_at = since + timedelta_s(window[1])
        done = running.filter(status=RunStatus.SUCCEEDED, finished_at__gte=start_at, finished_at__lt=end_at)
        completed = done.count()
        latency = done.aggregate(avg=Avg(F("finished_at") - F("queued_at")))["avg"]
        failed = running.exclude(status=RunStatus.SUCCEEDED).count()
    finally:
        services.stop(worker)
    throughput = completed / (window[1] - window[0])
    mean_in_flight = statistics.mean(samples) if samples else 0
    ideal = mean_in_flight / call_seconds
    return {
        "rate": rate,
        "threads": threads,
        "runs": total,
        "failed": failed,
        "in_flight": mean_in_flight,
        "peak_in_flight": max(samples, default=0),
        "throughput": throughput,
        "ideal": ideal,
        "of_ideal": throughput / ideal if ideal else 0,
        "latency_s": latency.total_seconds() if latency else 0,
        "rss_idle_mib": idle_rss,
        "rss_peak_mib": peak_rss,
        "peak_db_connections": peak_connections,
        "worker_cpu_ms_per_run": (cpu_after[0] - cpu_before[0]) * 1000 / total,
        "s3_cpu_ms_per_run": (cpu_after[1] - cpu_before[1]) * 1000 / total,
        "late_submits": len(late),
        "load": os.getloadavg()[0],
    }


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def timedelta_s(seconds: float):
    from datetime import timedelta

    return timedelta(seconds=seconds)


# --- 3. thumbnails -------------------------------------------------------------------------------------------


def thumbnails(args) -> dict:
    import io

    from PIL import Image, ImageFilter

    from generation import storage
    from generation.providers.offline import encode, render

    results = {}
    for width, height in ((1024, 1024), (1536, 1024)):
        # A photo-like picture (smooth noise) is the harder case for WebP than the offline model's flat shapes.
        noise = Image.effect_noise((width, height), 64).convert("RGB").filter(ImageFilter.GaussianBlur(2))
        pictures = {
            "photo-like": encode(noise, "png", None),
            "offline": encode(render("bench", seed=1, width=width, height=height, transparent=False), "png", None),
        }
        for kind, data in pictures.items():
            storage.make_thumbnail(data)
            timings = []
            for _ in range(args.thumb_repeats):
                started = time.perf_counter()
                thumb = storage.make_thumbnail(data)
                timings.append((time.perf_counter() - started) * 1000)
            with Image.open(io.BytesIO(thumb)) as image:
                size = image.size
            results[f"{width}x{height} {kind}"] = {"ms": statistics.median(timings), "thumb": size}
    return results


# --- report --------------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    with open("/proc/meminfo") as handle:
        mem_gib = int(handle.readline().split()[1]) / 1024 / 1024
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_gib:.0f} GiB RAM, Linux {platform.release()}, "
        f"Python {platform.python_version()}, load average {load:.1f} at start"
    )


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table, ready to paste into bench/README.md."""
    cells = [[f"{c:.1f}" if isinstance(c, float) else str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| "
        + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        + " |"
        for row in cells
    ]
    return "\n".join(lines)


def report_overhead(o: dict, args) -> None:
    print(f"1. Per-run overhead: {args.samples} runs one after another, 256x256 offline model (answers at once)")
    print(
        table(
            ["measure", "p50 ms", "p95 ms"],
            [
                ["bare Celery round trip (noop, result in Redis)", o["noop_p50"], o["noop_p95"]],
                ["submit -> succeeded, image + thumbnail in S3", o["run_p50"], o["run_p95"]],
                ["  queued -> claimed by the worker", o["wait_p50"], "-"],
                ["  claimed -> finished, worker side", o["execute_p50"], "-"],
                ["  of which the provider call", o["provider_p50"], "-"],
                ["overhead (submit -> succeeded minus provider)", o["overhead_p50"], o["overhead_p95"]],
            ],
        )
    )
    print(f"overhead p50 / bare round trip p50: {o['overhead_p50'] / o['noop_p50']:.1f}x")
    print(f"throughput, burst of {args.burst}: {o['runs_per_s']:.1f} runs/s; bare no-ops {o['noops_per_s']:.0f}/s\n")


def report_in_flight(results: list[dict], args) -> None:
    print(
        f"2. In flight: runs arrive at a steady rate for {args.duration:g} s, each call takes {args.call_seconds:g} s "
        "(offline model); measured after the first calls finish. Ideal runs/s = mean in flight / call time."
    )
    headers = ["arrivals/s", "threads", "mean in flight", "peak", "runs/s", "ideal", "of ideal", "submit->done s"]
    headers += ["RSS idle MiB", "RSS peak MiB", "peak DB conns", "worker CPU ms/run", "moto CPU ms/run", "failed"]
    rows = [
        [
            f"{r['rate']:g}",
            r["threads"],
            r["in_flight"],
            r["peak_in_flight"],
            r["throughput"],
            r["ideal"],
            f"{r['of_ideal']:.0%}",
            f"{r['latency_s']:.2f}",
            round(r["rss_idle_mib"]),
            round(r["rss_peak_mib"]),
            r["peak_db_connections"],
            round(r["worker_cpu_ms_per_run"]),
            round(r["s3_cpu_ms_per_run"]),
            r["failed"],
        ]
        for r in results
    ]
    print(table(headers, rows))
    print(f"load average during the last: {results[-1]['load']:.1f}\n")


def report_thumbnails(results: dict, args) -> None:
    print(f"3. Thumbnails: WebP, 384 px on the long side; median of {args.thumb_repeats}")
    rows = [[name, r["ms"], f"{r['thumb'][0]}x{r['thumb'][1]}"] for name, r in results.items()]
    print(table(["source PNG", "ms per image", "thumbnail"], rows))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    env = os.getenv
    parser.add_argument(
        "--database-url", default=env("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/appaca_bench")
    )
    parser.add_argument("--redis-url", default=env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--only", choices=["overhead", "inflight", "thumbnails"], action="append")
    parser.add_argument("--concurrency", type=int, default=16, help="worker threads for the overhead benchmark")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--rate", type=float, action="append", help="arrivals per second to try (repeatable)")
    parser.add_argument("--duration", type=float, default=25.0, help="seconds of arrivals per rate")
    parser.add_argument("--call-seconds", type=float, default=5.0)
    parser.add_argument(
        "--pool-size", type=int, default=int(env("DATABASE_POOL_SIZE", "10")), help="DATABASE_POOL_SIZE; 0: no pool"
    )
    parser.add_argument("--thumb-repeats", type=int, default=20)
    args = parser.parse_args()
    chosen = set(args.only or ["overhead", "inflight", "thumbnails"])
    assert not args.database_url.rstrip("/").endswith(("/appaca", "/test_appaca")), "use a database of its own"

    ensure_database(args.database_url)
    services = Services(args)
    print(f"Machine: {machine()}")
    print(f"Worker: --pool threads, DATABASE_POOL_SIZE={args.pool_size}; logs in {services.logdir}\n", flush=True)
    try:
        services.start_s3()
        setup_django(services)
        if "overhead" in chosen:
            report_overhead(overhead(services, args), args)
        if "inflight" in chosen:
            report_in_flight([in_flight(services, args, rate) for rate in args.rate or [20, 40]], args)
        if "thumbnails" in chosen:
            report_thumbnails(thumbnails(args), args)
    finally:
        services.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
