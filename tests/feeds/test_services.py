"""Feed health, publishing modes, scheduling, hand promotion, permissions and click tracking."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from rookery.feeds import polling, selectors, services
from rookery.feeds.models import Feed, FeedMode, Promotion, PromotionState
from rookery.notifications.models import Notification, NotificationKind
from rookery.posts.models import Post
from rookery.traction import recording
from rookery.traction.links import link_clicks_for_post
from rookery.traction.services import rollup_run
from tests.factories import make_follow
from tests.feeds.blogserver import BlogServer, Item, Route, article, rss
from tests.feeds.test_polling import add, poll

pytestmark = pytest.mark.django_db


def blog_with_new_article(blog: BlogServer, owner, **kwargs) -> Feed:  # type: ignore[no-untyped-def]
    blog.routes["/posts/a"] = Route(body=article("Pools"), content_type="text/html")
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = add(blog, owner, **kwargs)
    blog.routes["/feed.xml"] = Route(body=rss([Item("Pools", blog.url("/posts/a"), guid="a")]))
    return poll(feed)


def test_repeated_failures_back_off_then_pause_with_a_notification(blog, loopback, alice):
    loopback.FEED_MAX_FAILURES = 3
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = add(blog, alice)
    blog.routes["/feed.xml"] = Route(status=404, body=b"", content_type="text/plain")
    delays = []
    for _ in range(3):
        before = timezone.now()
        feed = poll(feed)
        delays.append((feed.next_poll_at - before).total_seconds())
    assert delays[1] > delays[0] * 1.9  # exponential back-off
    assert feed.paused and feed.consecutive_failures == 3
    notice = Notification.objects.get(recipient=alice, kind=NotificationKind.SYSTEM)
    assert "paused after 3 failed checks (404 Not Found)" in notice.message
    # A paused feed is not polled.
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now() - timedelta(hours=1))
    assert not services.feed_claim(feed.pk)


def test_resume_polls_again_at_once_and_forgets_the_failures(blog, loopback, alice):
    loopback.FEED_MAX_FAILURES = 1
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = add(blog, alice)
    blog.routes["/feed.xml"] = Route(status=500, body=b"", content_type="text/plain")
    assert poll(feed).paused
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = services.feed_resume(feed=feed, actor=alice)  # tasks run inline in tests
    assert not feed.paused and feed.consecutive_failures == 0 and feed.last_ok
    assert feed.last_result == "OK: nothing new"


def test_check_now_finds_a_new_article(blog, loopback, alice):
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = add(blog, alice)
    blog.routes["/posts/a"] = Route(body=article("Pools"), content_type="text/html")
    blog.routes["/feed.xml"] = Route(body=rss([Item("Pools", blog.url("/posts/a"), guid="a")]))
    services.feed_check_now(feed=feed, actor=alice)
    assert selectors.promotions_open(alice).get().title == "Pools"


def test_publish_at_once_mode_posts_the_draft(blog, loopback, alice):
    feed = blog_with_new_article(blog, alice, mode=FeedMode.PUBLISH, visibility="unlisted")
    promotion = feed.promotions.get()
    assert promotion.state == PromotionState.PUBLISHED
    assert promotion.post.text == promotion.text
    assert promotion.post.visibility == "unlisted"


def test_schedule_mode_at_a_chosen_time_of_day(blog, loopback, alice):
    alice.timezone = "Europe/Berlin"
    alice.save()
    feed = blog_with_new_article(blog, alice, mode=FeedMode.SCHEDULE, schedule_time=time(8, 30))
    promotion = feed.promotions.get()
    assert promotion.state == PromotionState.SCHEDULED
    local = promotion.publish_at.astimezone(services.author_zone(alice))
    assert (local.hour, local.minute) == (8, 30)
    assert timezone.now() < promotion.publish_at <= timezone.now() + timedelta(days=1)

    assert services.promotions_due() == []
    later = promotion.publish_at + timedelta(seconds=1)
    assert services.promotions_due(now=later) == [promotion.pk]
    services.promotion_publish(promotion_id=promotion.pk)
    assert Post.objects.filter(author=alice).count() == 1


def test_the_next_preferred_slot_defaults_to_weekday_mornings_and_early_afternoons(alice):
    feed = Feed(owner=alice, mode=FeedMode.SCHEDULE)
    friday_evening = datetime(2024, 10, 4, 18, 0, tzinfo=UTC)
    assert services.next_publish_at(feed, now=friday_evening) == datetime(
        2024, 10, 7, 9, 0, tzinfo=UTC
    )
    monday_ten = datetime(2024, 10, 7, 10, 0, tzinfo=UTC)
    assert services.next_publish_at(feed, now=monday_ten).hour == 13


def test_edit_schedule_and_discard_a_draft(blog, loopback, alice):
    promotion = blog_with_new_article(blog, alice).promotions.get()
    services.promotion_update(
        promotion=promotion, actor=alice, text="My own words https://x.test/a"
    )
    with pytest.raises(ValidationError, match="at most 500"):
        services.promotion_update(promotion=promotion, actor=alice, text="x" * 501)
    with pytest.raises(ValidationError, match="future"):
        services.promotion_schedule(
            promotion=promotion, actor=alice, publish_at=timezone.now() - timedelta(minutes=1)
        )
    services.promotion_discard(promotion=promotion, actor=alice)
    assert Promotion.objects.get().state == PromotionState.DISCARDED
    with pytest.raises(ValidationError, match="discarded"):
        services.promotion_publish(promotion_id=promotion.pk, actor=alice)


def test_a_past_article_can_be_promoted_by_hand(blog, loopback, alice):
    blog.routes["/posts/old"] = Route(body=article("Old one"), content_type="text/html")
    blog.routes["/feed.xml"] = Route(body=rss([Item("Old one", blog.url("/posts/old"))]))
    feed = add(blog, alice)
    past = selectors.promotions_past(alice)[0]
    assert past.state == PromotionState.SEEN and feed.promotions.count() == 1
    draft = polling.promotion_draft(promotion=past, actor=alice)
    assert draft.state == PromotionState.DRAFT and draft.link in draft.text
    services.promotion_publish(promotion_id=draft.pk, actor=alice)
    assert Promotion.objects.get().state == PromotionState.PUBLISHED


def test_other_peoples_feeds_and_drafts_are_out_of_reach(blog, loopback, alice, bob):
    feed = blog_with_new_article(blog, alice)
    promotion = feed.promotions.get()
    assert selectors.feed_of(bob, feed.pk) is None
    assert selectors.promotion_of(bob, promotion.pk) is None
    for call in (
        lambda: services.feed_check_now(feed=feed, actor=bob),
        lambda: services.feed_delete(feed=feed, actor=bob),
        lambda: services.promotion_update(promotion=promotion, actor=bob, text="x"),
        lambda: services.promotion_publish(promotion_id=promotion.pk, actor=bob),
        lambda: services.promotion_discard(promotion=promotion, actor=bob),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Feed.objects.count() == 1 and not Post.objects.exists()


def test_the_same_feed_twice_is_refused(blog, loopback, alice):
    blog.routes["/feed.xml"] = Route(body=rss([]))
    add(blog, alice)
    with pytest.raises(ValidationError, match="already added"):
        add(blog, alice)


def test_a_template_without_a_link_or_with_unknown_fields_is_refused(blog, loopback, alice):
    blog.routes["/feed.xml"] = Route(body=rss([]))
    with pytest.raises(ValidationError, match=r"needs \{link\}"):
        add(blog, alice, template="{summary}")
    with pytest.raises(ValidationError, match=r"unknown placeholder \{author\}"):
        add(blog, alice, template="{summary} {link} {author}")


def test_a_promoted_link_goes_through_a_short_link_and_a_click_counts(blog, loopback, alice, bob):
    make_follow(bob, alice)
    feed = blog_with_new_article(blog, alice, mode=FeedMode.PUBLISH)
    post = feed.promotions.get().post
    (link,) = link_clicks_for_post(post.pk)
    assert link.url == blog.url("/posts/a")
    assert f'/l/{link.code}" title="{link.url}"' in post.html

    reader = Client()
    reader.force_login(bob)
    response = reader.get(f"/l/{link.code}", headers={"user-agent": "Mozilla/5.0 Firefox/131"})
    assert response.status_code == 302 and response["Location"] == blog.url("/posts/a")
    recording.flush()
    rollup_run(settle_seconds=0)
    rollup_run(settle_seconds=0)
    assert link_clicks_for_post(post.pk)[0].clicks == 1
    assert selectors.promotions_published(alice)[0].clicks == 1
