"""Scheduling background work from services.

Services write inside a transaction and schedule follow-up work *after* it commits, so a task
never runs against rows that were rolled back. Every service goes through ``after_commit`` so
the test suite can run follow-ups at once (tests/conftest.py) without patching each service.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


def after_commit(callback: Callable[[], object]) -> None:
    transaction.on_commit(callback)
