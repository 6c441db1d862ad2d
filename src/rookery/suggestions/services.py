"""Events (join by code, leave, follow everyone) and dismissing suggestions: the only writers."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from rookery.accounts.models import User
from rookery.posts.models import Hashtag
from rookery.social.models import Block, Follow, FollowRequest
from rookery.social.services import follow_create
from rookery.suggestions.models import DismissedSuggestion, Event, EventMembership

HASHTAG_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
# Paths under /events/ that a slug must not shadow.
RESERVED_SLUGS = frozenset({"new", "join"})
MAX_EVENT_DAYS = 366


@dataclass(frozen=True)
class FollowEveryoneResult:
    followed: int
    requested: int  # locked accounts: a follow request was sent
    skipped: int  # already followed or requested, blocked either way, suspended


def _join_code() -> str:
    # 72 random bits, URL-safe: unguessable, short enough to read out in a room.
    return secrets.token_urlsafe(9)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60].strip("-") or "event"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Event.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _hashtag_name(raw: str, slug: str) -> str:
    name = raw.strip().lstrip("#") or slug.replace("-", "_")
    if not HASHTAG_RE.match(name):
        raise ValidationError(
            {"hashtag": f"“{name}” is not a valid hashtag: use letters, digits and underscores."}
        )
    return name.lower()


@transaction.atomic
def event_create(
    *,
    creator: User,
    name: str,
    starts_on: date,
    ends_on: date | None = None,
    description: str = "",
    hashtag: str = "",
) -> Event:
    """A new event with a join code; its creator is its first member.

    Without a hashtag the event gets one made from its name, so that the event timeline always
    has something to collect.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the event a name."})
    if len(name) > 120:
        raise ValidationError({"name": "At most 120 characters."})
    if len(description) > 2000:
        raise ValidationError({"description": "At most 2000 characters."})
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The event can't end before it starts."})
    if (ends_on - starts_on).days > MAX_EVENT_DAYS:
        raise ValidationError({"ends_on": "An event lasts at most a year."})
    slug = _unique_slug(name)
    tag, _ = Hashtag.objects.get_or_create(name=_hashtag_name(hashtag, slug))
    event = Event.objects.create(
        name=name,
        slug=slug,
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        hashtag=tag,
        created_by=creator,
        join_code=_join_code(),
    )
    EventMembership.objects.create(event=event, user=creator)
    return event


def event_join(*, user: User, code: str) -> Event:
    """Join the event with this code; joining twice is harmless."""
    event = Event.objects.filter(join_code=code.strip()).first() if code.strip() else None
    if event is None:
        raise ValidationError({"code": "No event has that code. Check it and try again."})
    try:
        with transaction.atomic():
            EventMembership.objects.get_or_create(event=event, user=user)
    except IntegrityError:
        pass  # the same person joined in two tabs at once
    return event


def event_leave(*, user: User, event: Event) -> None:
    EventMembership.objects.filter(event=event, user=user).delete()


def follow_everyone_in_event(*, user: User, event: Event) -> FollowEveryoneResult:
    """Follow every member at once; locked accounts get a request.

    Skips the user, people already followed or requested, anyone with a block either way and
    suspended or deactivated accounts. Each follow goes through `follow_create`, so timelines,
    counters and notifications are exactly those of following one by one.
    """
    if not EventMembership.objects.filter(event=event, user=user).exists():
        raise PermissionDenied("Join the event first.")
    member_ids = set(
        EventMembership.objects.filter(event=event)
        .exclude(user=user)
        .values_list("user_id", flat=True)
    )
    unavailable = (
        set(Follow.objects.filter(follower=user, followee_id__in=member_ids).values_list(
            "followee_id", flat=True
        ))
        | set(FollowRequest.objects.filter(requester=user, target_id__in=member_ids).values_list(
            "target_id", flat=True
        ))
        | set(Block.objects.filter(blocker=user, blocked_id__in=member_ids).values_list(
            "blocked_id", flat=True
        ))
        | set(Block.objects.filter(blocked=user, blocker_id__in=member_ids).values_list(
            "blocker_id", flat=True
        ))
    )  # fmt: skip
    wanted = User.objects.active().filter(pk__in=member_ids - unavailable).order_by("pk")
    followed = requested = 0
    for member in wanted:
        try:
            outcome = follow_create(follower=user, followee=member)
        except (ValidationError, PermissionDenied):
            continue  # blocked or suspended between the check and now
        if outcome.following:
            followed += 1
        elif outcome.requested:
            requested += 1
    return FollowEveryoneResult(
        followed=followed, requested=requested, skipped=len(member_ids) - followed - requested
    )


def suggestion_dismiss(*, user: User, dismissed: User) -> None:
    """Never suggest ``dismissed`` to ``user`` again."""
    if user.pk == dismissed.pk:
        raise ValidationError("You can't dismiss yourself.")
    try:
        with transaction.atomic():
            DismissedSuggestion.objects.get_or_create(user=user, dismissed=dismissed)
    except IntegrityError:
        pass  # dismissed twice at once
