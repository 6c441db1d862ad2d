"""Bearer-token authentication for the API: DOT access tokens, scopes and the rate limit.

Each operation says which scope it needs (``Token("read:statuses")``); a token holding the
top-level scope (``read``) or the granular one passes. Tokens are looked up in the database on
every request, so a revoked token stops working at once.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from oauth2_provider.models import AccessToken, Application

from rookery.accounts.models import User
from rookery.api import scopes
from rookery.api.errors import ApiError
from rookery.core import ratelimit


@dataclass(frozen=True)
class Caller:
    """Who is calling: ``user`` is None for app-only (client credentials) and anonymous calls."""

    user: User | None
    application: Application | None
    scopes: frozenset[str]
    token_id: int | None

    @property
    def is_anonymous(self) -> bool:
        return self.token_id is None


def caller_of(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined,return-value]


def viewer_of(request: HttpRequest) -> User | None:
    return caller_of(request).user


def user_of(request: HttpRequest) -> User:
    """The token's user; operations that need one are declared with ``Token(..., user=True)``."""
    user = caller_of(request).user
    assert user is not None
    return user


def _checksum(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    # Mastodon accepts the token as a query parameter too; some scripts rely on it.
    return request.GET.get("access_token") or None


class Token(HttpBearer):
    """Requires a token with ``scope``; ``optional`` lets anonymous callers through."""

    def __init__(
        self,
        scope: str | tuple[str, ...] | None = None,
        *,
        user: bool = True,
        optional: bool = False,
    ) -> None:
        super().__init__()
        self.scope = scope
        self.needs_user = user
        self.optional = optional

    def __call__(self, request: HttpRequest) -> Caller | None:
        raw = _bearer(request)
        if raw is None:
            if not self.optional:
                return None  # ninja answers 401
            _limit(request, "anon", _client_ip(request))
            request.user = AnonymousUser()
            return Caller(user=None, application=None, scopes=frozenset(), token_id=None)
        return self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        access = (
            AccessToken.objects.select_related("user", "application")
            .filter(token_checksum=_checksum(token))
            .first()
        )
        if access is None or access.expires is None or access.expires <= timezone.now():
            return None
        user = access.user
        if user is not None and (not user.is_active or user.is_suspended):
            raise ApiError(403, "Your login is currently disabled")
        granted = frozenset(scopes.parse(access.scope))
        if self.scope is not None and not scopes.allows(set(granted), self.scope):
            wanted = self.scope if isinstance(self.scope, str) else " or ".join(self.scope)
            raise ApiError(403, f"This action is outside the authorized scopes ({wanted} needed)")
        if self.needs_user and user is None:
            raise ApiError(422, "This method requires an authenticated user")
        _limit(request, "token", str(access.pk))
        if user is not None:
            request.user = user
        return Caller(user=user, application=access.application, scopes=granted, token_id=access.pk)


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _hit(scope: str, key: str, *, rate: tuple[int, int]) -> ratelimit.RateLimitResult:
    """``rookery.core.ratelimit.hit`` (same key, same window) in one Redis round trip.

    Every API request is counted; the generic version costs three round trips on Redis
    (add, then incr's exists check and the incr itself), each on a freshly made client.
    Here SET NX (the window's expiry) and INCR go in one pipeline. Without Redis the cache
    is this process's memory and the generic version costs no round trip at all.
    """
    client = _redis_client()
    if client is None:
        return ratelimit.hit(scope, key, rate=rate)
    limit, period = rate
    window = int(time.time()) // period
    redis_key = cache.make_and_validate_key(f"rl:{scope}:{key}:{window}")
    pipe = client.pipeline(transaction=False)
    pipe.set(redis_key, 0, ex=period + 1, nx=True)
    pipe.incr(redis_key)
    _created, count = pipe.execute()
    return ratelimit.RateLimitResult(
        allowed=count <= limit,
        limit=limit,
        remaining=max(0, limit - count),
        reset_at=(window + 1) * period,
    )


def _redis_client() -> Any:
    if not isinstance(cache, RedisCache):
        return None
    # Django's RedisCache keeps its redis-py connection pool behind _cache (its client).
    return cache._cache.get_client(write=True)


def _limit(request: HttpRequest, kind: str, key: str) -> None:
    result = _hit(f"api-{kind}", key, rate=settings.API_RATE)
    # The URL wrapper copies this onto the response as X-RateLimit-* headers.
    request._rookery_ratelimit = result  # type: ignore[attr-defined]
    if not result.allowed:
        raise ApiError(429, "Too many requests", retry_after=result.retry_after)


def public(scope: str | tuple[str, ...] | None = None) -> Token:
    """Readable without a token; a token, when sent, must still be valid and hold ``scope``."""
    return Token(scope, user=False, optional=True)
