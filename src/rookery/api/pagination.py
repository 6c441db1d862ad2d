"""Mastodon pagination: ``max_id`` / ``since_id`` / ``min_id`` / ``limit`` and Link headers.

Lists are paged by an id that only grows (post id, notification id, follow id...), never by
offset, so every page costs the same. The Link header carries the next (older) and previous
(newer) page, which is how Mastodon.py's ``fetch_next`` and toot's scrolling find them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Schema

from rookery.timelines.selectors import Page, PageError

T = TypeVar("T")

# Ids go into 64-bit columns; anything larger would crash the database driver instead.
MAX_ID = 2**63 - 1


class PageParams(Schema):
    max_id: str | None = None
    since_id: str | None = None
    min_id: str | None = None
    limit: str | None = None


def page_from(params: PageParams) -> Page:
    page = Page.parse(
        max_id=params.max_id, since_id=params.since_id, min_id=params.min_id, limit=params.limit
    )
    for name in ("max_id", "since_id", "min_id"):
        value = getattr(page, name)
        if value is not None and value > MAX_ID:
            raise PageError(f"{name} is out of range")
    return page


def page_queryset(queryset: QuerySet, page: Page, field: str) -> list[Any]:
    """One page of ``queryset`` by ``field``, newest first whichever direction was asked."""
    rows = list(queryset.filter(page.filter_q(field)).order_by(page.order(field))[: page.limit])
    if page.min_id is not None:
        rows.reverse()
    return rows


def link_header(
    request: HttpRequest, cursors: Sequence[int], *, extra: dict[str, str] | None = None
) -> str | None:
    """Next/prev links for a page whose items have ``cursors`` (newest first)."""
    if not cursors:
        return None
    base = request.build_absolute_uri(request.path)
    keep = {
        key: request.GET.getlist(key)
        for key in request.GET
        if key not in ("max_id", "since_id", "min_id", "access_token")
    }
    if extra:
        keep.update({k: [v] for k, v in extra.items()})

    def url(param: str, value: int) -> str:
        query = [(k, v) for k, values in keep.items() for v in values] + [(param, str(value))]
        return f"{base}?{urlencode(query)}"

    return (
        f'<{url("max_id", min(cursors))}>; rel="next", <{url("min_id", max(cursors))}>; rel="prev"'
    )


def set_link(
    request: HttpRequest, response: HttpResponse, items: Sequence[T], cursor: Callable[[T], int]
) -> None:
    header = link_header(request, [cursor(item) for item in items])
    if header:
        response["Link"] = header
