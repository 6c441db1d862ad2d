"""Rookery's own API for who to follow (with reasons) and events, under ``/api/rookery/v1/``.

Mounted on the extras router in ``rookery.api.routes.rookery``. Mastodon's ``/api/v2/suggestions``
and ``DELETE /api/v1/suggestions/:id`` serve the same ranking and dismissal without the reasons.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema

from rookery.accounts.models import User
from rookery.api.auth import Token, user_of
from rookery.api.errors import not_found
from rookery.api.routes.common import documented, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.account import AccountOut, serialize_account
from rookery.suggestions import selectors, services
from rookery.suggestions.models import Event

router = Router(tags=["rookery"])


class SuggestionParams(Schema):
    limit: int = selectors.DEFAULT_LIMIT


class RookerySuggestionOut(Schema):
    account: AccountOut
    score: float
    reasons: list[str]
    sources: list[str]
    followed_by: list[str]  # usernames of people you follow who follow them (visible ones)
    followed_by_count: int
    follows_you: bool
    events: list[str]  # slugs of events you were both in
    topics: list[str]


class EventOut(Schema):
    id: str
    slug: str
    name: str
    description: str
    starts_on: date
    ends_on: date
    hashtag: str
    url: str
    members_count: int
    member: bool
    join_code: str | None  # members only
    join_url: str | None


class EventIn(Schema):
    name: str
    starts_on: date
    ends_on: date | None = None
    description: str = ""
    hashtag: str = ""


class JoinIn(Schema):
    code: str


class FollowEveryoneOut(Schema):
    followed: int
    requested: int
    skipped: int


@router.get("/v1/suggestions", response=documented(list[RookerySuggestionOut]), auth=Token("read"))
def suggestions(request: HttpRequest, params: Query[SuggestionParams]) -> HttpResponse:
    ctx = context_of(request)
    items = selectors.suggestions_for(user_of(request), limit=max(1, params.limit))
    return respond(
        [
            {
                "account": serialize_account(item.user, ctx),
                "score": round(item.score, 6),
                "reasons": item.reasons,
                "sources": list(item.sources),
                "followed_by": [u.username for u in item.followed_by],
                "followed_by_count": item.followed_by_count,
                "follows_you": item.follows_you,
                "events": [e.slug for e in item.events],
                "topics": item.topics,
            }
            for item in items
        ]
    )


def _event_json(request: HttpRequest, event: Event, me: User) -> dict[str, Any]:
    member = selectors.is_member(event, me)
    join_url = (
        request.build_absolute_uri(reverse("suggestions:join", args=[event.join_code]))
        if member
        else None
    )
    return {
        "id": str(event.pk),
        "slug": event.slug,
        "name": event.name,
        "description": event.description,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "hashtag": event.hashtag.name,
        "url": request.build_absolute_uri(reverse("suggestions:event", args=[event.slug])),
        # events_of() counts members for a whole list in its one query.
        "members_count": getattr(event, "members_count", None) or event.memberships.count(),
        "member": member,
        "join_code": event.join_code if member else None,
        "join_url": join_url,
    }


def _event_or_404(slug: str) -> Event:
    event = selectors.event_by_slug(slug)
    if event is None:
        raise not_found("Event")
    return event


@router.get("/v1/events", response=documented(list[EventOut]), auth=Token("read"))
def events(request: HttpRequest) -> HttpResponse:
    me = user_of(request)
    return respond([_event_json(request, e, me) for e in selectors.events_of(me)[:100]])


@router.post("/v1/events", response=documented(EventOut), auth=Token("write"))
def event_create(request: HttpRequest, data: EventIn) -> HttpResponse:
    me = user_of(request)
    event = services.event_create(creator=me, **data.dict())
    return respond(_event_json(request, event, me))


@router.post("/v1/events/join", response=documented(EventOut), auth=Token("write"))
def event_join(request: HttpRequest, data: JoinIn) -> HttpResponse:
    me = user_of(request)
    event = services.event_join(user=me, code=data.code)
    return respond(_event_json(request, event, me))


@router.get("/v1/events/{slug}", response=documented(EventOut), auth=Token("read"))
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return respond(_event_json(request, _event_or_404(slug), user_of(request)))


@router.get("/v1/events/{slug}/members", response=documented(list[AccountOut]), auth=Token("read"))
def event_members(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(slug)
    if not selectors.is_member(event, user_of(request)):
        raise not_found("Event")  # members are for people in the room
    ctx = context_of(request)
    return respond([serialize_account(u, ctx) for u in selectors.event_members(event)[:500]])


@router.post("/v1/events/{slug}/leave", response=documented(dict), auth=Token("write"))
def event_leave(request: HttpRequest, slug: str) -> HttpResponse:
    services.event_leave(user=user_of(request), event=_event_or_404(slug))
    return respond({})


@router.post(
    "/v1/events/{slug}/follow_everyone",
    response=documented(FollowEveryoneOut),
    auth=Token("write:follows"),
)
def event_follow_everyone(request: HttpRequest, slug: str) -> HttpResponse:
    result = services.follow_everyone_in_event(user=user_of(request), event=_event_or_404(slug))
    return respond(
        {"followed": result.followed, "requested": result.requested, "skipped": result.skipped}
    )
