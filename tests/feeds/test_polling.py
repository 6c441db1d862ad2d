"""Blogs served from 127.0.0.1 in every shape the issue lists: each ends in a draft with a
summary and a link, or in a clear health message on the feed, never in an exception."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rookery.feeds import polling
from rookery.feeds.models import Feed, Promotion, PromotionState
from rookery.feeds.services import feed_claim
from tests.feeds.blogserver import (
    PARAGRAPHS,
    BlogServer,
    Item,
    Route,
    article,
    atom,
    homepage,
    json_feed,
    rss,
)

pytestmark = pytest.mark.django_db


def add(blog: BlogServer, owner, path: str = "/feed.xml", **kwargs) -> Feed:  # type: ignore[no-untyped-def]
    kwargs.setdefault("mode", "draft")
    kwargs.setdefault("template", "{summary} {link} {hashtags}")
    kwargs.setdefault("visibility", "public")
    return polling.feed_add(owner=owner, url=blog.url(path), **kwargs)


def poll(feed: Feed) -> Feed:
    """What the periodic task does for one due feed."""
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=feed.created)
    assert feed_claim(feed.pk)
    polling.feed_poll(feed.pk)
    feed.refresh_from_db()
    return feed


def items(blog: BlogServer, n: int, *, guid: bool = True) -> list[Item]:
    out = []
    for i in range(n):
        path = f"/posts/{i}"
        blog.routes[path] = Route(body=article(f"Article {i}"), content_type="text/html")
        out.append(Item(f"Article {i}", blog.url(path), guid=f"post-{i}" if guid else None))
    return out


def only_draft(feed: Feed) -> Promotion:
    drafts = list(feed.promotions.filter(state=PromotionState.DRAFT))
    assert len(drafts) == 1, [p.state for p in feed.promotions.all()]
    return drafts[0]


def assert_good_draft(promotion: Promotion) -> None:
    assert promotion.link in promotion.text
    assert promotion.summary and promotion.summary in promotion.text
    assert 1 <= len(promotion.hashtags) <= 3


@pytest.mark.parametrize(
    ("builder", "ctype"),
    [
        (rss, "application/rss+xml"),
        (atom, "application/atom+xml"),
        (json_feed, "application/feed+json"),
    ],
)
def test_a_new_article_in_each_format_becomes_a_draft(blog, loopback, alice, builder, ctype):
    entries = items(blog, 3)
    blog.routes["/feed.xml"] = Route(body=builder(entries[:2]), content_type=ctype)
    feed = add(blog, alice)
    # Adding the blog records its back catalogue as seen: no flood of drafts.
    assert [p.state for p in feed.promotions.all()] == [PromotionState.SEEN] * 2

    blog.routes["/feed.xml"] = Route(body=builder(entries), content_type=ctype)
    feed = poll(feed)

    assert feed.last_ok and feed.last_result == "OK: 1 new article"
    draft = only_draft(feed)
    assert draft.title == "Article 2"
    assert_good_draft(draft)
    # The teaser in the feed was too short; the summary comes from the article page.
    assert draft.summary.split(". ")[0] in " ".join(PARAGRAPHS)
    assert blog.hits_of("/posts/2") == 1


def test_a_blog_added_by_its_site_url_is_found_by_autodiscovery(blog, loopback, alice):
    blog.routes["/"] = Route(body=homepage("/feeds/main.rss"), content_type="text/html")
    blog.routes["/feeds/main.rss"] = Route(body=rss(items(blog, 1)))
    feed = add(blog, alice, "/")
    assert feed.feed_url == blog.url("/feeds/main.rss")
    assert feed.title == "Ana's blog"


def test_a_page_without_a_feed_is_a_form_error(blog, loopback, alice):
    blog.routes["/"] = Route(body=b"<html><body>hi</body></html>", content_type="text/html")
    with pytest.raises(ValidationError, match="not a feed, and the page does not link to one"):
        add(blog, alice, "/")
    assert not Feed.objects.exists()


def test_conditional_get_304_changes_nothing(blog, loopback, alice):
    blog.routes["/feed.xml"] = Route(body=rss(items(blog, 2)), etag='"v1"')
    feed = add(blog, alice)
    assert feed.etag == '"v1"'
    feed = poll(feed)
    assert blog.hits[-1][1].get("if-none-match") == '"v1"'
    assert feed.last_ok and feed.last_result == "OK: not modified since the last check"
    assert feed.promotions.count() == 2


def test_last_modified_is_sent_back(blog, loopback, alice):
    date = "Tue, 01 Oct 2024 10:00:00 GMT"
    blog.routes["/feed.xml"] = Route(body=rss(items(blog, 1)), headers={"Last-Modified": date})
    feed = poll(add(blog, alice))
    assert blog.hits[-1][1].get("if-modified-since") == date
    assert feed.last_modified == date


def test_gzip_feed(blog, loopback, alice):
    entries = items(blog, 2)
    blog.routes["/feed.xml"] = Route(body=rss(entries[:1]), gzip=True)
    feed = add(blog, alice)
    blog.routes["/feed.xml"] = Route(body=rss(entries), gzip=True)
    assert_good_draft(only_draft(poll(feed)))


def test_a_feed_that_moved_is_followed_through_its_redirect(blog, loopback, alice):
    blog.routes["/old.xml"] = Route(status=301, location="/feed.xml")
    blog.routes["/feed.xml"] = Route(body=rss(items(blog, 1)))
    assert add(blog, alice, "/old.xml").feed_url == blog.url("/feed.xml")


def failing_feed(blog: BlogServer, owner, route: Route) -> Feed:  # type: ignore[no-untyped-def]
    blog.routes["/feed.xml"] = Route(body=rss(items(blog, 1)))
    feed = add(blog, owner)
    blog.routes["/feed.xml"] = route
    return poll(feed)


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(status=404, body=b"gone", content_type="text/plain"), "404 Not Found"),
        (Route(status=302, location="/feed.xml"), "too many redirects"),
        (Route(body=b"<rss><channel><title>x</title><item>", delay=0), None),
        (Route(body=b'{"hello": "world"}', content_type="application/json"), "not a feed"),
        (
            Route(body=b"<?xml version='1.0'?>\n<rss version='2.0'>\n<channel><title>a</b>"),
            "invalid XML at line 3",
        ),
    ],
    ids=["404", "redirect-loop", "truncated", "json-not-feed", "malformed-xml"],
)
def test_failures_become_readable_health_messages(blog, loopback, alice, route, message):
    feed = failing_feed(blog, alice, route)
    assert not feed.last_ok
    assert feed.consecutive_failures == 1
    if message:
        assert feed.last_result.startswith(message), feed.last_result
    else:
        assert feed.last_result


def test_a_slow_server_times_out(blog, loopback, alice):
    loopback.OUTBOUND_TIMEOUT = 0.5
    feed = failing_feed(blog, alice, Route(body=rss([]), delay=1.5))
    assert feed.last_result == "timed out after 0.5 s"


def test_a_huge_body_is_cut_at_the_size_cap(blog, loopback, alice):
    loopback.OUTBOUND_MAX_BYTES = 100_000
    feed = failing_feed(blog, alice, Route(body=b"<rss>" + b"x" * 200_000))
    assert feed.last_result == "response larger than 100 kB"


def test_a_non_utf8_feed_is_read_in_its_declared_encoding(blog, loopback, alice):
    entries = [Item("Café für Straßenbahnfahrer", blog.url("/posts/cafe"), guid="c1")]
    blog.routes["/posts/cafe"] = Route(body=article("Café"), content_type="text/html")
    blog.routes["/feed.xml"] = Route(body=rss([], encoding="iso-8859-1"))
    feed = add(blog, alice)
    blog.routes["/feed.xml"] = Route(
        body=rss(entries, encoding="iso-8859-1"), content_type="application/rss+xml"
    )
    draft = only_draft(poll(feed))
    assert draft.title == "Café für Straßenbahnfahrer"
    assert_good_draft(draft)


def test_entries_without_guids_or_dates_are_keyed_by_link(blog, loopback, alice):
    entries = items(blog, 2, guid=False)
    for entry in entries:
        entry.date = None
    blog.routes["/feed.xml"] = Route(body=rss(entries[:1]))
    feed = add(blog, alice)
    blog.routes["/feed.xml"] = Route(body=rss(entries))
    draft = only_draft(poll(feed))
    assert draft.entry_key == blog.url("/posts/1")
    assert draft.entry_published is None
    assert_good_draft(draft)
    # Polled again: still one draft.
    only_draft(poll(feed))


def test_a_full_text_feed_needs_no_article_fetch(blog, loopback, alice):
    long_text = " ".join(
        ["Teams that measure their deploys learn where the time goes and fix the slow steps."] * 12
    )
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = add(blog, alice)
    blog.routes["/feed.xml"] = Route(
        body=rss([Item("Deploys", blog.url("/posts/deploys"), guid="d", summary=long_text)])
    )
    assert_good_draft(only_draft(poll(feed)))
    assert blog.hits_of("/posts/deploys") == 0


def test_an_article_page_that_fails_falls_back_to_the_feed_text(blog, loopback, alice):
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = add(blog, alice)
    teaser = "Why we moved our queue from Redis to PostgreSQL, and what it cost us in latency."
    blog.routes["/feed.xml"] = Route(
        body=rss([Item("Queues", blog.url("/posts/missing"), guid="q", summary=teaser)])
    )
    draft = only_draft(poll(feed))
    assert draft.summary.startswith("Why we moved our queue")


def test_the_client_refuses_a_private_address_when_not_allowed(blog, settings, alice):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    blog.routes["/feed.xml"] = Route(body=rss([]))
    with pytest.raises(ValidationError, match="address not allowed"):
        add(blog, alice)
    assert blog.hits == []


def test_a_feed_whose_address_became_private_is_unhealthy(blog, loopback, alice):
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = add(blog, alice)
    loopback.OUTBOUND_ALLOW_PRIVATE = False
    feed = poll(feed)
    assert feed.last_result == "address not allowed"


def test_an_unexpected_error_is_a_health_message_not_a_crash(blog, loopback, alice, monkeypatch):
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = add(blog, alice)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(polling, "parse_feed", broken)
    feed = poll(feed)
    assert feed.last_result == polling.UNEXPECTED and not feed.last_ok
