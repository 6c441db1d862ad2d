"""Reads of traction analytics. Only the author (or an admin) may read a post's numbers.

Impressions, clicks and profile visits come from the rolled-up count tables, never from raw
events. Likes, reposts and replies are the post's own counters (kept exactly by the posts
service, and they go down on an undo); their per-hour series come from the Like and Post rows of
that one post. Followers gained are derived from Follow rows: a new follower is credited to the
author's latest post published in the 48 hours before the follow.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Count
from django.utils import timezone

from rookery.accounts.models import User
from rookery.algorithms import traction as maths
from rookery.posts.models import Like, Post
from rookery.posts.rendering import text_length
from rookery.social.models import Follow
from rookery.traction.links import LinkClicks, link_clicks_for_post
from rookery.traction.models import AuthorDailyCount, EventKind, HourlyCount, PostTotal, ShortLink

WINDOWS = (30, 90)


def may_see_analytics(viewer: User | None, author_id: int) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    return viewer.pk == author_id or viewer.is_staff or viewer.is_superuser


def analytics_post(post_id: int, viewer: User | None) -> Post | None:
    """The post if ``viewer`` may see its analytics; None otherwise, exactly as for no post."""
    post = Post.objects.select_related("author").filter(pk=post_id, reblog_of__isnull=True).first()
    if post is None or not may_see_analytics(viewer, post.author_id):
        return None
    return post


def author_zone(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def promotion_post_ids(post_ids: list[int]) -> set[int]:
    """Posts that promote the author's blog: those a ``feeds.Promotion`` row points at.

    The blog-promotion feature owns that model; until it exists no post is a promotion.
    """
    try:
        model = apps.get_model("feeds", "Promotion")
        return set(model.objects.filter(post_id__in=post_ids).values_list("post_id", flat=True))
    except (LookupError, FieldError):
        return set()


@dataclass
class PostMetrics:
    post: Post
    impressions: int
    clicks: int
    likes: int
    reposts: int
    replies: int
    quotes: int
    followers_gained: int
    links: list[LinkClicks]
    hourly_impressions: list[int]
    hourly_clicks: list[int]
    hourly_reactions: list[int]

    @property
    def click_through_rate(self) -> float | None:
        return maths.rate(self.clicks, self.impressions)


def _totals(
    post_ids: list[int] | None = None, author_id: int | None = None, min_post_id: int = 0
) -> dict[int, dict[int, int]]:
    rows = PostTotal.objects.all()
    if author_id is not None:
        rows = rows.filter(author_id=author_id, post_id__gte=min_post_id)
    if post_ids is not None:
        rows = rows.filter(post_id__in=post_ids)
    result: dict[int, dict[int, int]] = {}
    for post_id, kind, n in rows.values_list("post_id", "kind", "n"):
        result.setdefault(post_id, {})[kind] = n
    return result


def _quotes(author: User, min_post_id: int = 0) -> dict[int, int]:
    """Per post: other people's posts on this instance that contain one of its URLs."""
    mine = ShortLink.objects.filter(post__author=author, post_id__gte=min_post_id)
    pairs = list(mine.values_list("post_id", "url_hash"))
    if not pairs:
        return {}
    others = dict(
        ShortLink.objects.filter(url_hash__in={h for _, h in pairs}, post__isnull=False)
        .exclude(post__author=author)
        .values("url_hash")
        .annotate(n=Count("post_id", distinct=True))
        .values_list("url_hash", "n")
    )
    result: dict[int, int] = {}
    for post_id, url_hash in pairs:
        result[post_id] = result.get(post_id, 0) + others.get(url_hash, 0)
    return result


def _followers_gained(
    author: User, posts: list[tuple[int, datetime]], since: datetime
) -> dict[int, int]:
    follows = Follow.objects.filter(followee=author, created_at__gte=since).values_list(
        "created_at", flat=True
    )
    return maths.attribute_follows(posts, follows)


