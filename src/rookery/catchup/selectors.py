"""Reads for the morning catch-up: candidates since the marker, the reader, the models.

Everything here goes through the viewer's permissions (posts.selectors.visible_posts) and
ends in the pure dataclasses of rookery.algorithms.catchup, which does the ranking.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.db.models import Q

from rookery.accounts.models import User
from rookery.algorithms.catchup import (
    Candidate,
    GlobalPrior,
    Reader,
    ReaderModel,
    default_prior,
)
from rookery.catchup.models import CatchupPrior, CatchupSettings, DigestDelivery
from rookery.notifications.models import Notification, NotificationKind
from rookery.notifications.selectors import notifications_for
from rookery.posts.models import Like, Post, Visibility
from rookery.posts.selectors import visible_posts
from rookery.social.models import Follow
from rookery.social.selectors import blocked_user_ids, muted_user_ids
from rookery.timelines.models import Marker, TimelineEntry

# A brand-new reader (no marker yet, or a marker at 0) sees the last day.
NEW_READER_WINDOW = timedelta(hours=24)
# Newest first; a reader back from a month away gets the latest 2,000 posts ranked, which is
# what the speed target is measured on, not an unbounded backlog.
MAX_CANDIDATES = 2000
# Posts from outside the reader's follows that several followed people liked or reposted.
SECOND_DEGREE_MIN_SHARERS = 2
SECOND_DEGREE_CAP = 200
AFFINITY_WINDOW = timedelta(days=60)
AFFINITY_HALF_LIFE_DAYS = 14.0
NOTIFICATION_KINDS = (NotificationKind.FOLLOW, NotificationKind.MENTION)
MAX_NOTIFICATIONS = 20


def marker_id(user_id: int, timeline: str = Marker.Timeline.HOME) -> int:
    value = (
        Marker.objects.filter(user_id=user_id, timeline=timeline)
        .values_list("last_read_id", flat=True)
        .first()
    )
    return value or 0


def digest_start_id(user_id: int) -> int:
    """Where the email starts: after the marker or after the last emailed post, later wins.

    A day with nothing worth sending counts too: its noise is not news the next morning.
    """
    last_emailed = (
        DigestDelivery.objects.filter(
            user_id=user_id, state__in=[DigestDelivery.State.SENT, DigestDelivery.State.EMPTY]
        )
        .order_by("-local_date")
        .values_list("last_post_id", flat=True)
        .first()
    )
    return max(marker_id(user_id), last_emailed or 0)


@dataclass
class CandidateSet:
    candidates: list[Candidate]
    posts: dict[int, Post]
    tags: dict[int, tuple[str, ...]]
    newest_post_id: int


def candidates_for(user: User, *, since_id: int, now: datetime) -> CandidateSet:
    """Home timeline posts after ``since_id`` plus widely shared second-degree posts.

    A repost in the timeline becomes its original post with the reposter in ``shared_by``, so
    one article reposted by three people is one candidate "shared by" them.
    """
    window = _window("", since_id, now)
    entry_window = _window("post__", since_id, now)
    delivered = list(
        TimelineEntry.objects.filter(entry_window, owner=user)
        .order_by("-post_id")
        .values_list("post_id", flat=True)[:MAX_CANDIDATES]
    )
    merged = _merged_at_read(user, window)
    visible = visible_posts(user).filter(pk__in=set(delivered) | set(merged))
    # Ids only: the originals are loaded once below, whether delivered or reposted.
    timeline_rows = list(
        visible.exclude(author_id=user.pk).values_list("id", "author_id", "reblog_of_id")
    )
    shared_by: dict[int, list[int]] = defaultdict(list)
    original_ids: set[int] = set()
    for post_id, author_id, reblog_of_id in timeline_rows:
        if reblog_of_id is not None:
            shared_by[reblog_of_id].append(author_id)
        original_ids.add(reblog_of_id or post_id)
    second = _second_degree(user, since_id, now, exclude=original_ids)
    for post_id, people in second.items():
        shared_by[post_id].extend(people)
    posts = _load(user, original_ids | set(second))
    tags = _tags_of(list(posts))
    newest = max([row[0] for row in timeline_rows] + list(posts), default=0)
    out = []
    for post in sorted(posts.values(), key=lambda p: -p.pk):
        if post.author_id == user.pk:
            continue
        sharers = tuple(dict.fromkeys(p for p in shared_by.get(post.pk, []) if p != post.author_id))
        out.append(
            _candidate(post, tags.get(post.pk, ()), sharers, from_network=post.pk not in second)
        )
    return CandidateSet(out, posts, tags, newest)


def _window(prefix: str, since_id: int, now: datetime) -> Q:
    if since_id:
        return Q(**{f"{prefix}id__gt": since_id})
    return Q(**{f"{prefix}created_at__gte": now - NEW_READER_WINDOW})


def _merged_at_read(user: User, window: Q) -> list[int]:
    """Posts of very big accounts, which are merged at read instead of fanned out."""
    big = Follow.objects.filter(
        follower=user, followee__followers_count__gt=django_settings.FANOUT_THRESHOLD
    ).values("followee_id")
    return list(
        Post.objects.filter(window, author_id__in=big)
        .exclude(visibility=Visibility.MENTIONED)
        .order_by("-id")
        .values_list("id", flat=True)[:MAX_CANDIDATES]
    )


def _second_degree(
    user: User, since_id: int, now: datetime, *, exclude: set[int]
) -> dict[int, list[int]]:
    followees = Follow.objects.filter(follower=user).values("followee_id")
    sharers: dict[int, set[int]] = defaultdict(set)
    likes = Like.objects.filter(
        _window("post__", since_id, now), user_id__in=followees
    ).values_list("post_id", "user_id")
    reblogs = Post.objects.filter(
        _window("reblog_of__", since_id, now), author_id__in=followees
    ).values_list("reblog_of_id", "author_id")
    for post_id, person in [*likes, *reblogs]:
        if post_id not in exclude:
            sharers[post_id].add(person)
    wide = [
        (len(people), post_id, sorted(people))
        for post_id, people in sharers.items()
        if len(people) >= SECOND_DEGREE_MIN_SHARERS
    ]
    wide.sort(reverse=True)
    return {post_id: people for _, post_id, people in wide[:SECOND_DEGREE_CAP]}


def _load(user: User, ids: set[int]) -> dict[int, Post]:
    if not ids:
        return {}
    posts = (
        visible_posts(user)
        .filter(pk__in=ids, reblog_of__isnull=True)
        .select_related("author", "link_card", "in_reply_to_author")
    )
    loaded = {p.pk: p for p in posts}
    # The cap applies after the permission filter so hidden posts do not use up places.
    return dict(sorted(loaded.items(), reverse=True)[:MAX_CANDIDATES])


def _tags_of(post_ids: list[int]) -> dict[int, tuple[str, ...]]:
    # One flat query: prefetch_related builds a queryset per post, which cost more than the
    # ranking itself for a 160-post morning.
    tags: dict[int, list[str]] = defaultdict(list)
    rows = Post.hashtags.through.objects.filter(post_id__in=post_ids).values_list(
        "post_id", "hashtag__name"
    )
    for post_id, name in rows:
        tags[post_id].append(name)
    return {post_id: tuple(names) for post_id, names in tags.items()}


def _candidate(
    post: Post, hashtags: tuple[str, ...], shared_by: tuple[int, ...], *, from_network: bool
) -> Candidate:
    domain = None
    if post.first_url:
        card = post.link_card
        domain = (card.domain if card is not None and card.domain else None) or (
            urlsplit(post.first_url).hostname
        )
    return Candidate(
        post_id=post.pk,
        author_id=post.author_id,
        text=post.text,
        created_at=post.created_at,
        hashtags=hashtags,
        link_url=post.first_url or None,
        link_domain=domain,
        is_question=post.is_question,
        is_open_question=post.is_question and post.accepted_answer_id is None,
        likes=post.likes_count,
        reposts=post.reblogs_count,
        replies=post.replies_count,
        author_followers=post.author.followers_count,
        from_network=from_network,
        shared_by=shared_by,
    )


def candidate_for_post(user: User, post_id: int) -> Candidate | None:
    """One post as a candidate, for feedback on it; None when the reader may not see it."""
    posts = _load(user, {post_id})
    post = posts.get(post_id)
    if post is None:
        return None
    follows = Follow.objects.filter(follower=user, followee_id=post.author_id).exists()
    return _candidate(post, _tags_of([post_id]).get(post_id, ()), (), from_network=follows)


def affinity_of(user: User, *, now: datetime) -> dict[int, float]:
    """Time-decayed count of the reader's likes, reposts and replies per author (60 days)."""
    since = now - AFFINITY_WINDOW
    events: list[tuple[int | None, datetime]] = []
    events += Like.objects.filter(user=user, created_at__gte=since).values_list(
        "post__author_id", "created_at"
    )
    events += Post.objects.filter(
        author=user, reblog_of__isnull=False, created_at__gte=since
    ).values_list("reblog_of__author_id", "created_at")
    events += Post.objects.filter(
        author=user, in_reply_to_author__isnull=False, created_at__gte=since
    ).values_list("in_reply_to_author_id", "created_at")
    weights: dict[int, float] = defaultdict(float)
    for author_id, at in events:
        if author_id is None or author_id == user.pk:
            continue
        age_days = max(0.0, (now - at).total_seconds() / 86400.0)
        weights[author_id] += math.pow(0.5, age_days / AFFINITY_HALF_LIFE_DAYS)
    return dict(weights)


