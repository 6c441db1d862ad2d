"""Reads: who to follow (ranked, with the reasons to show) and events with their members and posts.

`suggestions_for` runs the pure ranking (`rookery.algorithms.wtf.suggest`) on this process's copy
of the follow graph (`suggestions.graph`) and decides everything about permissions from fresh
rows: the viewer's follows, requests, blocks, mutes and dismissals are read on every call, and
the people finally shown (and named as reasons) are re-checked, so a suspension, an opt-out or
a hidden follow list counts from the moment it is saved, however old the graph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from rookery.accounts.models import User
from rookery.algorithms.wtf import suggest
from rookery.posts.models import Post
from rookery.posts.selectors import visible_posts, with_display_relations
from rookery.social.models import Follow, FollowRequest, Mute
from rookery.social.selectors import blocked_user_ids, muted_user_ids
from rookery.suggestions.graph import graph_state
from rookery.suggestions.models import DismissedSuggestion, Event, EventMembership
from rookery.timelines.selectors import Page

DEFAULT_LIMIT = 20
MAX_LIMIT = 80
# Asked for beyond the limit, so that people dropped by the fresh re-check still leave a full list.
MARGIN = 10
# Members per topic passed to the ranking (the most recent to add it): a topic with more experts
# than this is too broad to say much about two people, and reading all of them cost ~20 ms per
# request on the 100k-user benchmark network.
MAX_TOPIC_MEMBERS = 500
NAMES_IN_REASON = 2

# Mastodon's `sources` for each of the ranking's candidate sources.
MASTODON_SOURCES = {
    "friends_of_friends": "friends_of_friends",
    "followed_by_your_followers": "friends_of_friends",
    "ppr": "friends_of_friends",
    "salsa": "friends_of_friends",
    "events": "friends_of_friends",
    "follows_you": "most_interactions",
    "topics": "similar_to_recently_followed",
    "popularity": "most_followed",
}


@dataclass
class SuggestionItem:
    user: User
    score: float
    reasons: list[str]
    followed_by: list[User] = field(default_factory=list)
    followed_by_count: int = 0
    follows_you: bool = False
    events: list[Event] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    sources: tuple[str, ...] = ()

    @property
    def mastodon_sources(self) -> list[str]:
        return list(dict.fromkeys(MASTODON_SOURCES.get(s, "most_followed") for s in self.sources))

    @property
    def source(self) -> str:
        """Mastodon's deprecated single ``source``: "global" for plain popularity."""
        return "global" if self.mastodon_sources == ["most_followed"] else "past_interactions"


@dataclass(frozen=True)
class OwnRelations:
    following: frozenset[int]
    requested: frozenset[int]
    excluded: frozenset[int]  # blocks and mutes either way, dismissed


def _own_relations(user: User) -> OwnRelations:
    following = frozenset(
        Follow.objects.filter(follower=user).values_list("followee_id", flat=True)
    )
    requested = frozenset(
        FollowRequest.objects.filter(requester=user).values_list("target_id", flat=True)
    )
    mutes = Mute.objects.filter(Q(muter=user) | Q(muted=user)).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
    muting = {a if b == user.pk else b for a, b in mutes.values_list("muter_id", "muted_id")}
    dismissed = set(
        DismissedSuggestion.objects.filter(user=user).values_list("dismissed_id", flat=True)
    )
    return OwnRelations(
        following, requested, frozenset(blocked_user_ids(user.pk) | muting | dismissed)
    )


def _event_groups(user: User) -> dict[int, set[int]]:
    """user id -> events shared with ``user``: every member of each of ``user``'s events."""
    mine = EventMembership.objects.filter(user=user).values("event_id")
    groups: dict[int, set[int]] = defaultdict(set)
    for member, event in EventMembership.objects.filter(event_id__in=mine).values_list(
        "user_id", "event_id"
    ):
        groups[member].add(event)
    return groups


def _topic_groups(user: User) -> dict[int, set[str]]:
    through = User.topics.through
    names = dict(user.topics.values_list("pk", "name"))
    groups: dict[int, set[str]] = defaultdict(set)
    for tag_id, name in names.items():
        experts = through.objects.filter(hashtag_id=tag_id).order_by("-id")[:MAX_TOPIC_MEMBERS]
        for expert in experts.values_list("user_id", flat=True):
            groups[expert].add(name)
    return groups


def _suggestable(user: User) -> bool:
    return user.is_active and user.suspended_at is None and user.discoverable


def _named(user: User) -> bool:
    return user.is_active and user.suspended_at is None and not user.hide_follows


def followed_by_reason(names: list[str], count: int) -> str:
    """E.g. "followed by Ana, Bo and 3 others you follow"; names are of people you follow."""
    shown = names[:NAMES_IN_REASON]
    others = count - len(shown)
    if others <= 0:
        return "followed by " + " and ".join(shown)
    return (
        f"followed by {', '.join(shown)} and {others} other{'s' if others > 1 else ''} you follow"
    )


