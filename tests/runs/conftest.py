"""Fixtures for the runs tests: a private Redis we may stop and start, and Celery worker *processes*."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from tests.conftest import free_port
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


class PrivateRedis:
    """A redis-server of our own on a free port, so a test may take the broker away and bring it back."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        assert wait_for(lambda: _pings(client), timeout=10), "private redis-server did not start"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_broker(private_redis):
    """Point this process's Celery app (what run_start enqueues with) at the private Redis and a unique
    queue; the worker processes started by `worker_process` consume the same."""
    from appaca.celery import app

    queue = f"runs-test-{uuid.uuid4().hex[:8]}"
    saved = app.conf.get("broker_write_url"), app.conf.task_default_queue
    # broker_write_url, because Celery prefers a CELERY_BROKER_URL environment variable to broker_url.
    app.conf.broker_write_url = private_redis.url
    app.conf.task_default_queue = queue
    app._after_fork()  # drop pooled connections to the old broker
    try:
        yield {"url": private_redis.url, "queue": queue, "redis": private_redis}
    finally:
        app.conf.broker_write_url, app.conf.task_default_queue = saved
        app._after_fork()


class WorkerProcess:
    """`celery -A appaca worker --pool threads` as a separate process, as in production."""

    def __init__(self, env: dict, log_path: Path):
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, *, concurrency: int = 8) -> WorkerProcess:
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.log_offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "appaca", "worker", "--pool", "threads"]
            + ["--concurrency", str(concurrency), "-Q", self.env["CELERY_QUEUE"], "--loglevel", "INFO"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"w{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        ready = wait_for(lambda: b" ready." in self._log_tail() or self.process.poll() is not None, timeout=60)
        assert ready and self.process.poll() is None, f"worker did not start:\n{self._log_tail().decode()[-3000:]}"
        return self

    def _log_tail(self) -> bytes:
        with open(self.log_path, "rb") as handle:
            handle.seek(self.log_offset)
            return handle.read()

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no chance to hand messages back."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "log", None):
            self.log.close()


@pytest.fixture
def worker_process(worker_env, private_broker, tmp_path):
    """Start worker processes on the private broker and queue; every one is stopped (killed if need be)
    at the end. Extra environment (deadlines, visibility timeout) may be passed to `start`."""
    started: list[WorkerProcess] = []

    def start(**env) -> WorkerProcess:
        full = {
            **worker_env,
            "CELERY_BROKER_URL": private_broker["url"],
            "CELERY_QUEUE": private_broker["queue"],
            "DJANGO_LOG_LEVEL": "INFO",
            "DATABASE_POOL_SIZE": "4",  # as production workers run: a pooled, capped set of connections
            **{k: str(v) for k, v in env.items()},
        }
        worker = WorkerProcess(full, tmp_path / "worker.log")
        started.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
