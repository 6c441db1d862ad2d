"""Mastodon's Status entity: posts, replies and reposts (a repost wraps the original)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from ninja import Schema

from rookery.accounts.models import User
from rookery.api.serializers import Context, iso, web_url
from rookery.api.serializers.account import MASTODON_PRIVACY, AccountOut, serialize_account
from rookery.api.serializers.media import MediaOut, serialize_media
from rookery.posts.models import LinkCard, MediaAttachment, Post, PostRevision
from rookery.posts.selectors import (
    ViewerState,
    account_cache_key,
    account_version,
    is_thin,
    post_version,
    posts_full,
    status_cache_key,
    viewer_state,
)


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


# Cached per post (viewer-independent) and per author; docs/architecture.md, "Performance".
STATUS_CACHE_SECONDS = 24 * 3600


def _tags_and_mentions(
    ids: list[int],
) -> tuple[dict[int, list[str]], dict[int, list[tuple[int, str]]]]:
    # Two flat queries through the join tables instead of prefetching model instances:
    # a page of 40 posts needs only names and ids here.
    tags: dict[int, list[str]] = {}
    mentions: dict[int, list[tuple[int, str]]] = {}
    if not ids:
        return tags, mentions
    for post_id, name in Post.hashtags.through.objects.filter(post_id__in=ids).values_list(
        "post_id", "hashtag__name"
    ):
        tags.setdefault(post_id, []).append(name)
    for post_id, user_id, username in Post.mentions.through.objects.filter(
        post_id__in=ids
    ).values_list("post_id", "user_id", "user__username"):
        mentions.setdefault(post_id, []).append((user_id, username))
    return tags, mentions


def _media(post: Post) -> list[MediaAttachment]:
    cached = getattr(post, "_prefetched_objects_cache", {}).get("media")
    return list(cached) if cached is not None else list(post.media.all())


def _shared(
    post: Post,
    ctx: Context,
    tags: dict[int, list[str]],
    mentions: dict[int, list[tuple[int, str]]],
    *,
    with_text: bool,
) -> dict[str, Any]:
    """The status as every viewer sees it; ``account``, ``reblog`` and counters are slots."""
    url = ctx.absolute(web_url("web:post", post.author.username, post.pk))
    data = {
        "id": str(post.pk),
        "uri": url,
        "url": url,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "account": None,
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
            for user_id, username in mentions.get(post.pk, [])
        ],
        "tags": [
            {"name": name, "url": ctx.absolute(web_url("web:hashtag", name))}
            for name in tags.get(post.pk, [])
        ],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
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
    return data


class _Renderings:
    """The cached shared parts of a page's statuses and accounts, filled in for misses.

    One ``get_many`` for the whole page; full rows, tags and mentions are loaded only for the
    posts (and accounts) whose cached version is missing or stale.
    """

    def __init__(self, shown: list[Post], ctx: Context, *, with_text: bool) -> None:
        posts = {p.pk: p for p in shown}
        authors = {p.author_id: p.author for p in posts.values()}
        # The version says what the entry was made from; the base URL is part of every link.
        post_versions = {
            pid: f"{post_version(p)}|{ctx.base}|{with_text:d}" for pid, p in posts.items()
        }
        account_versions = {uid: f"{account_version(u)}|{ctx.base}" for uid, u in authors.items()}
        keys = [status_cache_key(pid) for pid in posts] + [
            account_cache_key(uid) for uid in authors
        ]
        found = cache.get_many(keys)
        self.statuses: dict[int, dict[str, Any]] = {}
        self.accounts: dict[int, dict[str, Any]] = {}
        for pid, version in post_versions.items():
            entry = found.get(status_cache_key(pid))
            if entry is not None and entry[0] == version:
                self.statuses[pid] = entry[1]
        for uid, version in account_versions.items():
            entry = found.get(account_cache_key(uid))
            if entry is not None and entry[0] == version:
                self.accounts[uid] = entry[1]
        fresh: dict[str, tuple[str, dict[str, Any]]] = {}
        missing = [p for pid, p in posts.items() if pid not in self.statuses]
        if missing:
            full = posts_full(missing, with_reblogged=False)
            tags, mentions = _tags_and_mentions(list(full))
            for pid, post in full.items():
                data = _shared(post, ctx, tags, mentions, with_text=with_text)
                self.statuses[pid] = data
                fresh[status_cache_key(pid)] = (post_versions[pid], data)
        missing_users = [u for uid, u in authors.items() if uid not in self.accounts]
        if missing_users:
            thin = [u.pk for u in missing_users if is_thin(u)]
            loaded = User.objects.in_bulk(thin) if thin else {}
            for user in missing_users:
                data = serialize_account(loaded.get(user.pk, user), ctx)
                self.accounts[user.pk] = data
                fresh[account_cache_key(user.pk)] = (account_versions[user.pk], data)
        if fresh:
            cache.set_many(fresh, STATUS_CACHE_SECONDS)

    def status(self, post: Post, state: ViewerState, viewer: User | None) -> dict[str, Any]:
        data = dict(self.statuses[post.pk])
        data["account"] = self.accounts[post.author_id]
        data["reblogs_count"] = post.reblogs_count
        data["favourites_count"] = post.likes_count
        data["replies_count"] = post.replies_count
        if viewer is not None:
            original_id = post.reblog_of_id or post.pk
            data["favourited"] = original_id in state.liked
            data["reblogged"] = original_id in state.reblogged
            data["bookmarked"] = original_id in state.bookmarked
        return data


def serialize_statuses(
    posts: list[Post], ctx: Context, *, with_text: bool = False
) -> list[dict[str, Any]]:
    """Many statuses: cached shared parts, then counters and the viewer's state overlaid.

    A page whose posts are all cached costs one cache round trip and the viewer-state query;
    ``posts`` may be thin (``posts_thin``): full rows are loaded only for cache misses.
    """
    if not posts:
        return []
    shown = posts + [p.reblog_of for p in posts if p.reblog_of_id and p.reblog_of]
    renderings = _Renderings(shown, ctx, with_text=with_text)
    state = viewer_state(ctx.viewer, posts)
    result = []
    for post in posts:
        data = renderings.status(post, state, ctx.viewer)
        if post.reblog_of_id is not None and post.reblog_of is not None:
            data["reblog"] = renderings.status(post.reblog_of, state, ctx.viewer)
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
