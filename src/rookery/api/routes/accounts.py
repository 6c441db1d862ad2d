"""Accounts: the caller's own profile, other people's, and follow/block/mute actions."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema

from rookery.accounts.models import User
from rookery.accounts.services import account_settings_update, avatar_set, profile_update
from rookery.api.auth import Token, public, user_of, viewer_of
from rookery.api.errors import ApiError, not_found
from rookery.api.pagination import PageParams, link_header, page_from, page_queryset
from rookery.api.parser import StrList
from rookery.api.routes.common import account_or_404, documented, parse_ids, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.account import (
    AccountOut,
    CredentialAccountOut,
    serialize_account,
    serialize_credential_account,
)
from rookery.api.serializers.relationship import (
    RelationshipOut,
    serialize_relationship,
    serialize_relationships,
)
from rookery.api.serializers.status import StatusOut, serialize_statuses
from rookery.search.selectors import search
from rookery.social import services as social
from rookery.social.selectors import (
    familiar_followers,
    follow_lists_visible,
    follower_links,
    following_links,
    pending_requests,
)
from rookery.timelines.selectors import timeline_profile

router = Router(tags=["accounts"])


@router.get(
    "/v1/accounts/verify_credentials",
    response=documented(CredentialAccountOut),
    auth=Token(("read:accounts", "profile")),
)
def verify_credentials(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    requests = pending_requests(user).count()
    return respond(
        serialize_credential_account(user, context_of(request), follow_requests=requests)
    )


class CredentialsIn(Schema):
    display_name: str | None = None
    note: str | None = None
    locked: bool | None = None
    discoverable: bool | None = None
    hide_collections: bool | None = None
    bot: bool | None = None


@router.patch(
    "/v1/accounts/update_credentials",
    response=documented(CredentialAccountOut),
    auth=Token("write:accounts"),
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "display_name": {"type": "string"},
                            "note": {"type": "string"},
                            "locked": {"type": "boolean"},
                            "discoverable": {"type": "boolean"},
                            "hide_collections": {"type": "boolean"},
                            "avatar": {"type": "string", "format": "binary"},
                        },
                    }
                }
            }
        }
    },
)
def update_credentials(request: HttpRequest, body: CredentialsIn) -> HttpResponse:
    user = user_of(request)
    with transaction.atomic():
        if body.display_name is not None or body.note is not None:
            profile_update(
                user=user,
                display_name=body.display_name
                if body.display_name is not None
                else user.display_name,
                headline=user.headline,
                bio=body.note if body.note is not None else user.bio,
                website=user.website,
                topics=list(user.topics.values_list("name", flat=True)),
            )
        if {body.locked, body.discoverable, body.hide_collections} != {None}:
            account_settings_update(
                user=user,
                locked=user.locked if body.locked is None else body.locked,
                hide_follows=user.hide_follows
                if body.hide_collections is None
                else body.hide_collections,
                discoverable=user.discoverable if body.discoverable is None else body.discoverable,
                timezone_name=user.timezone,
            )
        avatar = request.FILES.get("avatar")
        if avatar is not None:
            avatar_set(user=user, upload=avatar)
    requests = pending_requests(user).count()
    return respond(
        serialize_credential_account(user, context_of(request), follow_requests=requests)
    )


class LookupParams(Schema):
    acct: str


@router.get("/v1/accounts/lookup", response=documented(AccountOut), auth=public("read:accounts"))
def lookup(request: HttpRequest, params: Query[LookupParams]) -> HttpResponse:
    username, _, domain = params.acct.strip().lstrip("@").partition("@")
    if domain and domain.lower() != request.get_host().lower():
        raise not_found("Account")
    user = User.objects.active().filter(username__iexact=username).first()
    if user is None:
        raise not_found("Account")
    return respond(serialize_account(user, context_of(request)))


class AccountSearchParams(Schema):
    q: str
    limit: int = 40
    offset: int = 0
    resolve: bool = False
    following: bool = False


@router.get(
    "/v1/accounts/search", response=documented(list[AccountOut]), auth=Token("read:accounts")
)
def account_search(request: HttpRequest, params: Query[AccountSearchParams]) -> HttpResponse:
    limit = max(1, min(params.limit, 40))
    offset = max(0, min(params.offset, 10_000))
    results = search(params.q, viewer_of(request), kind="accounts", limit=limit, offset=offset)
    ctx = context_of(request)
    return respond([serialize_account(user, ctx) for user in results.accounts])


class IdsParams(Schema):
    id: StrList = []


@router.get(
    "/v1/accounts/relationships",
    response=documented(list[RelationshipOut]),
    auth=Token("read:follows"),
)
def relationships(request: HttpRequest, params: Query[IdsParams]) -> HttpResponse:
    return respond(serialize_relationships(user_of(request), parse_ids(params.id)))


class FamiliarOut(Schema):
    id: str
    accounts: list[AccountOut]


@router.get(
    "/v1/accounts/familiar_followers",
    response=documented(list[FamiliarOut]),
    auth=Token("read:follows"),
)
def familiar(request: HttpRequest, params: Query[IdsParams]) -> HttpResponse:
    ids = parse_ids(params.id)
    found = familiar_followers(user_of(request), ids)
    ctx = context_of(request)
    return respond(
        [{"id": str(i), "accounts": [serialize_account(u, ctx) for u in found[i]]} for i in ids]
    )


@router.get(
    "/v1/accounts/{account_id}", response=documented(AccountOut), auth=public("read:accounts")
)
def account_get(request: HttpRequest, account_id: str) -> HttpResponse:
    return respond(serialize_account(account_or_404(account_id), context_of(request)))


class AccountStatusesParams(PageParams):
    only_media: bool = False
    exclude_replies: bool = False
    exclude_reblogs: bool = False
    pinned: bool = False
    tagged: str | None = None


@router.get(
    "/v1/accounts/{account_id}/statuses",
    response=documented(list[StatusOut]),
    auth=public("read:statuses"),
)
def account_statuses(
    request: HttpRequest, account_id: str, params: Query[AccountStatusesParams]
) -> HttpResponse:
    author = account_or_404(account_id)
    page = page_from(params)
    if params.pinned:
        return respond([])  # Rookery has no pinned posts
    posts = timeline_profile(
        viewer_of(request),
        author,
        page,
        exclude_replies=params.exclude_replies,
        exclude_reblogs=params.exclude_reblogs,
        only_media=params.only_media,
        tagged=(params.tagged or "").lstrip("#")[:100] or None,
    )
    return respond(
        serialize_statuses(posts, context_of(request)),
        link=link_header(request, [p.pk for p in posts]),
    )


def _follow_list(
    request: HttpRequest, account_id: str, params: PageParams, *, followers: bool
) -> HttpResponse:
    owner = account_or_404(account_id)
    if not follow_lists_visible(owner, viewer_of(request)):
        return respond([])
    page = page_from(params)
    links = page_queryset(
        follower_links(owner) if followers else following_links(owner), page, "id"
    )
    ctx = context_of(request)
    people = [link.follower if followers else link.followee for link in links]
    return respond(
        [serialize_account(user, ctx) for user in people],
        link=link_header(request, [link.pk for link in links]),
    )


@router.get(
    "/v1/accounts/{account_id}/followers",
    response=documented(list[AccountOut]),
    auth=public("read:accounts"),
)
def followers(request: HttpRequest, account_id: str, params: Query[PageParams]) -> HttpResponse:
    return _follow_list(request, account_id, params, followers=True)


@router.get(
    "/v1/accounts/{account_id}/following",
    response=documented(list[AccountOut]),
    auth=public("read:accounts"),
)
def following(request: HttpRequest, account_id: str, params: Query[PageParams]) -> HttpResponse:
    return _follow_list(request, account_id, params, followers=False)


class FollowIn(Schema):
    reblogs: bool = True
    notify: bool = False


def _relationship(request: HttpRequest, other_id: int) -> HttpResponse:
    return respond(serialize_relationship(user_of(request), other_id))


@router.post(
    "/v1/accounts/{account_id}/follow",
    response=documented(RelationshipOut),
    auth=Token("write:follows"),
)
def follow(request: HttpRequest, account_id: str, body: FollowIn | None = None) -> HttpResponse:
    other = account_or_404(account_id)
    reblogs = body.reblogs if body is not None else True
    social.follow_create(follower=user_of(request), followee=other, show_reposts=reblogs)
    return _relationship(request, other.pk)


@router.post(
    "/v1/accounts/{account_id}/unfollow",
    response=documented(RelationshipOut),
    auth=Token("write:follows"),
)
def unfollow(request: HttpRequest, account_id: str) -> HttpResponse:
    other = account_or_404(account_id)
    social.follow_delete(follower=user_of(request), followee=other)
    return _relationship(request, other.pk)


@router.post(
    "/v1/accounts/{account_id}/remove_from_followers",
    response=documented(RelationshipOut),
    auth=Token("write:follows"),
)
def remove_from_followers(request: HttpRequest, account_id: str) -> HttpResponse:
    other = account_or_404(account_id)
    social.follower_remove(user=user_of(request), follower=other)
    return _relationship(request, other.pk)


@router.post(
    "/v1/accounts/{account_id}/block",
    response=documented(RelationshipOut),
    auth=Token("write:blocks"),
)
def block(request: HttpRequest, account_id: str) -> HttpResponse:
    other = account_or_404(account_id)
    social.block_create(blocker=user_of(request), blocked=other)
    return _relationship(request, other.pk)


@router.post(
    "/v1/accounts/{account_id}/unblock",
    response=documented(RelationshipOut),
    auth=Token("write:blocks"),
)
def unblock(request: HttpRequest, account_id: str) -> HttpResponse:
    other = account_or_404(account_id)
    social.block_delete(blocker=user_of(request), blocked=other)
    return _relationship(request, other.pk)


class MuteIn(Schema):
    notifications: bool = True
    duration: int = 0  # seconds; 0 mutes until unmuted


# Longest timed mute: beyond this a date would overflow, and nobody means it.
MAX_MUTE_SECONDS = 10 * 365 * 24 * 3600


@router.post(
    "/v1/accounts/{account_id}/mute",
    response=documented(RelationshipOut),
    auth=Token("write:mutes"),
)
def mute(request: HttpRequest, account_id: str, body: MuteIn | None = None) -> HttpResponse:
    other = account_or_404(account_id)
    body = body or MuteIn()
    if body.duration < 0 or body.duration > MAX_MUTE_SECONDS:
        raise ApiError(422, "Validation failed: duration must be between 0 and ten years")
    expires = timezone.now() + timedelta(seconds=body.duration) if body.duration else None
    social.mute_create(
        muter=user_of(request),
        muted=other,
        hide_notifications=body.notifications,
        expires_at=expires,
    )
    return _relationship(request, other.pk)


@router.post(
    "/v1/accounts/{account_id}/unmute",
    response=documented(RelationshipOut),
    auth=Token("write:mutes"),
)
def unmute(request: HttpRequest, account_id: str) -> HttpResponse:
    other = account_or_404(account_id)
    social.mute_delete(muter=user_of(request), muted=other)
    return _relationship(request, other.pk)
