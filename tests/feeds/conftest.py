from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.feeds.blogserver import BlogServer


@pytest.fixture
def blog() -> Iterator[BlogServer]:
    with BlogServer() as server:
        yield server


@pytest.fixture
def loopback(settings):  # type: ignore[no-untyped-def]
    """The blog server is on 127.0.0.1, which the outbound client refuses unless allowed."""
    settings.OUTBOUND_ALLOW_PRIVATE = True
    settings.OUTBOUND_TIMEOUT = 2.0
    return settings
