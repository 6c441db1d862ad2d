"""Reading timelines, paginated by post id (``max_id`` / ``since_id`` / ``min_id``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet

from rookery.accounts.models import User
from rookery.posts.models import Post, Visibility
from rookery.posts.selectors import (
    hidden_for_viewer,
    posts_thin,
    visible_posts,
    with_display_relations,
)
from rookery.social.models import Follow
from rookery.social.selectors import blocked_user_ids, muted_user_ids
from rookery.timelines.models import Marker, TimelineEntry
from rookery.timelines.services import home_cache_key

MAX_LIMIT = 40
DEFAULT_LIMIT = 20
HOME_CACHE_SECONDS = 300
# Ids are 64-bit; a bigger number would overflow the database driver (a 500, not a 400).
MAX_POST_ID = 2**63 - 1


class PageError(ValueError):
    """Pagination parameters that make no sense; callers answer 400."""


@dataclass(frozen=True)
class Page:
    max_id: int | None = None  # strictly older than
    since_id: int | None = None  # strictly newer than (newest first)
    min_id: int | None = None  # strictly newer than, oldest first (then reversed)
    limit: int = DEFAULT_LIMIT

    @classmethod
    def parse(
        cls,
        *,
        max_id: object = None,
        since_id: object = None,
        min_id: object = None,
        limit: object = None,
    ) -> Page:
        def as_id(name: str, value: object) -> int | None:
            if value in (None, ""):
                return None
            try:
                number = int(str(value))
            except ValueError:
                raise PageError(f"{name} must be a post id") from None
            if number < 0:
                raise PageError(f"{name} must not be negative")
            if number > MAX_POST_ID:
                raise PageError(f"{name} is not a post id")
            return number

        size = DEFAULT_LIMIT
        if limit not in (None, ""):
            try:
                size = int(str(limit))
            except ValueError:
                raise PageError("limit must be a whole number") from None
            if size < 1:
                raise PageError("limit must be at least 1")
            size = min(size, MAX_LIMIT)
        return cls(
            max_id=as_id("max_id", max_id),
            since_id=as_id("since_id", since_id),
            min_id=as_id("min_id", min_id),
            limit=size,
        )

    @property
    def is_first(self) -> bool:
        return self.max_id is None and self.since_id is None and self.min_id is None

    def filter_q(self, field: str = "id") -> Q:
        q = Q()
        if self.max_id is not None:
            q &= Q(**{f"{field}__lt": self.max_id})
        if self.since_id is not None:
            q &= Q(**{f"{field}__gt": self.since_id})
        if self.min_id is not None:
            q &= Q(**{f"{field}__gt": self.min_id})
        return q

    def order(self, field: str = "id") -> str:
        return field if self.min_id is not None else f"-{field}"


def _page_ids(ids_query: QuerySet, page: Page, field: str) -> list[int]:
    ids = list(ids_query.filter(page.filter_q(field)).order_by(page.order(field))[: page.limit])
    return sorted(ids, reverse=True)


def _load(ids: list[int]) -> list[Post]:
    posts = with_display_relations(Post.objects.filter(pk__in=ids)).in_bulk(ids)
    return [posts[i] for i in ids if i in posts]


def timeline_home(viewer: User, page: Page) -> list[Post]:
    """The viewer's home: delivered entries plus, merged at read, posts of very big accounts.

    The posts come from :func:`~rookery.posts.selectors.posts_thin`: counters and version
    stamps only, since the API and the web UI render pages from their caches and load full
    rows just for the posts they miss. The same query says which authors the viewer mutes or
    has a block with, and what the viewer liked, reposted and bookmarked: a page whose ids are
    cached costs that one query.
    """
    cacheable = page.is_first and page.limit <= MAX_LIMIT
    ids: list[int] | None = None
    if cacheable:
        cached = cache.get(home_cache_key(viewer.pk))
        if cached is not None and len(cached) >= page.limit:
            ids = cached[: page.limit]
    if ids is None:
        limit = MAX_LIMIT if cacheable else page.limit
        query_page = Page(page.max_id, page.since_id, page.min_id, limit)
        entries = TimelineEntry.objects.filter(owner=viewer).values_list("post_id", flat=True)
        ids = _page_ids(entries, query_page, "post_id")
        big = _merged_author_ids(viewer)
        if big:
            merged = (
                visible_posts(viewer)
                .filter(author_id__in=big)
                .exclude(visibility=Visibility.MENTIONED)
                .values_list("id", flat=True)
            )
            ids = sorted(set(ids) | set(_page_ids(merged, query_page, "id")), reverse=True)
            # With min_id the page is the oldest ids above it, shown newest first.
            ids = sorted(ids)[:limit][::-1] if page.min_id is not None else ids[:limit]
        if cacheable:
            cache.set(home_cache_key(viewer.pk), ids, HOME_CACHE_SECONDS)
        ids = ids[: page.limit]
    posts = posts_thin(ids, viewer=viewer) if ids else []
    return [p for p in posts if not hidden_for_viewer(p) and _shown_authors_active(viewer, p)]


def _merged_author_ids(viewer: User) -> list[int]:
    return list(
        Follow.objects.filter(
            follower=viewer, followee__followers_count__gt=settings.FANOUT_THRESHOLD
        ).values_list("followee_id", flat=True)
    )


def _shown_authors_active(viewer: User, post: Post) -> bool:
    """Suspended authors' posts (and reposts of them) are gone for everyone but staff.

    Applied when reading, so home entries stay in place and unsuspending brings them back;
    the authors come with each post, so this costs no query.
    """
    if viewer.is_staff:
        return True
    return post.author.suspended_at is None and (
        post.reblog_of is None or post.reblog_of.author.suspended_at is None
    )


def _without_hidden(viewer: User, posts: list[Post], hidden: frozenset[int]) -> list[Post]:
    """Drop posts by (or reposting) people the viewer mutes or has a block with.

    Mutes can expire, so they are applied when reading rather than when delivering.
    """

    def shown(author: User) -> bool:
        return author.pk not in hidden

    return [
        p
        for p in posts
        if shown(p.author)
        and (p.reblog_of is None or shown(p.reblog_of.author))
        and _shown_authors_active(viewer, p)
    ]


def _without_hidden_authors(viewer: User, posts: list[Post]) -> list[Post]:
    return _without_hidden(
        viewer, posts, frozenset(muted_user_ids(viewer.pk) | blocked_user_ids(viewer.pk))
    )


def timeline_public(viewer: User | None, page: Page) -> list[Post]:
    """Everyone's public posts on this instance (no reposts, no unlisted)."""
    ids_query = (
        visible_posts(viewer)
        .filter(visibility=Visibility.PUBLIC, reblog_of__isnull=True)
        .values_list("id", flat=True)
    )
    posts = _load(_page_ids(ids_query, page, "id"))
    return _without_hidden_authors(viewer, posts) if viewer and viewer.is_authenticated else posts