def post_metrics(post: Post) -> PostMetrics:
    start = post.created_at
    end = start + timedelta(hours=maths.CHART_HOURS)
    totals = _totals(post_ids=[post.pk]).get(post.pk, {})
    hourly = HourlyCount.objects.filter(
        post_id=post.pk, hour__gte=maths.hour_bucket(start), hour__lt=end
    ).values_list("kind", "hour", "n")
    impressions = [(hour, n) for kind, hour, n in hourly if kind == EventKind.IMPRESSION]
    clicks = [(hour, n) for kind, hour, n in hourly if kind == EventKind.CLICK]
    reactions = [
        *Like.objects.filter(post=post, created_at__lt=end).values_list("created_at", flat=True),
        *Post.objects.filter(reblog_of=post, created_at__lt=end).values_list(
            "created_at", flat=True
        ),
        *Post.objects.filter(in_reply_to=post, created_at__lt=end).values_list(
            "created_at", flat=True
        ),
    ]
    later = list(
        Post.objects.filter(author_id=post.author_id, reblog_of__isnull=True, created_at__gte=start)
        .filter(created_at__lt=end)
        .values_list("id", "created_at")
    )
    gained = _followers_gained(post.author, later, start).get(post.pk, 0)
    return PostMetrics(
        post=post,
        impressions=totals.get(EventKind.IMPRESSION, 0),
        clicks=totals.get(EventKind.CLICK, 0),
        likes=post.likes_count,
        reposts=post.reblogs_count,
        replies=post.replies_count,
        quotes=_quotes(post.author, post.pk).get(post.pk, 0),
        followers_gained=gained,
        links=link_clicks_for_post(post.pk),
        hourly_impressions=maths.hour_series_from_buckets(start, impressions),
        hourly_clicks=maths.hour_series_from_buckets(start, clicks),
        hourly_reactions=maths.hours_since(start, reactions),
    )


@dataclass
class AuthorPosts:
    """Per-post statistics of one author's posts since a moment, and the posts themselves."""

    stats: list[maths.PostStats]
    posts: dict[int, PostRow]


class PostRow(NamedTuple):
    # Plain tuples: building 2,000 model instances was a third of the insights page's time.
    pk: int
    text: str
    created_at: datetime
    in_reply_to_id: int | None
    is_question: bool
    first_url: str
    likes_count: int
    reblogs_count: int
    replies_count: int


def author_post_stats(author: User, since: datetime | None) -> AuthorPosts:
    posts_query = Post.objects.filter(author=author, reblog_of__isnull=True)
    if since is not None:
        posts_query = posts_query.filter(created_at__gte=since)
    posts = [PostRow(*row) for row in posts_query.order_by("id").values_list(*PostRow._fields)]
    if not posts:
        return AuthorPosts([], {})
    ids = [p.pk for p in posts]
    min_id = ids[0]
    totals = _totals(author_id=author.pk, min_post_id=min_id)
    tags: dict[int, list[str]] = {}
    for post_id, name in Post.hashtags.through.objects.filter(
        post__author=author, post_id__gte=min_id
    ).values_list("post_id", "hashtag__name"):
        tags.setdefault(post_id, []).append(name)
    promotions = promotion_post_ids(ids)
    times = [(p.pk, p.created_at) for p in posts]
    gained = _followers_gained(author, times, posts[0].created_at)
    quotes = _quotes(author, min_id)
    zone = author_zone(author)
    stats = []
    for p in posts:
        local = p.created_at.astimezone(zone)
        counts = totals.get(p.pk, {})
        stats.append(
            maths.PostStats(
                post_id=p.pk,
                kind=maths.content_kind(
                    is_promotion=p.pk in promotions,
                    is_reply=p.in_reply_to_id is not None,
                    is_question=p.is_question,
                    has_link=bool(p.first_url),
                ),
                hashtags=tuple(sorted(tags.get(p.pk, ()))),
                length=text_length(p.text),
                weekday=local.weekday(),
                hour=local.hour,
                impressions=counts.get(EventKind.IMPRESSION, 0),
                clicks=counts.get(EventKind.CLICK, 0),
                likes=p.likes_count,
                reposts=p.reblogs_count,
                replies=p.replies_count,
                quotes=quotes.get(p.pk, 0),
                followers=gained.get(p.pk, 0),
            )
        )
    return AuthorPosts(stats, {p.pk: p for p in posts})


