"""One promotion per article, whatever happens: repeats, updates, re-keyed entries, a crash
between posting and recording, and two workers at once (these with real commits)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created

from rookery.feeds import polling, services
from rookery.feeds.models import Feed, FeedMode, Promotion, PromotionState
from rookery.posts.models import Post
from tests.factories import UserFactory, make_post
from tests.feeds.blogserver import BlogServer, Item, Route, article, rss
from tests.feeds.test_polling import add, poll


def serve_articles(blog: BlogServer, *slugs: str) -> None:
    for slug in slugs:
        blog.routes[f"/posts/{slug}"] = Route(body=article(slug.title()), content_type="text/html")


def new_blog(blog: BlogServer, owner, mode: str = FeedMode.DRAFT) -> Feed:  # type: ignore[no-untyped-def]
    blog.routes["/feed.xml"] = Route(body=rss([]))
    return add(blog, owner, mode=mode)


@pytest.mark.django_db
def test_an_entry_repeated_in_the_feed_is_one_promotion(blog, loopback, alice):
    serve_articles(blog, "a")
    feed = new_blog(blog, alice)
    item = Item("A", blog.url("/posts/a"), guid="a")
    blog.routes["/feed.xml"] = Route(body=rss([item, item, item]))
    poll(feed)
    poll(feed)
    assert Promotion.objects.count() == 1


@pytest.mark.django_db
def test_an_entry_updated_later_is_not_promoted_again(blog, loopback, alice):
    serve_articles(blog, "a", "a-v2")
    feed = new_blog(blog, alice)
    blog.routes["/feed.xml"] = Route(body=rss([Item("A", blog.url("/posts/a"), guid="a")]))
    poll(feed)
    updated = Item("A (updated)", blog.url("/posts/a-v2"), guid="a", summary="Now longer.")
    blog.routes["/feed.xml"] = Route(body=rss([updated]))
    poll(feed)
    assert Promotion.objects.get().title == "A"


@pytest.mark.django_db
def test_a_guid_added_later_to_an_old_entry_is_not_promoted_again(blog, loopback, alice):
    serve_articles(blog, "a")
    feed = new_blog(blog, alice)
    blog.routes["/feed.xml"] = Route(body=rss([Item("A", blog.url("/posts/a?utm_source=rss"))]))
    poll(feed)
    # The blog starts emitting GUIDs (and drops the tracking parameter): a new entry_key, the
    # same normalised link.
    blog.routes["/feed.xml"] = Route(body=rss([Item("A", blog.url("/posts/a"), guid="urn:a")]))
    poll(feed)
    assert Promotion.objects.count() == 1


@pytest.mark.django_db
def test_the_same_blog_added_under_two_feed_urls_promotes_once(blog, loopback, alice):
    serve_articles(blog, "a")
    blog.routes["/feed.xml"] = Route(body=rss([]))
    blog.routes["/atom.xml"] = Route(body=rss([]))
    first, second = add(blog, alice), add(blog, alice, "/atom.xml")
    body = rss([Item("A", blog.url("/posts/a"), guid="a")])
    blog.routes["/feed.xml"] = blog.routes["/atom.xml"] = Route(body=body)
    poll(first)
    poll(second)
    assert Promotion.objects.count() == 1


def publish_crashing_once(monkeypatch: pytest.MonkeyPatch) -> None:
    real = services._promotion_record
    calls = {"n": 0}

    def crash_once(promotion: Promotion, post: Post) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("worker died between posting and recording")
        real(promotion, post)

    monkeypatch.setattr(services, "_promotion_record", crash_once)


def a_draft(blog: BlogServer, owner) -> Promotion:  # type: ignore[no-untyped-def]
    serve_articles(blog, "a")
    feed = new_blog(blog, owner)
    blog.routes["/feed.xml"] = Route(body=rss([Item("A", blog.url("/posts/a"), guid="a")]))
    poll(feed)
    return Promotion.objects.get(state=PromotionState.DRAFT)


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_posting_and_recording_then_a_retry_makes_one_post(
    blog, loopback, monkeypatch
):
    alice = UserFactory(username="alice")
    draft = a_draft(blog, alice)
    publish_crashing_once(monkeypatch)

    with pytest.raises(RuntimeError):
        services.promotion_publish(promotion_id=draft.pk)
    draft.refresh_from_db()
    assert draft.state == PromotionState.DRAFT  # the claim rolled back with the crash

    published = services.promotion_publish(promotion_id=draft.pk)
    assert published.state == PromotionState.PUBLISHED
    assert Post.objects.filter(author=alice).count() == 1
    assert published.post_id == Post.objects.get(author=alice).pk
    # And again, as a retried task would: nothing more.
    services.promotion_publish(promotion_id=draft.pk)
    assert Post.objects.filter(author=alice).count() == 1


@pytest.mark.django_db
def test_a_post_committed_without_its_record_is_found_again_by_its_key(blog, loopback, alice):
    draft = a_draft(blog, alice)
    # As if an earlier attempt's post survived but its promotion row did not learn of it.
    orphan = make_post(alice, draft.text, idempotency_key=f"promotion:{draft.pk}")
    published = services.promotion_publish(promotion_id=draft.pk)
    assert published.post_id == orphan.pk
    assert Post.objects.filter(author=alice).count() == 1


@pytest.fixture(autouse=True)
def _sqlite_shared_cache_reads(request: pytest.FixtureRequest) -> Iterator[None]:
    """Let threads read while another holds a write transaction, as WAL does in production.

    The SQLite test database is in memory with a shared cache, where a reader meets a writer's
    table lock and fails at once with "database table is locked" instead of reading the last
    committed data; read_uncommitted turns those table locks off for reads.
    """
    if "transactional_db" not in request.fixturenames and not _transactional(request):
        yield
        return

    def on_connect(sender, connection, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(on_connect)
    yield
    connection_created.disconnect(on_connect)


def _transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


def run_together(*jobs: Callable[[], object]) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            for attempt in range(50):
                try:
                    job()
                    break
                except OperationalError as error:
                    # The in-memory test database's shared cache answers a write-write conflict
                    # with "table is locked" at once, where the file database of a real
                    # install waits (busy_timeout). Every job is one transaction that rolled
                    # back, so running it again is that wait.
                    if connection.vendor != "sqlite" or "locked" not in str(error):
                        raise
                    time.sleep(0.01 * (attempt + 1))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_publishers_make_one_post(blog, loopback):
    alice = UserFactory(username="alice")
    draft = a_draft(blog, alice)
    errors = run_together(
        lambda: services.promotion_publish(promotion_id=draft.pk),
        lambda: services.promotion_publish(promotion_id=draft.pk),
    )
    assert errors == []
    assert Post.objects.filter(author=alice).count() == 1
    assert Promotion.objects.get().state == PromotionState.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_pollers_make_one_post_per_entry(blog, loopback):
    alice = UserFactory(username="alice")
    serve_articles(blog, "a", "b", "c")
    feeds = [new_blog(blog, alice, mode=FeedMode.PUBLISH)]
    blog.routes["/feed.xml"] = Route(
        body=rss([Item(s.upper(), blog.url(f"/posts/{s}"), guid=s) for s in "abc"])
    )
    Feed.objects.update(next_poll_at=feeds[0].created)

    errors = run_together(
        lambda: polling.feeds_poll_due(workers=2), lambda: polling.feeds_poll_due(workers=2)
    )
    assert errors == []
    assert blog.hits_of("/feed.xml") == 2  # adding it, then exactly one poll
    assert Promotion.objects.filter(state=PromotionState.PUBLISHED).count() == 3
    assert Post.objects.filter(author=alice).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_recording_the_same_entries_insert_them_once(blog, loopback):
    # Beneath the lease: even two workers recording one fetch at the same moment (a lease
    # expired mid-poll) are held to one row per entry by the database.
    alice = UserFactory(username="alice")
    serve_articles(blog, "a", "b")
    feed = new_blog(blog, alice)
    parsed_items = [Item(s.upper(), blog.url(f"/posts/{s}"), guid=s) for s in "ab"]
    blog.routes["/feed.xml"] = Route(body=rss(parsed_items))
    located = polling.feed_locate(feed.feed_url, policy=polling.outbound_policy())
    new = services.new_entries(feed, located.parsed.entries)

    def record() -> None:
        services.feed_record_success(
            feed=Feed.objects.get(pk=feed.pk), parsed=located.parsed, new=new, etag=None,
            last_modified=None,
        )  # fmt: skip

    errors = run_together(record, record)
    assert errors == []
    assert sorted(Promotion.objects.values_list("entry_key", flat=True)) == ["a", "b"]
