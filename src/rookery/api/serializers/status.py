"""Mastodon's Status entity: posts, replies and reposts (a repost wraps the original)."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.urls import reverse
from ninja import Schema

from rookery.api.serializers import Context, iso
from rookery.api.serializers.account import MASTODON_PRIVACY, AccountOut, serialize_account
from rookery.api.serializers.media import MediaOut, serialize_media
from rookery.posts.models import LinkCard, Post, PostRevision
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


def _one(post: Post, ctx: Context, state: ViewerState, *, with_text: bool) -> dict[str, Any]:
    url = ctx.absolute(reverse("web:post", args=[post.author.username, post.pk]))
    original_id = post.reblog_of_id or post.pk
    mentions = list(post.mentions.all())
    data = {
        "id": str(post.pk),
        "uri": url,
        "url": url,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "account": serialize_account(post.author, ctx),
        "content": post.html,
        "visibility": MASTODON_PRIVACY.get(post.visibility, "public"),
        "sensitive": bool(post.content_warning),
        "spoiler_text": post.content_warning,
        "media_attachments": [serialize_media(m, ctx) for m in post.media.all()],
        "application": None,
        "mentions": [
            {
                "id": str(user.pk),
                "username": user.username,
                "url": ctx.absolute(reverse("web:profile", args=[user.username])),
                "acct": user.username,
            }
            for user in mentions
        ],
        "tags": [
            {"name": tag.name, "url": ctx.absolute(reverse("web:hashtag", args=[tag.name]))}
            for tag in post.hashtags.all()
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
    everything = posts + [p.reblog_of for p in posts if p.reblog_of_id and p.reblog_of]
    prefetch_related_objects(everything, "hashtags", "mentions")
    state = viewer_state(ctx.viewer, posts)
    result = []
    for post in posts:
        data = _one(post, ctx, state, with_text=with_text)
        if post.reblog_of_id is not None and post.reblog_of is not None:
            data["reblog"] = _one(post.reblog_of, ctx, state, with_text=with_text)
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
