"""``/api/v2/suggestions``: Rookery's who-to-follow in Mastodon's shape."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from rookery.api.auth import Token, user_of
from rookery.api.routes.common import account_or_404, documented, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.account import AccountOut, serialize_account
from rookery.suggestions.selectors import suggestions_for
from rookery.suggestions.services import suggestion_dismiss

router = Router(tags=["suggestions"])


class SuggestionOut(Schema):
    source: str
    sources: list[str]
    account: AccountOut


class SuggestionParams(Schema):
    limit: int = 40


@router.get("/v2/suggestions", response=documented(list[SuggestionOut]), auth=Token("read"))
def suggestions(request: HttpRequest, params: Query[SuggestionParams]) -> HttpResponse:
    user = user_of(request)
    limit = max(1, min(params.limit, 80))
    ctx = context_of(request)
    result = []
    for item in suggestions_for(user, limit=limit):
        # Mastodon's vocabulary: reasons from the follow graph are "friends of friends".
        source = "friends_of_friends" if item.followed_by_count else "similar_to_recently_followed"
        result.append(
            {
                "source": "past_interactions",
                "sources": [source],
                "account": serialize_account(item.user, ctx),
            }
        )
    return respond(result)


@router.delete("/v1/suggestions/{account_id}", response=documented(dict), auth=Token("read"))
def dismiss(request: HttpRequest, account_id: str) -> HttpResponse:
    suggestion_dismiss(user=user_of(request), dismissed=account_or_404(account_id))
    return respond({})
