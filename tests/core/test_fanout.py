from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rookery.posts.services import reblog_create
from rookery.social.services import follow_delete
from rookery.timelines.models import FanoutJob, TimelineEntry
from rookery.timelines.selectors import MAX_LIMIT, Page, PageError, timeline_home
from rookery.timelines.services import fanout_resume_stale, fanout_run
from tests.factories import UserFactory, make_follow, make_post


def ids(posts) -> list[int]:
    return [p.pk for p in posts]


def followers_of(author, n: int, prefix: str = "f"):
    people = [UserFactory(username=f"{prefix}{i}") for i in range(n)]
    for person in people:
        make_follow(person, author)
    return people


# --- Batches and crash recovery --------------------------------------------------------------


@pytest.mark.django_db
def test_fanout_delivers_in_batches_to_every_follower(bob, settings):
    settings.FANOUT_BATCH = 2
    readers = followers_of(bob, 5)
    post = make_post(bob, "to everyone")
    job = FanoutJob.objects.get(post=post)
    assert job.state == FanoutJob.State.DONE
    assert job.delivered == 5
    assert job.cursor == max(r.pk for r in readers)
    owners = set(TimelineEntry.objects.filter(post=post).values_list("owner_id", flat=True))
    assert owners == {bob.pk, *(r.pk for r in readers)}


@pytest.fixture
def no_automatic_fanout(monkeypatch):
    """Keep the after-commit task from running, so the test plays the worker by hand."""
    monkeypatch.setattr("rookery.timelines.tasks.fanout_run_task", lambda job_id: None)


def test_crash_after_a_batch_then_resume_delivers_each_entry_once(
    transactional_db, settings, no_automatic_fanout
):
    settings.FANOUT_BATCH = 2
    author = UserFactory(username="author")
    readers = followers_of(author, 5)
    post = make_post(author, "survives a crash")
    job = FanoutJob.objects.get(post=post)
    assert job.state == FanoutJob.State.PENDING

    fanout_run(job.pk, max_batches=1)  # the worker dies after one committed batch
    job.refresh_from_db()
    assert (job.state, job.delivered, job.cursor) == ("pending", 2, readers[1].pk)
    assert TimelineEntry.objects.filter(post=post).exclude(owner=author).count() == 2

    # A stale pending job is picked up again.
    FanoutJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert fanout_resume_stale() == [job.pk]

    # Even a replay of the finished batch (say the cursor update was lost) writes nothing twice.
    FanoutJob.objects.filter(pk=job.pk).update(cursor=0)
    fanout_run(job.pk, max_batches=1)
    fanout_run(job.pk)
    job.refresh_from_db()
    assert job.state == FanoutJob.State.DONE
    for reader in readers:
        assert TimelineEntry.objects.filter(owner=reader, post=post).count() == 1
    assert fanout_run(job.pk).state == FanoutJob.State.DONE  # running a done job is a no-op
    assert TimelineEntry.objects.filter(post=post).count() == 6


# --- Big accounts are merged at read time ----------------------------------------------------


@pytest.mark.django_db
def test_authors_above_the_threshold_are_merged_when_reading(alice, bob, carol, settings):
    settings.FANOUT_THRESHOLD = 2
    followers_of(bob, 2)
    make_follow(alice, bob)  # bob now has 3 followers: above the threshold
    make_follow(alice, carol)
    before = make_post(carol, "carol before")
    big = make_post(bob, "from a big account")
    after = make_post(carol, "carol after")
    assert not TimelineEntry.objects.filter(post=big).exclude(owner=bob).exists()
    assert ids(timeline_home(alice, Page())) == [after.pk, big.pk, before.pk]
    assert ids(timeline_home(alice, Page(max_id=after.pk, limit=1))) == [big.pk]
    assert ids(timeline_home(alice, Page(min_id=before.pk, limit=1))) == [big.pk]
    follow_delete(follower=alice, followee=bob)
    assert ids(timeline_home(alice, Page())) == [after.pk, before.pk]


# --- Reposts ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_repost_of_a_post_already_on_the_timeline_is_not_repeated(alice, bob, carol):
    dave = UserFactory(username="dave")
    make_follow(alice, bob)
    make_follow(alice, carol)
    make_follow(dave, carol)
    post = make_post(bob, "worth sharing")
    repost = reblog_create(user=carol, post=post)
    assert ids(timeline_home(alice, Page())) == [post.pk]
    assert ids(timeline_home(dave, Page())) == [repost.pk]


