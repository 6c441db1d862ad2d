"""The API's one-round-trip rate limit counts exactly like rookery.core.ratelimit."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from rookery.api.auth import _hit


@pytest.mark.django_db
def test_hits_count_in_the_shared_window_and_stop_at_the_limit():
    rate = (3, 300)
    results = [_hit("api-test", "k1", rate=rate) for _ in range(4)]
    assert [r.remaining for r in results] == [2, 1, 0, 0]
    assert [r.allowed for r in results] == [True, True, True, False]
    window = int(time.time()) // 300
    # The same counter as rookery.core.ratelimit's, so its reset() and readers still work.
    assert cache.get(f"rl:api-test:k1:{window}") == 4
    assert results[0].reset_at == (window + 1) * 300
    assert _hit("api-test", "k2", rate=rate).remaining == 2  # keys are counted apart
