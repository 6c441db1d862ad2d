from __future__ import annotations

from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import Client

from rookery.accounts.models import User
from rookery.notifications.models import Notification, NotificationKind
from rookery.posts.models import Like, LinkCard, Post
from rookery.social.models import Follow
from rookery.timelines.models import TimelineEntry
from rookery.timelines.selectors import Page, timeline_home
from tests.factories import UserFactory, make_post

pytestmark = pytest.mark.django_db


def generate(**options: object) -> None:
    call_command("demo", users=40, seed=1, no_progress=True, **options)


def test_counters_match_the_rows():
    generate()
    people = User.objects.annotate(
        n_followers=Count("follower_set", distinct=True),
        n_following=Count("following_set", distinct=True),
        n_posts=Count("posts", filter=Q(posts__reblog_of__isnull=True), distinct=True),
    )
    assert people.count() == 40
    for person in people:
        assert person.followers_count == person.n_followers, person
        assert person.following_count == person.n_following, person
        assert person.posts_count == person.n_posts, person
    posts = Post.objects.annotate(
        n_replies=Count("replies", distinct=True),
        n_reblogs=Count("reblogs", distinct=True),
        n_likes=Count("likes", distinct=True),
    )
    assert posts.filter(in_reply_to__isnull=False).exists()
    assert posts.filter(reblog_of__isnull=False).exists()
    for post in posts:
        assert post.replies_count == post.n_replies, post
        assert post.reblogs_count == post.n_reblogs, post
        assert post.likes_count == post.n_likes, post


def test_home_timelines_hold_exactly_what_fan_out_would_deliver():
    generate()
    followers: dict[int, set[int]] = defaultdict(set)
    for follower_id, followee_id in Follow.objects.values_list("follower_id", "followee_id"):
        followers[followee_id].add(follower_id)
    owners: dict[int, set[int]] = defaultdict(set)
    for owner_id, post_id in TimelineEntry.objects.values_list("owner_id", "post_id"):
        owners[post_id].add(owner_id)
    for post in Post.objects.filter(reblog_of__isnull=True).prefetch_related("mentions"):
        mentioned = {u.pk for u in post.mentions.all()}
        assert owners[post.pk] == {post.author_id} | followers[post.author_id] | mentioned, post
    for repost in Post.objects.filter(reblog_of__isnull=False):
        # Reposts skip people who already had the post, so only a subset of followers.
        assert repost.author_id in owners[repost.pk]
        assert owners[repost.pk] <= {repost.author_id} | followers[repost.author_id]


def test_ids_follow_time_and_threads_point_backwards():
    generate()
    times = list(Post.objects.order_by("id").values_list("created_at", flat=True))
    assert times == sorted(times)
    for post in Post.objects.filter(in_reply_to__isnull=False).select_related("in_reply_to"):
        assert post.in_reply_to.pk < post.pk
        assert post.in_reply_to_author_id == post.in_reply_to.author_id
        assert post.thread_root_id is not None


def test_questions_answers_links_and_notifications():
    generate()
    questions = Post.objects.filter(is_question=True)
    assert questions.exists()
    for question in questions.filter(accepted_answer__isnull=False):
        assert question.accepted_answer.in_reply_to_id == question.pk
    tagged = Post.objects.filter(text__contains="#").first()
    assert 'class="hashtag"' in tagged.html
    assert tagged.hashtags.exists()
    cards = LinkCard.objects.all()
    assert cards.exists()
    assert all(c.status == LinkCard.Status.OK and ".example." in c.url for c in cards)
    kinds = dict(Notification.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[NotificationKind.FOLLOW] == Follow.objects.count()
    assert kinds[NotificationKind.FAVOURITE] == Like.objects.count()
    assert kinds[NotificationKind.REBLOG] == Post.objects.filter(reblog_of__isnull=False).count()
    assert kinds[NotificationKind.REPLY] > 0


def test_demo_login_works_and_home_shows_posts():
    generate()
    demo = User.objects.get(username="demo")
    assert Client().login(username="demo", password="demo-password")
    home = timeline_home(demo, Page(limit=40))
    assert len(home) == 40
    # Generated people can't log in: nobody knows a password for them.
    assert not User.objects.exclude(username="demo").first().has_usable_password()


def test_services_keep_working_on_demo_data():
    generate()
    demo = User.objects.get(username="demo")
    follower = User.objects.filter(following_set__followee=demo).first()
    post = make_post(demo, "Fresh from the demo account #python")
    assert post.pk > Post.objects.exclude(pk=post.pk).order_by("-pk").first().pk
    assert timeline_home(follower, Page())[0].pk == post.pk
    demo.refresh_from_db()
    assert demo.posts_count == Post.objects.filter(author=demo, reblog_of__isnull=True).count()


def test_refuses_a_database_that_is_not_empty():
    generate()
    with pytest.raises(CommandError, match="not empty"):
        generate()
    assert User.objects.count() == 40


def test_refuses_hand_made_accounts_without_reset_and_keeps_them_with_it():
    UserFactory(username="alice")
    with pytest.raises(CommandError, match="not empty"):
        generate()
    generate(reset=True)
    generate(reset=True)
    assert User.objects.filter(username="alice").exists()
    assert User.objects.count() == 41
    alice = User.objects.get(username="alice")
    assert alice.followers_count == 0
    assert not TimelineEntry.objects.filter(owner=alice).exists()


def test_same_seed_same_network():
    generate()
    first = sorted(User.objects.values_list("username", "followers_count"))
    generate(reset=True)
    assert sorted(User.objects.values_list("username", "followers_count")) == first


def test_admin_only_when_asked():
    generate()
    assert not User.objects.filter(username="admin").exists()
    generate(reset=True, admin_password="a-long-admin-password")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("a-long-admin-password")


def test_rejects_a_silly_size():
    with pytest.raises(CommandError, match="between 10"):
        call_command("demo", users=3, no_progress=True)
