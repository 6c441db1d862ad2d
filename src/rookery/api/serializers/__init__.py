"""Mastodon JSON for Rookery's objects; ids are strings and times ISO 8601, as clients expect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.http import HttpRequest

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


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_date(value: datetime | None) -> str | None:
    return value.astimezone(UTC).date().isoformat() if value is not None else None