def timeline_hashtag(viewer: User | None, tag: str, page: Page) -> list[Post]:
    ids_query = (
        visible_posts(viewer)
        .filter(visibility=Visibility.PUBLIC, reblog_of__isnull=True, hashtags__name=tag.lower())
        .values_list("id", flat=True)
    )
    posts = _load(_page_ids(ids_query, page, "id"))
    return _without_hidden_authors(viewer, posts) if viewer and viewer.is_authenticated else posts


def timeline_profile(
    viewer: User | None,
    author: User,
    page: Page,
    *,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
    only_media: bool = False,
    tagged: str | None = None,
) -> list[Post]:
    posts = visible_posts(viewer).filter(author=author)
    if exclude_replies:
        # A reply to oneself continues a thread and stays, as on Mastodon.
        posts = posts.filter(Q(in_reply_to__isnull=True) | Q(in_reply_to_author=author))
    if exclude_reblogs:
        posts = posts.filter(reblog_of__isnull=True)
    if only_media:
        posts = posts.filter(media__isnull=False).distinct()
    if tagged:
        posts = posts.filter(hashtags__name=tagged.lower())
    return _load(_page_ids(posts.values_list("id", flat=True), page, "id"))


def new_posts_count(viewer: User, since_id: int) -> int:
    """How many posts arrived above ``since_id``: the "N new posts" indicator."""
    return (
        TimelineEntry.objects.filter(owner=viewer, post_id__gt=since_id)
        .exclude(author_id=viewer.pk)
        .count()
    )


def markers_for(user: User, timelines: list[str]) -> list[Marker]:
    """Where ``user`` stopped reading each of ``timelines`` (missing: never marked)."""
    return list(Marker.objects.filter(user=user, timeline__in=timelines))
