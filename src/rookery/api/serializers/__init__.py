"""Mastodon JSON for Rookery's objects; ids are strings and times ISO 8601, as clients expect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse

from rookery.accounts.models import User


@dataclass(frozen=True)
class Context:
    """What every serialiser needs: who is looking and the absolute base URL for links."""

    viewer: User | None
    base: str

    def absolute(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base}{path}"


def context_of(request: HttpRequest) -> Context:
    from rookery.api.auth import viewer_of

    return Context(viewer=viewer_of(request), base=f"{request.scheme}://{request.get_host()}")


@cache
def _url_template(name: str, kinds: tuple[type, ...]) -> str:
    # reverse() is by far the dearest part of serialising a page of posts (three links per
    # post); URL patterns don't change while the process runs, so reverse each name once.
    # Placeholders that fit the route's converters: digits for ints, letters for strings.
    samples = [
        str(9_876_543_210 + i) if kind is int else f"ROOKERYARG{i}" for i, kind in enumerate(kinds)
    ]
    url = reverse(name, args=samples)
    for i, sample in enumerate(samples):
        url = url.replace(sample, f"{{{i}}}")
    return url


def web_url(name: str, *args: str | int) -> str:
    """``reverse(name, args=args)`` for the web UI's simple ``<str>`` and ``<int>`` routes."""
    return _url_template(name, tuple(type(a) for a in args)).format(*args)


@cache
def static_url(path: str) -> str:
    return static(path)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_date(value: datetime | None) -> str | None:
    return value.astimezone(UTC).date().isoformat() if value is not None else None
