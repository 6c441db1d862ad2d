"""Statuses: posting, editing, deleting, threads, and reacting (like, repost, bookmark)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from rookery.api.auth import Token, public, user_of, viewer_of
from rookery.api.errors import ApiError, not_found
from rookery.api.pagination import PageParams, link_header, page_from, page_queryset
from rookery.api.parser import StrList
from rookery.api.routes.common import documented, parse_id, parse_ids, post_or_404, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.account import AccountOut, serialize_account
from rookery.api.serializers.status import (
    StatusEditOut,
    StatusOut,
    StatusSourceOut,
    serialize_revision,
    serialize_status,
    serialize_statuses,
)
from rookery.posts import services as posts
from rookery.posts.models import Visibility
from rookery.posts.selectors import likers_of, post_get_for_viewer, reblogs_of, thread_context

router = Router(tags=["statuses"])

FROM_MASTODON = {
    "public": Visibility.PUBLIC,
    "unlisted": Visibility.UNLISTED,
    "private": Visibility.FOLLOWERS,
    "direct": Visibility.MENTIONED,
}


class StatusIn(Schema):
    status: str = ""
    media_ids: StrList = []
    in_reply_to_id: str | None = None
    sensitive: bool = False
    spoiler_text: str = ""
    visibility: str | None = None
    language: str | None = None
    scheduled_at: str | None = None
    poll: dict | None = None


def _visibility(value: str | None) -> str:
    if not value:
        return Visibility.PUBLIC
    if value not in FROM_MASTODON:
        raise ApiError(
            422,
            f"Validation failed: visibility {value[:20]!r} is not one of "
            "public, unlisted, private, direct",
        )
    return FROM_MASTODON[value]


def _media_ids(values: list[str]) -> list[int]:
    ids = [parse_id(v, "Media") for v in values if str(v).strip()]
    if len(ids) > 4:
        raise ApiError(422, "Validation failed: at most 4 images per post")
    return ids


@router.post("/v1/statuses", response=documented(StatusOut), auth=Token("write:statuses"))
def status_create(request: HttpRequest, body: StatusIn) -> HttpResponse:
    if body.scheduled_at:
        raise ApiError(422, "Validation failed: scheduled posts are not supported yet")
    if body.poll:
        raise ApiError(422, "Validation failed: polls are not supported")
    user = user_of(request)
    in_reply_to = None
    if body.in_reply_to_id:
        in_reply_to = post_get_for_viewer(parse_id(body.in_reply_to_id, "Status"), user)
        if in_reply_to is None:
            raise not_found("Status")
    key = (request.headers.get("Idempotency-Key") or "").strip()[:200] or None
    # Mastodon keeps a sensitive flag apart from the warning; Rookery's posts carry only the
    # warning, so "sensitive" without one gets a generic warning rather than being dropped.
    warning = body.spoiler_text or ("Sensitive" if body.sensitive else "")
    post = posts.post_create(
        author=user,
        text=body.status,
        visibility=_visibility(body.visibility),
        content_warning=warning,
        in_reply_to=in_reply_to,
        media_ids=_media_ids(body.media_ids),
        idempotency_key=key,
    )
    fresh = post_get_for_viewer(post.pk, user)
    return respond(serialize_status(fresh or post, context_of(request)))


class IdsParams(Schema):
    id: StrList = []


@router.get("/v1/statuses", response=documented(list[StatusOut]), auth=public("read:statuses"))
def statuses_many(request: HttpRequest, params: Query[IdsParams]) -> HttpResponse:
    viewer = viewer_of(request)
    found = [post_get_for_viewer(i, viewer) for i in parse_ids(params.id)[:20]]
    return respond(serialize_statuses([p for p in found if p is not None], context_of(request)))


@router.get(
    "/v1/statuses/{status_id}", response=documented(StatusOut), auth=public("read:statuses")
)
def status_get(request: HttpRequest, status_id: str) -> HttpResponse:
    post = post_or_404(status_id, viewer_of(request))
    return respond(serialize_status(post, context_of(request)))


class StatusEditIn(Schema):
    status: str = ""
    spoiler_text: str = ""
    sensitive: bool = False
    media_ids: StrList = []


@router.put(
    "/v1/statuses/{status_id}", response=documented(StatusOut), auth=Token("write:statuses")
)
def status_edit(request: HttpRequest, status_id: str, body: StatusEditIn) -> HttpResponse:
    user = user_of(request)
    post = post_or_404(status_id, user)
    warning = body.spoiler_text or ("Sensitive" if body.sensitive else "")
    posts.post_edit(post=post, editor=user, text=body.status, content_warning=warning)
    fresh = post_get_for_viewer(post.pk, user)
    return respond(serialize_status(fresh or post, context_of(request)))


@router.delete(
    "/v1/statuses/{status_id}", response=documented(StatusOut), auth=Token("write:statuses")
)
def status_delete(request: HttpRequest, status_id: str) -> HttpResponse:
    user = user_of(request)
    post = post_or_404(status_id, user)
    # Serialised before deleting, with its text, so clients can offer "delete and redraft".
    data = serialize_status(post, context_of(request), with_text=True)
    posts.post_delete(post=post, actor=user)
    return respond(data)


@router.get(
    "/v1/statuses/{status_id}/history",
    response=documented(list[StatusEditOut]),
    auth=public("read:statuses"),
)
def status_history(request: HttpRequest, status_id: str) -> HttpResponse:
    post = post_or_404(status_id, viewer_of(request))
    ctx = context_of(request)
    revisions = list(post.revisions.all())
    if not revisions:
        data = serialize_status(post, ctx)
        return respond([{key: data[key] for key in StatusEditOut.model_fields}])
    return respond([serialize_revision(r, post, ctx) for r in revisions])


@router.get(
    "/v1/statuses/{status_id}/source",
    response=documented(StatusSourceOut),
    auth=Token("read:statuses"),
)
def status_source(request: HttpRequest, status_id: str) -> HttpResponse:
    post = post_or_404(status_id, user_of(request))
    return respond({"id": str(post.pk), "text": post.text, "spoiler_text": post.content_warning})


class ContextOut(Schema):
    ancestors: list[StatusOut]
    descendants: list[StatusOut]


@router.get(
    "/v1/statuses/{status_id}/context",
    response=documented(ContextOut),
    auth=public("read:statuses"),
)
def status_context(request: HttpRequest, status_id: str) -> HttpResponse:
    viewer = viewer_of(request)
    post = post_or_404(status_id, viewer)
    thread = thread_context(post.reblog_of or post, viewer)
    ctx = context_of(request)
    return respond(
        {
            "ancestors": serialize_statuses(thread.ancestors, ctx),
            "descendants": serialize_statuses(thread.descendants, ctx),
        }
    )


def _reacted(request: HttpRequest, post_id: int) -> HttpResponse:
    user = user_of(request)
    fresh = post_get_for_viewer(post_id, user)
    if fresh is None:
        raise not_found("Status")
    return respond(serialize_status(fresh, context_of(request)))


@router.post(
    "/v1/statuses/{status_id}/favourite",
    response=documented(StatusOut),
    auth=Token("write:favourites"),
)
def favourite(request: HttpRequest, status_id: str) -> HttpResponse:
    target = posts.like_create(user=user_of(request), post=post_or_404(status_id, user_of(request)))
    return _reacted(request, target.pk)


@router.post(
    "/v1/statuses/{status_id}/unfavourite",
    response=documented(StatusOut),
    auth=Token("write:favourites"),
)
def unfavourite(request: HttpRequest, status_id: str) -> HttpResponse:
    target = posts.like_delete(user=user_of(request), post=post_or_404(status_id, user_of(request)))
    return _reacted(request, target.pk)


class ReblogIn(Schema):
    visibility: str | None = None


@router.post(
    "/v1/statuses/{status_id}/reblog", response=documented(StatusOut), auth=Token("write:statuses")
)
def reblog(request: HttpRequest, status_id: str, body: ReblogIn | None = None) -> HttpResponse:
    user = user_of(request)
    visibility = _visibility(body.visibility if body else None)
    repost = posts.reblog_create(
        user=user, post=post_or_404(status_id, user), visibility=visibility
    )
    return _reacted(request, repost.pk)


@router.post(
    "/v1/statuses/{status_id}/unreblog",
    response=documented(StatusOut),
    auth=Token("write:statuses"),
)
def unreblog(request: HttpRequest, status_id: str) -> HttpResponse:
    target = posts.reblog_delete(
        user=user_of(request), post=post_or_404(status_id, user_of(request))
    )
    return _reacted(request, target.pk)


@router.post(
    "/v1/statuses/{status_id}/bookmark",
    response=documented(StatusOut),
    auth=Token("write:bookmarks"),
)
def bookmark(request: HttpRequest, status_id: str) -> HttpResponse:
    target = posts.bookmark_create(
        user=user_of(request), post=post_or_404(status_id, user_of(request))
    )
    return _reacted(request, target.pk)


@router.post(
    "/v1/statuses/{status_id}/unbookmark",
    response=documented(StatusOut),
    auth=Token("write:bookmarks"),
)
def unbookmark(request: HttpRequest, status_id: str) -> HttpResponse:
    target = posts.bookmark_delete(
        user=user_of(request), post=post_or_404(status_id, user_of(request))
    )
    return _reacted(request, target.pk)


@router.get(
    "/v1/statuses/{status_id}/favourited_by",
    response=documented(list[AccountOut]),
    auth=public("read:accounts"),
)
def favourited_by(request: HttpRequest, status_id: str, params: Query[PageParams]) -> HttpResponse:
    post = post_or_404(status_id, viewer_of(request))
    likes = page_queryset(likers_of(post.reblog_of or post), page_from(params), "id")
    ctx = context_of(request)
    return respond(
        [serialize_account(like.user, ctx) for like in likes],
        link=link_header(request, [like.pk for like in likes]),
    )


@router.get(
    "/v1/statuses/{status_id}/reblogged_by",
    response=documented(list[AccountOut]),
    auth=public("read:accounts"),
)
def reblogged_by(request: HttpRequest, status_id: str, params: Query[PageParams]) -> HttpResponse:
    post = post_or_404(status_id, viewer_of(request))
    reposts = page_queryset(reblogs_of(post.reblog_of or post), page_from(params), "id")
    ctx = context_of(request)
    return respond(
        [serialize_account(repost.author, ctx) for repost in reposts],
        link=link_header(request, [repost.pk for repost in reposts]),
    )
