"""Property: whatever the network and relations, the exclusions hold with real rows."""

from __future__ import annotations

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rookery.accounts.models import User
from rookery.social.models import Follow
from rookery.social.services import block_create, follow_create, mute_create
from rookery.suggestions.graph import graph_forget
from rookery.suggestions.selectors import suggestions_for
from rookery.suggestions.services import suggestion_dismiss
from tests.factories import UserFactory

N = 12
pair = st.tuples(st.integers(0, N - 1), st.integers(0, N - 1))
subset = st.sets(st.integers(1, N - 1), max_size=3)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    follows=st.lists(pair, max_size=50),
    blocked=subset,
    blockers=subset,
    muted=subset,
    muters=subset,
    suspended=subset,
    opted_out=subset,
    hidden=subset,
    locked=subset,
    dismissed=subset,
)
def test_never_suggests_anyone_excluded(
    follows, blocked, blockers, muted, muters, suspended, opted_out, hidden, locked, dismissed
):
    User.objects.all().delete()
    graph_forget()
    users = [UserFactory(username=f"p{i}", display_name=f"P{i}") for i in range(N)]
    me = users[0]
    for i in locked:
        users[i].locked = True
        users[i].save()
    for a, b in follows:
        if a != b:
            follow_create(follower=users[a], followee=users[b])  # locked: a request
    for i in blocked:
        block_create(blocker=me, blocked=users[i])
    for i in blockers:
        block_create(blocker=users[i], blocked=me)
    for i in muted:
        mute_create(muter=me, muted=users[i])
    for i in muters:
        mute_create(muter=users[i], muted=me)
    for i in dismissed:
        suggestion_dismiss(user=me, dismissed=users[i])
    # Half of the changes after the graph is built, to check the fresh re-check too.
    suggestions_for(me)
    now = timezone.now()
    User.objects.filter(pk__in=[users[i].pk for i in suspended]).update(suspended_at=now)
    User.objects.filter(pk__in=[users[i].pk for i in opted_out]).update(discoverable=False)
    User.objects.filter(pk__in=[users[i].pk for i in hidden]).update(hide_follows=True)

    items = suggestions_for(me, limit=N)

    shown = {item.user.pk for item in items}
    following = set(Follow.objects.filter(follower=me).values_list("followee_id", flat=True))
    requested = set(me.sent_follow_requests.values_list("target_id", flat=True))
    never = (
        {me.pk}
        | following
        | requested
        | {users[i].pk for i in blocked | blockers | muted | muters | suspended | opted_out}
        | {users[i].pk for i in dismissed}
    )
    assert not shown & never
    hidden_ids = {users[i].pk for i in hidden | suspended}
    for item in items:
        named = {u.pk for u in item.followed_by}
        assert not named & hidden_ids
        assert named <= following
        assert item.followed_by_count >= len(named)
        assert item.reasons
