"""Fixtures of the experiments tests: public visitors from distinct addresses.

Public visitors are told apart by a keyed hash of their IP. Every browser context in a test connects from
127.0.0.1, so `visitor_url` opens a small TCP relay on loopback that connects to the live server from
another loopback address (127.0.0.N): the server sees a different visitor per relay.
"""

from __future__ import annotations

import contextlib
import importlib
import socket
import threading
from urllib.parse import urlsplit

import pytest


class Relay:
    """Forward every connection made to 127.0.0.1:<port> to the live server, from `source_ip`."""

    def __init__(self, target: tuple[str, int], source_ip: str):
        self.target, self.source_ip = target, source_ip
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.socket()
            upstream.bind((self.source_ip, 0))
            upstream.connect(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.closed = True
        self.listener.close()


@pytest.fixture
def visitor_url(live_server):
    """visitor_url("127.0.0.7") -> a base URL through which the live server sees that client address."""
    parts = urlsplit(live_server.url)
    target = ("127.0.0.1", parts.port)
    relays = []

    def make(source_ip: str) -> str:
        relay = Relay(target, source_ip)
        relays.append(relay)
        return f"http://127.0.0.1:{relay.port}"

    yield make
    for relay in relays:
        relay.close()


@pytest.fixture
def seeded_registry(transactional_db):
    """The seeded registry, even after an earlier transactional test flushed it.

    Serialized rollback restores it through the connection that was open at set-up, but once Playwright's
    sync API runs an event loop in this thread, asgiref's context-local `connections` hands out another
    connection object, without the serialized contents, so nothing is restored. Seeding again is
    idempotent (the migration's own function)."""
    from django.apps import apps

    seed = importlib.import_module("generation.migrations.0002_seed_registry").seed
    seed(apps, None)


@pytest.fixture
def app():
    """A published app on the offline model, with a second offline registry row (offline-b) to switch to."""
    from tests.experiments.helpers import offline_b
    from tests.factories import AppFactory

    offline_b()
    return AppFactory()


@pytest.fixture
def owner_client(client, app):
    client.force_login(app.owner)
    return client