def reader_for(user: User, prefs: CatchupSettings, *, now: datetime) -> Reader:
    return Reader(
        user_id=user.pk,
        topics=frozenset(user.topics.values_list("name", flat=True)),
        muted_author_ids=frozenset(muted_user_ids(user.pk)),
        blocked_ids=frozenset(blocked_user_ids(user.pk)),
        muted_words=tuple(prefs.muted_words),
        affinity=affinity_of(user, now=now),
        reading_budget_minutes=prefs.budget_minutes,
    )


@dataclass
class _PriorCache:
    row_id: int | None = None
    prior: GlobalPrior | None = None


_prior_cache = _PriorCache()


def current_prior() -> GlobalPrior:
    """The newest retrained prior, or the shipped default; decoded once per process per row."""
    row_id = CatchupPrior.objects.order_by("-id").values_list("id", flat=True).first()
    if row_id is None:
        return default_prior()
    if _prior_cache.row_id != row_id or _prior_cache.prior is None:
        data = CatchupPrior.objects.values_list("data", flat=True).get(pk=row_id)
        try:
            _prior_cache.prior = GlobalPrior.from_bytes(bytes(data))
        except ValueError:
            # Built for an older feature layout: keep serving until tonight's retrain.
            return default_prior()
        _prior_cache.row_id = row_id
    return _prior_cache.prior


def reader_model_for(prefs: CatchupSettings, prior: GlobalPrior) -> ReaderModel:
    data = bytes(prefs.model_bytes or b"")
    if data:
        try:
            return ReaderModel.from_bytes(data, prior)
        except ValueError:
            # Weights from an older feature layout mean nothing now; start from the prior.
            pass
    return ReaderModel(prior)


def names_for(ids: set[int]) -> dict[int, str]:
    return {
        pk: display or username
        for pk, display, username in User.objects.filter(pk__in=ids).values_list(
            "pk", "display_name", "username"
        )
    }


def new_followers_and_mentions(user: User, *, now: datetime) -> list[Notification]:
    since = marker_id(user.pk, Marker.Timeline.NOTIFICATIONS)
    notes = notifications_for(user).filter(kind__in=NOTIFICATION_KINDS)
    if since:
        notes = notes.filter(pk__gt=since)
    else:
        notes = notes.filter(created_at__gte=now - NEW_READER_WINDOW)
    return list(notes[:MAX_NOTIFICATIONS])
