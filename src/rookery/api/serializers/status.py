"""Mastodon's Status entity: posts, replies and reposts (a repost wraps the original)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ninja import Schema

from rookery.accounts.models import User
from rookery.api.serializers import Context, iso, web_url
from rookery.api.serializers.account import MASTODON_PRIVACY, AccountOut, serialize_account
from rookery.api.serializers.media import MediaOut, serialize_media
from rookery.posts.models import LinkCard, MediaAttachment, Post, PostRevision
from rookery.posts.selectors import ViewerState, viewer_state


class MentionOut(Schema):
    id: str
    username: str
    url: str
    acct: str


class TagOut(Schema):
    name: str
    url: str


class CardOut(Schema):
    url: str
    title: str
    description: str
    type: str
    author_name: str
    author_url: str
    provider_name: str
    provider_url: str
    html: str
    width: int
    height: int
    image: str | None
    embed_url: str
    blurhash: str | None


class StatusOut(Schema):
    id: str
    uri: str
    url: str | None
    created_at: str
    edited_at: str | None
    account: AccountOut
    content: str
    visibility: str
    sensitive: bool
    spoiler_text: str
    media_attachments: list[MediaOut]
    application: dict[str, Any] | None
    mentions: list[MentionOut]
    tags: list[TagOut]
    emojis: list[dict[str, Any]]
    reblogs_count: int
    favourites_count: int
    replies_count: int
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    reblog: StatusOut | None
    poll: dict[str, Any] | None
    card: CardOut | None
    language: str | None
    text: str | None = None
    favourited: bool | None = None
    reblogged: bool | None = None
    muted: bool | None = None
    bookmarked: bool | None = None
    pinned: bool | None = None
    filtered: list[dict[str, Any]] | None = None


class StatusEditOut(Schema):
    content: str
    spoiler_text: str
    sensitive: bool
    created_at: str
    account: AccountOut
    media_attachments: list[MediaOut]
    emojis: list[dict[str, Any]]


class StatusSourceOut(Schema):
    id: str
    text: str
    spoiler_text: str


def _card(card: LinkCard | None) -> dict[str, Any] | None:
    if card is None or card.status != LinkCard.Status.OK:
        return None
    return {
        "url": card.url,
        "title": card.title,
        "description": card.description,
        "type": "link",
        "author_name": "",
        "author_url": "",
        "provider_name": card.site_name,
        "provider_url": "",
        "html": "",
        "width": 0,
        "height": 0,
        "image": card.image_url or None,
        "embed_url": "",
        "blurhash": None,
    }


@dataclass
class _Page:
    """What a page of statuses shares: viewer state, tags and mentions, serialised authors."""

    ctx: Context
    state: ViewerState
    tags: dict[int, list[str]]
    mentions: dict[int, list[tuple[int, str]]]
    accounts: dict[int, dict[str, Any]]

    def account(self, user: User) -> dict[str, Any]:
        data = self.accounts.get(user.pk)
        if data is None:
            data = self.accounts[user.pk] = serialize_account(user, self.ctx)
        return data


def _page(posts: list[Post], ctx: Context) -> _Page:
    # Two flat queries through the join tables instead of prefetching model instances:
    # a page of 40 posts needs only names and ids here.
    ids = [p.pk for p in posts]
    tags: dict[int, list[str]] = {}
    for post_id, name in Post.hashtags.through.objects.filter(post_id__in=ids).values_list(
        "post_id", "hashtag__name"
    ):
        tags.setdefault(post_id, []).append(name)
    mentions: dict[int, list[tuple[int, str]]] = {}
    for post_id, user_id, username in Post.mentions.through.objects.filter(
        post_id__in=ids
    ).values_list("post_id", "user_id", "user__username"):
        mentions.setdefault(post_id, []).append((user_id, username))
    return _Page(ctx, viewer_state(ctx.viewer, posts), tags, mentions, {})


def _media(post: Post) -> list[MediaAttachment]:
    cached = getattr(post, "_prefetched_objects_cache", {}).get("media")
    return list(cached) if cached is not None else list(post.media.all())


def _one(post: Post, page: _Page, *, with_text: bool) -> dict[str, Any]:
    ctx, state = page.ctx, page.state
    url = ctx.absolute(web_url("web:post", post.author.username, post.pk))
    original_id = post.reblog_of_id or post.pk
    data = {
        "id": str(post.pk),
        "uri": url,
        "url": url,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "account": page.account(post.author),
        "content": post.html,
        "visibility": MASTODON_PRIVACY.get(post.visibility, "public"),
        "sensitive": bool(post.content_warning),
        "spoiler_text": post.content_warning,
        "media_attachments": [serialize_media(m, ctx) for m in _media(post)],
        "application": None,
        "mentions": [
            {
                "id": str(user_id),
                "username": username,
                "url": ctx.absolute(web_url("web:profile", username)),
                "acct": username,
            }
            for user_id, username in page.mentions.get(post.pk, [])
        ],
        "tags": [
            {"name": name, "url": ctx.absolute(web_url("web:hashtag", name))}
            for name in page.tags.get(post.pk, [])
        ],
        "emojis": [],
        "reblogs_count": post.reblogs_count,
        "favourites_count": post.likes_count,
        "replies_count": post.replies_count,
        "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
        "in_reply_to_account_id": (
            str(post.in_reply_to_author_id) if post.in_reply_to_author_id else None
        ),
        "reblog": None,
        "poll": None,
        "card": _card(post.link_card),
        "language": None,
        "filtered": [],
        "muted": False,
        "pinned": False,
    }
    if with_text:
        data["text"] = post.text
    if ctx.viewer is not None:
        data["favourited"] = original_id in state.liked
        data["reblogged"] = original_id in state.reblogged
        data["bookmarked"] = original_id in state.bookmarked
    return data


def serialize_statuses(
    posts: list[Post], ctx: Context, *, with_text: bool = False
) -> list[dict[str, Any]]:
    """Many statuses in a fixed number of queries (tags, mentions, viewer state)."""
    if not posts:
        return []
    everything = posts + [p.reblog_of for p in posts if p.reblog_of_id and p.reblog_of]
    page = _page(everything, ctx)
    result = []
    for post in posts:
        data = _one(post, page, with_text=with_text)
        if post.reblog_of_id is not None and post.reblog_of is not None:
            data["reblog"] = _one(post.reblog_of, page, with_text=with_text)
            # A repost shows the original's counters and the viewer's state of the original.
            for key in ("favourited", "reblogged", "bookmarked"):
                if key in data["reblog"]:
                    data[key] = data["reblog"][key]
        result.append(data)
    return result


def serialize_status(post: Post, ctx: Context, *, with_text: bool = False) -> dict[str, Any]:
    return serialize_statuses([post], ctx, with_text=with_text)[0]


def serialize_revision(revision: PostRevision, post: Post, ctx: Context) -> dict[str, Any]:
    return {
        "content": revision.html,
        "spoiler_text": revision.content_warning,
        "sensitive": bool(revision.content_warning),
        "created_at": iso(revision.created_at),
        "account": serialize_account(post.author, ctx),
        "media_attachments": [serialize_media(m, ctx) for m in post.media.all()],
        "emojis": [],
    }
