"""``/api/v2/search``: people, hashtags and posts through the search selector."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from rookery.api.auth import Token, viewer_of
from rookery.api.routes.common import documented, respond
from rookery.api.serializers import context_of, web_url
from rookery.api.serializers.account import AccountOut, serialize_account
from rookery.api.serializers.status import StatusOut, TagOut, serialize_statuses
from rookery.search.selectors import search

router = Router(tags=["search"])

KIND = {"accounts": "accounts", "hashtags": "hashtags", "statuses": "posts"}


class SearchParams(Schema):
    q: str
    type: Literal["accounts", "hashtags", "statuses"] | None = None
    resolve: bool = False  # nothing is remote, so there is nothing to resolve
    following: bool = False
    exclude_unreviewed: bool = False
    limit: int = 20
    offset: int = 0


class SearchOut(Schema):
    accounts: list[AccountOut]
    statuses: list[StatusOut]
    hashtags: list[TagOut]


@router.get("/v2/search", response=documented(SearchOut), auth=Token("read:search"))
def search_v2(request: HttpRequest, params: Query[SearchParams]) -> HttpResponse:
    limit = max(1, min(params.limit, 40))
    offset = max(0, min(params.offset, 10_000))
    kind = KIND[params.type] if params.type else None
    results = search(params.q, viewer_of(request), kind=kind, limit=limit, offset=offset)  # type: ignore[arg-type]
    ctx = context_of(request)
    return respond(
        {
            "accounts": [serialize_account(user, ctx) for user in results.accounts],
            "statuses": serialize_statuses(results.posts, ctx),
            "hashtags": [
                {"name": tag.name, "url": ctx.absolute(web_url("web:hashtag", tag.name))}
                for tag in results.hashtags
            ],
        }
    )
