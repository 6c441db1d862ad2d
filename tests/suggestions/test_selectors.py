"""Who to follow with real rows: reasons, exclusions, dismissals, freshness."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rookery.social.models import Follow
from rookery.social.services import block_create, follow_create, mute_create
from rookery.suggestions.graph import graph_state
from rookery.suggestions.selectors import followed_by_reason, suggestions_for
from rookery.suggestions.services import suggestion_dismiss
from tests.factories import make_follow
from tests.suggestions.conftest import people, room

pytestmark = pytest.mark.django_db


def usernames(items) -> list[str]:
    return [item.user.username for item in items]


def item_for(items, username):
    return next(item for item in items if item.user.username == username)


@pytest.mark.parametrize(
    ("names", "count", "text"),
    [
        (["Ana"], 1, "followed by Ana"),
        (["Ana", "Bo"], 2, "followed by Ana and Bo"),
        (["Ana", "Bo"], 3, "followed by Ana, Bo and 1 other you follow"),
        (["Ana", "Bo", "Cy"], 5, "followed by Ana, Bo and 3 others you follow"),
    ],
)
def test_followed_by_reason_text(names, count, text):
    assert followed_by_reason(names, count) == text


def test_friend_of_friends_comes_with_the_names_of_who_follows_them():
    me, ana, bo, cy, dee, eve, zed = people("me", "ana", "bo", "cy", "dee", "eve", "zed")
    for friend in (ana, bo, cy, dee):
        make_follow(me, friend)
        make_follow(friend, eve)
    make_follow(ana, zed)
    items = suggestions_for(me)
    assert usernames(items)[0] == "eve"
    assert item_for(items, "eve").reasons[0].startswith("followed by ")
    assert item_for(items, "eve").reasons[0].endswith(" and 2 others you follow")
    assert item_for(items, "zed").reasons == ["followed by Ana"]


def test_follow_back_event_and_topic_reasons():
    from rookery.accounts.services import topics_parse
    from rookery.posts.models import Hashtag

    me, fan, roomie, expert = people("me", "fan", "roomie", "expert")
    make_follow(fan, me)
    room(me, roomie, name="Postgres BoF")
    tag = Hashtag.objects.create(name=topics_parse("#postgres")[0])
    me.topics.add(tag)
    expert.topics.add(tag)
    items = suggestions_for(me)
    assert item_for(items, "fan").reasons == ["follows you"]
    assert item_for(items, "roomie").reasons == ["was in Postgres BoF with you"]
    assert item_for(items, "expert").reasons == ["also writes about #postgres"]
    assert item_for(items, "fan").source == "past_interactions"


def test_new_user_gets_popular_people():
    me, star, fan1, fan2 = people("me", "star", "fan1", "fan2")
    make_follow(fan1, star)
    make_follow(fan2, star)
    items = suggestions_for(me)
    assert usernames(items)[0] == "star"
    assert items[0].reasons == ["popular here"]
    assert items[0].source == "global"


def test_never_suggests_excluded_people():
    me, ana, *others = people(
        "me", "ana", "followed", "requested", "blocked", "blocker", "muted", "muter",
        "suspended", "hidden", "dismissed", "deactivated", "fine",
    )  # fmt: skip
    for other in others:
        make_follow(ana, other)
    make_follow(me, ana)
    by_name = {u.username: u for u in others}
    make_follow(me, by_name["followed"])
    by_name["requested"].locked = True
    by_name["requested"].save()
    follow_create(follower=me, followee=by_name["requested"])
    block_create(blocker=me, blocked=by_name["blocked"])
    block_create(blocker=by_name["blocker"], blocked=me)
    mute_create(muter=me, muted=by_name["muted"])
    mute_create(muter=by_name["muter"], muted=me)
    by_name["suspended"].suspended_at = timezone.now()
    by_name["suspended"].save()
    by_name["hidden"].discoverable = False
    by_name["hidden"].save()
    by_name["deactivated"].is_active = False
    by_name["deactivated"].save()
    suggestion_dismiss(user=me, dismissed=by_name["dismissed"])
    # The graph may be older than all of that: build it first, then change nothing else.
    shown = usernames(suggestions_for(me, limit=50))
    assert shown == ["fine"]


def test_rows_changed_after_the_graph_was_built_still_count():
    me, ana, star = people("me", "ana", "star")
    make_follow(me, ana)
    make_follow(ana, star)
    assert usernames(suggestions_for(me)) == ["star"]
    star.suspended_at = timezone.now()
    star.save()
    ana.hide_follows = True
    ana.save()
    assert usernames(suggestions_for(me)) == []


def test_hidden_follow_lists_are_never_named():
    me, shy, open_, target = people("me", "shy", "open", "target")
    shy.hide_follows = True
    shy.save()
    for friend in (shy, open_):
        make_follow(me, friend)
        make_follow(friend, target)
    item = item_for(suggestions_for(me), "target")
    assert item.reasons == ["followed by Open"]
    assert [u.username for u in item.followed_by] == ["open"]


def test_dismissed_stays_gone():
    me, ana, bo, cy = people("me", "ana", "bo", "cy")
    make_follow(me, ana)
    make_follow(ana, bo)
    make_follow(ana, cy)
    assert set(usernames(suggestions_for(me))) == {"bo", "cy"}
    suggestion_dismiss(user=me, dismissed=bo)
    suggestion_dismiss(user=me, dismissed=bo)
    for _ in range(2):
        assert usernames(suggestions_for(me)) == ["cy"]


def test_a_new_follow_counts_at_once():
    me, ana, bo, cy = people("me", "ana", "bo", "cy")
    make_follow(me, ana)
    make_follow(ana, bo)
    make_follow(bo, cy)
    assert usernames(suggestions_for(me))[0] == "bo"
    graph_state()  # the graph is built and not due for a refresh for a while
    make_follow(me, bo)
    items = suggestions_for(me)
    # bo is gone at once, and whom bo follows is now a friend of a friend, with bo as reason.
    assert "bo" not in usernames(items)
    assert item_for(items, "cy").reasons == ["followed by Bo"]


def test_new_follows_of_others_are_merged_after_the_ttl(settings):
    me, ana, bo = people("me", "ana", "bo")
    make_follow(me, ana)
    suggestions_for(me)
    settings.SUGGESTIONS_GRAPH_TTL = 3600
    make_follow(ana, bo)
    assert "bo" not in usernames(suggestions_for(me))  # not merged before the TTL is up
    settings.SUGGESTIONS_GRAPH_TTL = 0
    assert item_for(suggestions_for(me), "bo").reasons == ["followed by Ana"]


def test_query_count_does_not_grow_with_the_list(django_assert_max_num_queries):
    me, *friends = people("me", *[f"f{i}" for i in range(6)])
    targets = people(*[f"t{i}" for i in range(12)])
    for friend in friends:
        make_follow(me, friend)
        for target in targets:
            make_follow(friend, target)
    suggestions_for(me)  # build the graph
    with django_assert_max_num_queries(12):
        items = suggestions_for(me, limit=12)
    assert len(items) == 12
    assert Follow.objects.count() == 6 + 6 * 12