@dataclass
class Insights:
    days: int
    stats: list[maths.PostStats]
    posts: dict[int, PostRow]
    totals: maths.GroupSummary
    profile_visits: int
    followers_gained: int
    by_kind: list[maths.GroupSummary]
    by_hashtag: list[maths.GroupSummary]
    by_length: list[maths.GroupSummary]
    heat_rates: list[list[float | None]]
    heat_posts: list[list[int]]
    best_slots: list[tuple[int, int]]
    top: list[maths.PostStats]
    findings: list[maths.Finding]
    daily: list[tuple[str, int, int]]  # day, impressions, clicks


def insights(author: User, days: int, now: datetime | None = None) -> Insights:
    now = now or timezone.now()
    since = now - timedelta(days=days)
    data = author_post_stats(author, since)
    rates, counts = maths.heat_matrix(data.stats)
    per_day: dict[str, list[int]] = {}
    start_day = since.date()
    for offset in range(days + 1):
        per_day[(start_day + timedelta(days=offset)).isoformat()] = [0, 0]
    visits = 0
    for kind, day, n in AuthorDailyCount.objects.filter(
        author_id=author.pk, day__gte=start_day
    ).values_list("kind", "day", "n"):
        if kind == EventKind.PROFILE_VISIT:
            visits += n
        elif kind in (EventKind.IMPRESSION, EventKind.CLICK) and day.isoformat() in per_day:
            per_day[day.isoformat()][0 if kind == EventKind.IMPRESSION else 1] += n
    return Insights(
        days=days,
        stats=data.stats,
        posts=data.posts,
        totals=maths.summarise("All posts", data.stats),
        profile_visits=visits,
        followers_gained=sum(s.followers for s in data.stats),
        by_kind=maths.group_by_kind(data.stats),
        by_hashtag=maths.group_by_hashtag(data.stats),
        by_length=maths.group_by_length(data.stats),
        heat_rates=rates,
        heat_posts=counts,
        best_slots=maths.best_slots(data.stats),
        top=maths.top_posts(data.stats),
        findings=maths.findings(data.stats),
        daily=[(day, values[0], values[1]) for day, values in per_day.items()],
    )


def best_posting_slots(user: User) -> list[tuple[int, int]]:
    """Top 3 (weekday 0=Monday, hour) slots in the user's time zone over the last 90 days.

    Empty while too few posts back any slot (each needs ``MIN_SLOT_POSTS``); schedulers then
    use their own default.
    """
    data = author_post_stats(user, timezone.now() - timedelta(days=90))
    return maths.best_slots(data.stats)


EXPORT_FIELDS = [
    "post_id", "created_at", "url", "kind", "length", "hashtags", "impressions", "clicks",
    "click_through_rate", "likes", "reposts", "replies", "quotes", "followers_gained", "text",
]  # fmt: skip


def export_rows(author: User, site_url: str) -> list[dict[str, object]]:
    data = author_post_stats(author, None)
    rows = []
    for s in data.stats:
        post = data.posts[s.post_id]
        ctr = maths.rate(s.clicks, s.impressions)
        rows.append(
            {
                "post_id": s.post_id,
                "created_at": post.created_at.isoformat(),
                "url": f"{site_url}/@{author.username}/{s.post_id}/",
                "kind": s.kind,
                "length": s.length,
                "hashtags": " ".join(s.hashtags),
                "impressions": s.impressions,
                "clicks": s.clicks,
                "click_through_rate": None if ctr is None else round(ctr, 4),
                "likes": s.likes,
                "reposts": s.reposts,
                "replies": s.replies,
                "quotes": s.quotes,
                "followers_gained": s.followers,
                "text": post.text,
            }
        )
    return rows
