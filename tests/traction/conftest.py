"""Traction test helpers: a clean event buffer per test, and "flush and roll up" in one call."""

from __future__ import annotations

import pytest

from rookery.traction import recording, services

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126"


@pytest.fixture(autouse=True)
def _empty_buffer():
    recording.buffer._events.clear()
    recording.buffer._oldest = None
    yield
    recording.buffer._events.clear()
    recording.buffer._oldest = None


def roll_up() -> None:
    """What the worker's minute task does: write buffered events, add them to the counts."""
    recording.flush()
    services.rollup_run(settle_seconds=0)
