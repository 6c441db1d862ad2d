"""Events: create, join by code, leave, follow everyone; dismissing suggestions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rookery.social.models import Follow, FollowRequest
from rookery.social.services import block_create, follow_create
from rookery.suggestions.models import DismissedSuggestion, EventMembership
from rookery.suggestions.services import (
    event_create,
    event_join,
    event_leave,
    follow_everyone_in_event,
    suggestion_dismiss,
)
from tests.factories import make_follow
from tests.suggestions.conftest import people, room

pytestmark = pytest.mark.django_db


def test_event_gets_a_unique_slug_a_url_safe_code_and_its_creator_as_member():
    (ana,) = people("ana")
    first = room(ana, name="Birds of a Feather: Postgres!")
    second = room(ana, name="Birds of a Feather: Postgres!")
    assert first.slug == "birds-of-a-feather-postgres"
    assert second.slug == "birds-of-a-feather-postgres-2"
    assert first.join_code != second.join_code
    assert len(first.join_code) >= 12
    assert all(c.isalnum() or c in "-_" for c in first.join_code)
    assert first.hashtag.name == "birds_of_a_feather_postgres"
    assert first.ends_on == first.starts_on
    assert EventMembership.objects.filter(event=first, user=ana).exists()


def test_reserved_slugs_are_never_used():
    (ana,) = people("ana")
    assert room(ana, name="Join").slug == "join-2"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"ends_on": date(2025, 5, 1)}, "ends_on"),
        ({"ends_on": date(2027, 5, 1)}, "ends_on"),
        ({"hashtag": "#not a tag"}, "hashtag"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_bad_event_input_is_refused_with_a_message(kwargs, field):
    (ana,) = people("ana")
    data = {"creator": ana, "name": "Room", "starts_on": date(2025, 5, 14), **kwargs}
    with pytest.raises(ValidationError) as error:
        event_create(**data)
    assert field in error.value.message_dict


def test_join_by_code_is_idempotent_and_a_wrong_code_is_refused():
    ana, bo = people("ana", "bo")
    event = room(ana)
    assert event_join(user=bo, code=f" {event.join_code} ") == event
    event_join(user=bo, code=event.join_code)
    assert EventMembership.objects.filter(event=event).count() == 2
    for code in ("", "nope"):
        with pytest.raises(ValidationError):
            event_join(user=bo, code=code)
    event_leave(user=bo, event=event)
    assert not EventMembership.objects.filter(event=event, user=bo).exists()


def test_follow_everyone_skips_self_followed_blocked_suspended_and_requests_locked():
    me, old_friend, locked, blocked, blocker, suspended, new1, new2, pending = people(
        "me", "old_friend", "locked", "blocked", "blocker", "suspended", "new1", "new2", "pending"
    )
    event = room(me, old_friend, locked, blocked, blocker, suspended, new1, new2, pending)
    make_follow(me, old_friend)
    locked.locked = True
    locked.save()
    pending.locked = True
    pending.save()
    follow_create(follower=me, followee=pending)
    block_create(blocker=me, blocked=blocked)
    block_create(blocker=blocker, blocked=me)
    suspended.suspended_at = timezone.now()
    suspended.save()

    result = follow_everyone_in_event(user=me, event=event)

    assert (result.followed, result.requested, result.skipped) == (2, 1, 5)
    followed = set(Follow.objects.filter(follower=me).values_list("followee__username", flat=True))
    assert followed == {"old_friend", "new1", "new2"}
    requested = set(
        FollowRequest.objects.filter(requester=me).values_list("target__username", flat=True)
    )
    assert requested == {"locked", "pending"}
    again = follow_everyone_in_event(user=me, event=event)
    assert (again.followed, again.requested) == (0, 0)


def test_only_members_can_follow_everyone():
    ana, outsider = people("ana", "outsider")
    event = room(ana)
    with pytest.raises(PermissionDenied):
        follow_everyone_in_event(user=outsider, event=event)
    assert not Follow.objects.filter(follower=outsider).exists()


def test_dismiss_is_idempotent_and_not_for_oneself():
    ana, bo = people("ana", "bo")
    suggestion_dismiss(user=ana, dismissed=bo)
    suggestion_dismiss(user=ana, dismissed=bo)
    assert DismissedSuggestion.objects.filter(user=ana).count() == 1
    with pytest.raises(ValidationError):
        suggestion_dismiss(user=ana, dismissed=ana)
