"""Who may read, reach and interact with what: the permission matrix of the core.

Cast: bob writes; alice follows bob; carol is mentioned; dave is nobody in particular;
None is a logged-out reader.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rookery.moderation.services import account_suspend, account_unsuspend
from rookery.notifications.models import Notification, NotificationKind
from rookery.notifications.selectors import notifications_for
from rookery.posts.models import Visibility
from rookery.posts.selectors import can_see, post_get_for_viewer, thread_context
from rookery.posts.services import bookmark_create, like_create, reblog_create
from rookery.social.models import Follow, FollowRequest
from rookery.social.selectors import is_following
from rookery.social.services import (
    block_create,
    block_delete,
    follow_create,
    follow_request_approve,
    follow_request_reject,
    mute_create,
)
from rookery.timelines.models import TimelineEntry
from rookery.timelines.selectors import (
    Page,
    timeline_hashtag,
    timeline_home,
    timeline_profile,
    timeline_public,
)
from tests.factories import UserFactory, make_follow, make_post

pytestmark = pytest.mark.django_db


def ids(posts) -> list[int]:
    return [p.pk for p in posts]


@pytest.fixture
def dave(db):
    return UserFactory(username="dave")


@pytest.fixture
def mod(db):
    return UserFactory(username="mod", is_staff=True)


# --- Visibility: followers-only and mentioned-only --------------------------------------------

READERS = ["bob", "alice", "carol", "dave", None]


@pytest.mark.parametrize(
    ("visibility", "may_read"),
    [
        (Visibility.PUBLIC, {"bob", "alice", "carol", "dave", None}),
        (Visibility.UNLISTED, {"bob", "alice", "carol", "dave", None}),
        (Visibility.FOLLOWERS, {"bob", "alice", "carol"}),
        (Visibility.MENTIONED, {"bob", "carol"}),
    ],
)
def test_who_can_read_a_post(request, alice, bob, carol, dave, visibility, may_read):
    make_follow(alice, bob)
    post = make_post(bob, "news for #team and @carol", visibility=visibility)
    for name in READERS:
        reader = request.getfixturevalue(name) if name else None
        expected = name in may_read
        assert can_see(reader, post) is expected, name
        assert (post_get_for_viewer(post.pk, reader) is not None) is expected, name
        assert (post.pk in ids(timeline_profile(reader, bob, Page()))) is expected, name


@pytest.mark.parametrize(
    ("visibility", "home_of"),
    [
        (Visibility.PUBLIC, {"bob", "alice", "carol"}),
        (Visibility.UNLISTED, {"bob", "alice", "carol"}),
        (Visibility.FOLLOWERS, {"bob", "alice", "carol"}),
        (Visibility.MENTIONED, {"bob", "carol"}),
    ],
)
def test_whose_home_timeline_a_post_reaches(request, alice, bob, carol, dave, visibility, home_of):
    make_follow(alice, bob)
    post = make_post(bob, "news for #team and @carol", visibility=visibility)
    for name in ("bob", "alice", "carol", "dave"):
        reader = request.getfixturevalue(name)
        assert (post.pk in ids(timeline_home(reader, Page()))) is (name in home_of), name


@pytest.mark.parametrize(
    "visibility", [Visibility.UNLISTED, Visibility.FOLLOWERS, Visibility.MENTIONED]
)
def test_only_public_posts_reach_public_and_hashtag_timelines(alice, bob, carol, visibility):
    make_follow(alice, bob)
    public = make_post(bob, "open #team")
    make_post(bob, "restricted #team @carol", visibility=visibility)
    for reader in (None, alice, bob, carol):
        assert ids(timeline_public(reader, Page())) == [public.pk]
        assert ids(timeline_hashtag(reader, "TEAM", Page())) == [public.pk]


@pytest.mark.parametrize("visibility", [Visibility.FOLLOWERS, Visibility.MENTIONED])
def test_restricted_posts_cannot_be_reposted_even_by_those_who_see_them(
    alice, bob, carol, visibility
):
    make_follow(alice, bob)
    post = make_post(bob, "private @carol @alice", visibility=visibility)
    for user in (alice, carol, bob):
        with pytest.raises(PermissionDenied):
            reblog_create(user=user, post=post)


def test_thread_context_skips_posts_the_reader_cannot_see(alice, bob, carol, dave):
    make_follow(alice, bob)
    root = make_post(carol, "question for all")
    private_reply = make_post(bob, "@carol between us", in_reply_to=root, visibility="followers")
    answer = make_post(carol, "public follow-up", in_reply_to=private_reply)
    other = make_post(dave, "public answer", in_reply_to=root)
    assert ids(thread_context(root, alice).descendants) == [private_reply.pk, answer.pk, other.pk]
    assert ids(thread_context(answer, alice).ancestors) == [root.pk, private_reply.pk]
    # Replies under a hidden post go with it: without their parent they'd read out of context.
    for reader in (dave, None):
        assert ids(thread_context(root, reader).descendants) == [other.pk]
        assert ids(thread_context(answer, reader).ancestors) == []


def test_replying_to_a_post_you_cannot_see_is_refused(bob, dave):
    post = make_post(bob, "followers only", visibility=Visibility.FOLLOWERS)
    with pytest.raises(ValidationError, match="does not exist"):
        make_post(dave, "sneaky", in_reply_to=post)
    for action in (like_create, bookmark_create):
        with pytest.raises(PermissionDenied):
            action(user=dave, post=post)


# --- Blocks -----------------------------------------------------------------------------------


def test_block_removes_follows_both_ways_and_cleans_timelines(alice, bob, carol):
    make_follow(alice, bob)
    make_follow(bob, alice)
    bobs = make_post(bob, "from bob")
    alices = make_post(alice, "from alice")
    carols = make_post(carol, "from carol")
    reblog_create(user=carol, post=bobs)  # carol isn't followed by alice; make her so:
    make_follow(alice, carol)
    carol_repost_of_bob = reblog_create(user=carol, post=bobs)
    TimelineEntry.objects.get_or_create(owner=alice, post=carol_repost_of_bob, author=carol)
    block_create(blocker=alice, blocked=bob)
    assert not is_following(alice.pk, bob.pk) and not is_following(bob.pk, alice.pk)
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.following_count, alice.followers_count) == (1, 0)
    assert (bob.following_count, bob.followers_count) == (0, 0)
    assert bobs.pk not in ids(timeline_home(alice, Page()))
    assert carol_repost_of_bob.pk not in ids(timeline_home(alice, Page()))
    assert carols.pk in ids(timeline_home(alice, Page()))
    assert alices.pk not in ids(timeline_home(bob, Page()))
    assert not TimelineEntry.objects.filter(owner=alice, author=bob).exists()
    assert not TimelineEntry.objects.filter(owner=bob, author=alice).exists()


def test_blocked_user_cannot_follow_see_reply_like_or_repost(alice, bob):
    post = make_post(alice, "hello world")
    block_create(blocker=alice, blocked=bob)
    with pytest.raises(PermissionDenied):
        follow_create(follower=bob, followee=alice)
    with pytest.raises(PermissionDenied):
        follow_create(follower=alice, followee=bob)
    assert not can_see(bob, post)
    assert post.pk not in ids(timeline_profile(bob, alice, Page()))
    assert post.pk not in ids(timeline_public(bob, Page()))
    with pytest.raises(ValidationError):
        make_post(bob, "reply", in_reply_to=post)
    with pytest.raises(PermissionDenied):
        like_create(user=bob, post=post)
    with pytest.raises(PermissionDenied):
        reblog_create(user=bob, post=post)
    # The blocker doesn't see the blocked person either.
    bobs = make_post(bob, "from bob")
    assert not can_see(alice, bobs)
    assert bobs.pk not in ids(timeline_public(alice, Page()))


def test_blocked_user_mentioning_the_blocker_notifies_nobody(alice, bob):
    block_create(blocker=alice, blocked=bob)
    post = make_post(bob, "hey @alice")
    assert not Notification.objects.filter(recipient=alice).exists()
    assert post.pk not in ids(timeline_home(alice, Page()))


def test_block_drops_earlier_notifications_and_pending_requests(alice, bob):
    alice.locked = True
    alice.save()
    follow_create(follower=bob, followee=alice)
    make_post(bob, "hi @alice")
    assert Notification.objects.filter(recipient=alice, actor=bob).exists()
    block_create(blocker=alice, blocked=bob)
    assert not Notification.objects.filter(recipient=alice, actor=bob).exists()
    assert not FollowRequest.objects.exists()


def test_repost_by_a_third_person_does_not_leak_a_blocked_authors_post(alice, bob, carol):
    post = make_post(bob, "bob's post")
    repost = reblog_create(user=carol, post=post)
    block_create(blocker=alice, blocked=bob)
    assert not can_see(alice, repost)
    assert post_get_for_viewer(repost.pk, alice) is None
    assert repost.pk not in ids(timeline_profile(alice, carol, Page()))
    make_follow(alice, carol)
    later = reblog_create(user=carol, post=make_post(bob, "another"))
    assert later.pk not in ids(timeline_home(alice, Page()))


def test_unblock_does_not_restore_follows(alice, bob):
    make_follow(alice, bob)
    block_create(blocker=alice, blocked=bob)
    block_delete(blocker=alice, blocked=bob)
    assert not Follow.objects.exists()
    post = make_post(bob, "visible again")
    assert can_see(alice, post)


# --- Mutes ------------------------------------------------------------------------------------


def test_muted_author_hidden_at_home_until_a_timed_mute_runs_out(alice, bob, carol, dave):
    make_follow(alice, bob)
    make_follow(alice, carol)
    post = make_post(bob, "from bob")
    bobs_repost = reblog_create(user=bob, post=make_post(dave, "from dave"))
    carols_repost = reblog_create(user=carol, post=make_post(dave, "about bob"))
    carols = make_post(carol, "from carol")
    hidden = {post.pk, bobs_repost.pk}
    home = set(ids(timeline_home(alice, Page())))
    assert hidden <= home
    mute_create(muter=alice, muted=bob, expires_at=timezone.now() + timedelta(hours=1))
    home = set(ids(timeline_home(alice, Page())))
    assert not hidden & home
    assert carols.pk in home and carols_repost.pk in home
    # Still readable elsewhere: a mute is the reader's filter, not a permission.
    assert can_see(alice, post)
    mute_create(muter=alice, muted=bob, expires_at=timezone.now() - timedelta(seconds=1))
    assert hidden <= set(ids(timeline_home(alice, Page())))


def test_muted_people_do_not_notify_unless_asked(alice, bob, carol):
    mute_create(muter=alice, muted=bob)
    mute_create(muter=alice, muted=carol, hide_notifications=False)
    post = make_post(alice, "hello")
    like_create(user=bob, post=post)
    like_create(user=carol, post=post)
    make_post(bob, "@alice hi")
    assert [n.actor for n in notifications_for(alice)] == [carol]


def test_notifications_come_back_after_a_timed_mute_expires(alice, bob):
    mute_create(muter=alice, muted=bob, expires_at=timezone.now() - timedelta(seconds=1))
    make_post(bob, "@alice hi")
    assert [n.kind for n in notifications_for(alice)] == [NotificationKind.MENTION]


# --- Locked accounts --------------------------------------------------------------------------


def test_locked_account_follow_becomes_a_request_then_approve_backfills(alice, bob):
    bob.locked = True
    bob.save()
    earlier = make_post(bob, "before the follow", visibility=Visibility.FOLLOWERS)
    outcome = follow_create(follower=alice, followee=bob)
    assert (outcome.following, outcome.requested) == (False, True)
    assert not is_following(alice.pk, bob.pk)
    assert not can_see(alice, earlier)
    assert Notification.objects.filter(recipient=bob, kind="follow_request").exists()
    follow_request_approve(target=bob, requester=alice)
    assert is_following(alice.pk, bob.pk)
    assert can_see(alice, earlier)
    assert ids(timeline_home(alice, Page())) == [earlier.pk]
    assert not FollowRequest.objects.exists()
    assert not Notification.objects.filter(kind="follow_request").exists()
    bob.refresh_from_db()
    assert bob.followers_count == 1


def test_locked_account_rejects_a_request(alice, bob):
    bob.locked = True
    bob.save()
    follow_create(follower=alice, followee=bob)
    follow_request_reject(target=bob, requester=alice)
    assert not is_following(alice.pk, bob.pk)
    assert not FollowRequest.objects.exists()
    with pytest.raises(ValidationError):
        follow_request_approve(target=bob, requester=alice)


# --- Suspended accounts -----------------------------------------------------------------------


def test_suspended_users_posts_are_gone_for_everyone_but_staff(alice, bob, carol, mod):
    make_follow(alice, bob)
    make_follow(mod, bob)
    post = make_post(bob, "#team update")
    repost = reblog_create(user=carol, post=post)
    make_follow(alice, carol)
    account_suspend(moderator=mod, user=bob, reason="spam")
    for reader in (alice, carol, None):
        assert not can_see(reader, post)
        assert ids(timeline_public(reader, Page())) == []
        assert ids(timeline_hashtag(reader, "team", Page())) == []
        assert ids(timeline_profile(reader, bob, Page())) == []
        assert post_get_for_viewer(repost.pk, reader) is None
        assert ids(timeline_profile(reader, carol, Page())) == []
    assert can_see(mod, post)
    assert post.pk in ids(timeline_home(mod, Page()))
    home = ids(timeline_home(alice, Page()))
    assert post.pk not in home and repost.pk not in home
    account_unsuspend(moderator=mod, user=bob)
    assert post.pk in ids(timeline_home(alice, Page()))


def test_suspended_users_cannot_log_in_or_be_followed(alice, bob, mod):
    account_suspend(moderator=mod, user=bob, reason="spam")
    assert authenticate(username="bob", password="correct horse battery") is None
    with pytest.raises(ValidationError, match="not available"):
        follow_create(follower=alice, followee=bob)