def _listed(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _reasons(item: SuggestionItem) -> list[str]:
    reasons = []
    if item.followed_by:
        reasons.append(
            followed_by_reason([u.name for u in item.followed_by], item.followed_by_count)
        )
    if item.follows_you:
        reasons.append("follows you")
    if item.events:
        reasons.append(f"was in {_listed([e.name for e in item.events[:2]])} with you")
    if item.topics:
        reasons.append(f"also writes about {_listed(['#' + t for t in item.topics[:3]])}")
    if not reasons:
        reasons.append("popular here")
    return reasons


def suggestions_for(user: User, *, limit: int = DEFAULT_LIMIT) -> list[SuggestionItem]:
    """Up to ``limit`` people for ``user`` to follow, best first, each with its reasons.

    Never: the user, anyone they follow or asked to follow, anyone with a block or a mute
    between them either way, dismissed people, suspended or deactivated accounts, and people
    who opted out of being suggested. People who hide their follow lists are never named.
    """
    limit = max(0, min(limit, MAX_LIMIT))
    if limit == 0:
        return []
    own = _own_relations(user)
    state = graph_state(viewer_follows=own.following, viewer_id=user.pk)
    raw = suggest(
        state.graph,
        user.pk,
        limit=limit + MARGIN,
        # Not own.following: the ranking takes follows from the graph (which has the viewer's
        # own, see graph_state) and anyone in `exclude` is also never named as a reason.
        exclude=own.excluded | state.unsuggestable,
        requested=own.requested,
        hidden_lists=state.hidden_lists,
        events=_event_groups(user),
        topics=_topic_groups(user),
    )
    wanted = {s.user_id for s in raw} | {m for s in raw for m in s.followed_by}
    people = User.objects.in_bulk(wanted)
    event_ids = {e for s in raw for e in s.shared_events}
    events = Event.objects.in_bulk(event_ids) if event_ids else {}
    items: list[SuggestionItem] = []
    for s in raw:
        person = people.get(s.user_id)
        if person is None or not _suggestable(person) or s.user_id in own.following:
            continue
        # The graph may be older than a hide_follows or a suspension: drop those names now.
        named = [people[m] for m in s.followed_by if m in people and _named(people[m])]
        item = SuggestionItem(
            user=person,
            score=s.score,
            reasons=[],
            followed_by=named,
            followed_by_count=s.followed_by_count - (len(s.followed_by) - len(named)),
            follows_you=s.follows_you,
            events=[events[e] for e in s.shared_events if e in events],
            topics=list(s.shared_topics),
            sources=s.sources,
        )
        item.reasons = _reasons(item)
        items.append(item)
        if len(items) == limit:
            break
    return items


# --- Events -------------------------------------------------------------------------------


def event_by_slug(slug: str) -> Event | None:
    return Event.objects.select_related("hashtag", "created_by").filter(slug=slug).first()


def event_by_code(code: str) -> Event | None:
    code = code.strip()
    if not code:
        return None
    return Event.objects.select_related("hashtag").filter(join_code=code).first()


def is_member(event: Event, user: User) -> bool:
    return EventMembership.objects.filter(event=event, user=user).exists()


def events_of(user: User) -> QuerySet[Event]:
    """The user's events, newest first, with how many people are in each."""
    # A subquery, not memberships__user: filtering on the same join as the Count would count
    # only the user's own membership.
    mine = EventMembership.objects.filter(user=user).values("event_id")
    return (
        Event.objects.filter(pk__in=mine)
        .select_related("hashtag")
        .annotate(members_count=Count("memberships"))
        .order_by("-starts_on", "-id")
    )


def event_members(event: Event) -> QuerySet[User]:
    return (
        User.objects.active()
        .filter(event_memberships__event=event)
        .order_by("event_memberships__joined_at", "pk")
    )


def event_timeline(event: Event, viewer: User, page: Page) -> list[Post]:
    """Members' posts with the event's hashtag that ``viewer`` may read, newest first."""
    members = EventMembership.objects.filter(event=event).values("user_id")
    hidden = muted_user_ids(viewer.pk)
    ids_query = (
        visible_posts(viewer)
        .filter(author_id__in=members, hashtags=event.hashtag_id, reblog_of__isnull=True)
        .exclude(author_id__in=hidden)
        .filter(page.filter_q("id"))
        .order_by(page.order("id"))
        .values_list("id", flat=True)
    )
    ids = sorted(ids_query[: page.limit], reverse=True)
    posts = with_display_relations(Post.objects.filter(pk__in=ids)).in_bulk(ids)
    return [posts[i] for i in ids if i in posts]
