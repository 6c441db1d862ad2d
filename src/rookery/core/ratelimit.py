"""Fixed-window rate limits on the shared cache (Redis in production, memory on a laptop)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # unix seconds when the window ends

    @property
    def retry_after(self) -> int:
        return max(1, self.reset_at - int(time.time()))


def hit(scope: str, key: str, *, rate: tuple[int, int]) -> RateLimitResult:
    """Count one hit of ``key`` in ``scope``; ``allowed`` is False once the window is full."""
    limit, period = rate
    window = int(time.time()) // period
    cache_key = f"rl:{scope}:{key}:{window}"
    # add() is atomic on Redis and locmem, so two processes never both create the counter.
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    reset_at = (window + 1) * period
    return RateLimitResult(
        allowed=count <= limit, limit=limit, remaining=max(0, limit - count), reset_at=reset_at
    )


def reset(scope: str, key: str, *, rate: tuple[int, int]) -> None:
    _limit, period = rate
    window = int(time.time()) // period
    cache.delete(f"rl:{scope}:{key}:{window}")