@pytest.mark.django_db
def test_reposts_skip_followers_who_turned_them_off(alice, bob, carol):
    from rookery.social.services import follow_create

    follow_create(follower=alice, followee=carol, show_reposts=False)
    reblog_create(user=carol, post=make_post(bob, "shared"))
    own = make_post(carol, "carol's own")
    assert ids(timeline_home(alice, Page())) == [own.pk]


# --- Unfollow --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unfollow_removes_the_authors_entries(alice, bob, carol):
    make_follow(alice, bob)
    make_follow(alice, carol)
    make_post(bob, "one")
    make_post(bob, "two")
    carols = make_post(carol, "stays")
    follow_delete(follower=alice, followee=bob)
    assert ids(timeline_home(alice, Page())) == [carols.pk]
    assert not TimelineEntry.objects.filter(owner=alice, author=bob).exists()


# --- Pagination ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_by_max_since_and_min_id(alice, bob):
    make_follow(alice, bob)
    p = [make_post(bob, f"post {i}").pk for i in range(6)]  # oldest first
    newest_first = p[::-1]
    assert ids(timeline_home(alice, Page(limit=2))) == newest_first[:2]
    assert ids(timeline_home(alice, Page(max_id=p[4], limit=2))) == [p[3], p[2]]
    # since_id: the newest above it; min_id: the ones right after it (both newest first).
    assert ids(timeline_home(alice, Page(since_id=p[1], limit=2))) == [p[5], p[4]]
    assert ids(timeline_home(alice, Page(min_id=p[1], limit=2))) == [p[3], p[2]]
    assert ids(timeline_home(alice, Page(max_id=p[0]))) == []
    assert ids(timeline_home(alice, Page(since_id=p[2], max_id=p[5]))) == [p[4], p[3]]


def test_page_parse_accepts_strings_and_caps_the_limit():
    page = Page.parse(max_id="10", since_id="", min_id=None, limit="1000")
    assert (page.max_id, page.since_id, page.min_id, page.limit) == (10, None, None, MAX_LIMIT)


@pytest.mark.parametrize(
    "params",
    [
        {"max_id": "abc"},
        {"since_id": "1.5"},
        {"min_id": "-1"},
        {"limit": "0"},
        {"limit": "many"},
        {"max_id": "9" * 30},  # beyond 64 bits: overflowed the database driver
    ],
)
def test_page_parse_rejects_bad_params(params):
    with pytest.raises(PageError):
        Page.parse(**params)


@pytest.mark.django_db
def test_the_largest_id_still_reads(alice):
    assert timeline_home(alice, Page.parse(max_id=str(2**63 - 1))) == []


# --- Pinned query counts ---------------------------------------------------------------------


@pytest.mark.django_db
def test_post_create_query_count_is_pinned(bob, settings, django_assert_max_num_queries):
    settings.FANOUT_BATCH = 1000
    followers_of(bob, 10)
    # Includes the inline fan-out to all ten followers in one batch and a hashtag.
    with django_assert_max_num_queries(POST_CREATE_QUERIES):
        make_post(bob, "pinned #queries")


@pytest.mark.django_db
def test_post_create_query_count_does_not_grow_with_followers(bob, settings):
    settings.FANOUT_BATCH = 1000
    counts = []
    for n, prefix in ((2, "a"), (20, "b")):
        followers_of(bob, n, prefix=prefix)
        with CaptureQueriesContext(connection) as captured:
            make_post(bob, f"post after {n} more followers")
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [5, 40])
def test_timeline_home_query_count_is_pinned_and_flat(
    alice, bob, carol, limit, django_assert_num_queries
):
    make_follow(alice, bob)
    make_follow(alice, carol)
    for i in range(40):
        make_post(bob, f"post {i}")
        if i % 5 == 0:
            reblog_create(user=carol, post=make_post(UserFactory(username=f"x{i}"), "shared"))
    # max_id skips the newest-page cache, so every query is counted.
    with django_assert_num_queries(TIMELINE_HOME_QUERIES):
        posts = timeline_home(alice, Page(max_id=10**9, limit=limit))
    assert len(posts) == limit


# Pinned: a new query here is a regression to explain, not a number to bump.
# post_create: post, short links, hashtag get-or-create (4), tag and mention links, counter,
# own entry, job, and the inline fan-out (one batch of followers, the empty next batch, done).
POST_CREATE_QUERIES = 27
# timeline_home: entries, merged authors, and the thin posts with their authors and reposts
# and, as EXISTS columns, the viewer's mutes, blocks, likes, reposts and bookmarks (text, HTML
# and media load only for renderers' cache misses).
TIMELINE_HOME_QUERIES = 3
