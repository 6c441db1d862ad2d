"""Helpers shared by the route modules: JSON responses, documented errors, id lookups."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja.responses import codes_4xx

from rookery.accounts.models import User
from rookery.api.errors import ErrorOut, not_found
from rookery.api.pagination import MAX_ID
from rookery.posts.models import Post
from rookery.posts.selectors import post_get_for_viewer


def documented(schema: Any, status: int = 200) -> dict[Any, Any]:
    """The ``response=`` of an operation: its result plus the ``{"error"}`` of every 4xx."""
    # ninja's codes_4xx leaves out 422, which is how Mastodon reports invalid input.
    return {status: schema, codes_4xx | {422}: ErrorOut}


def respond(data: Any, status: int = 200, *, link: str | None = None) -> HttpResponse:
    # Routes build plain dicts with the serialisers and send them as they are; the declared
    # schemas document them (and the schemathesis test holds the two together).
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    if link:
        response["Link"] = link
    return response


def parse_id(value: str | int, what: str = "Record") -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise not_found(what) from None
    if number < 1 or number > MAX_ID:
        raise not_found(what)
    return number


def parse_ids(values: list[str] | None, what: str = "Record") -> list[int]:
    ids: list[int] = []
    for value in values or []:
        try:
            number = int(value)
        except ValueError:
            continue
        if 0 < number <= MAX_ID and number not in ids:
            ids.append(number)
    return ids[:100]


def account_or_404(account_id: str | int) -> User:
    user = User.objects.active().filter(pk=parse_id(account_id, "Account")).first()
    if user is None:
        raise not_found("Account")
    return user


def post_or_404(status_id: str | int, viewer: User | None) -> Post:
    """A post the viewer may see; anything else is "not found", never "forbidden"."""
    post = post_get_for_viewer(parse_id(status_id, "Status"), viewer)
    if post is None:
        raise not_found("Status")
    return post
