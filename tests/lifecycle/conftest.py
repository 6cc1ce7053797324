"""Fixtures shared with the provider tests: a private queue, for tests that execute runs themselves."""

from tests.providers.conftest import private_queue

__all__ = ["private_queue"]
