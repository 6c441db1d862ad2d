"""``/api/v2/suggestions``: partial, popular accounts until who-to-follow serves the API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from rookery.api.auth import Token, user_of
from rookery.api.routes.common import documented, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.account import AccountOut, serialize_account
from rookery.social.selectors import popular_accounts_to_follow

router = Router(tags=["suggestions"])


class SuggestionOut(Schema):
    source: str
    sources: list[str]
    account: AccountOut


class SuggestionParams(Schema):
    limit: int = 40


@router.get("/v2/suggestions", response=documented(list[SuggestionOut]), auth=Token("read"))
def suggestions(request: HttpRequest, params: Query[SuggestionParams]) -> HttpResponse:
    limit = max(1, min(params.limit, 80))
    ctx = context_of(request)
    people = popular_accounts_to_follow(user_of(request), limit=limit)
    return respond(
        [
            {"source": "global", "sources": ["most_followed"], "account": serialize_account(u, ctx)}
            for u in people
        ]
    )
