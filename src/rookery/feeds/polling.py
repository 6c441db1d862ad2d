"""Fetching feeds and articles, and drafting promotions from them.

Everything here that touches the network goes through ``rookery.outbound.fetch`` with the
settings' policy, and finishes before ``services`` opens a transaction to record the outcome.
Any failure of a feed ends as a readable health message on the feed, never as an exception
out of the poller.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, close_old_connections, connection

from rookery.accounts.models import User
from rookery.feeds import services
from rookery.feeds.models import Feed, Promotion
from rookery.feeds.parsing import FeedParseError, ParsedFeed, discover_feeds, parse_feed
from rookery.feeds.summary import Article, draft_post, extract_article
from rookery.outbound.client import FetchError, FetchResult, OutboundPolicy, fetch
from rookery.posts.cards import outbound_policy
from rookery.posts.rendering import LINK_LENGTH

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9,"
    " application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7, text/html;q=0.5, */*;q=0.1"
)
# A feed entry with less text than this is a teaser: the article page is fetched for drafting.
TEASER_CHARS = 600
# How many due feeds one round of the poller claims; rounds repeat until none is due.
CLAIM_BATCH = 200
UNEXPECTED = "unexpected error while reading the feed"


@dataclass(frozen=True)
class Located:
    feed_url: str
    result: FetchResult
    parsed: ParsedFeed


def _parse(result: FetchResult) -> ParsedFeed:
    return parse_feed(result.content, url=result.url, content_type=result.content_type)


def feed_locate(url: str, *, policy: OutboundPolicy) -> Located:
    """The feed at ``url``, or the first readable feed a web page at ``url`` advertises."""
    result = fetch(url.strip(), policy=policy, accept=FEED_ACCEPT)
    try:
        return Located(result.url, result, _parse(result))
    except FeedParseError as error:
        if "web page" not in str(error) and result.content_type not in {
            "text/html",
            "application/xhtml+xml",
        }:
            raise
    candidates = discover_feeds(result.content, result.url)
    if not candidates:
        raise FeedParseError("not a feed, and the page does not link to one")
    last: Exception | None = None
    for candidate in candidates[:3]:
        try:
            found = fetch(candidate, policy=policy, accept=FEED_ACCEPT)
            return Located(found.url, found, _parse(found))
        except (FetchError, FeedParseError) as error:
            last = error
    assert last is not None
    raise last


def feed_add(
    *,
    owner: User,
    url: str,
    mode: str,
    template: str,
    visibility: str,
    schedule_time=None,  # type: ignore[no-untyped-def]
    policy: OutboundPolicy | None = None,
) -> Feed:
    """Add a blog by its feed URL or its site URL; fetch errors become form errors."""
    try:
        located = feed_locate(url, policy=policy or outbound_policy())
    except (FetchError, FeedParseError) as error:
        raise ValidationError({"url": f"{url.strip()}: {error}"}) from None
    return services.feed_create(
        owner=owner,
        feed_url=located.feed_url,
        parsed=located.parsed,
        etag=located.result.etag,
        last_modified=located.result.last_modified,
        mode=mode,
        template=template,
        visibility=visibility,
        schedule_time=schedule_time,
    )


# --- drafting ---------------------------------------------------------------------------------


def _topics(owner: User) -> list[str]:
    return list(owner.topics.order_by("name").values_list("name", flat=True))


def draft_article(
    *,
    title: str,
    text: str,
    link: str,
    template: str,
    author_topics: Sequence[str],
    policy: OutboundPolicy,
) -> services.DraftData:
    """Summary, hashtags and the filled template for one article; ``ValueError`` if it can't.

    A teaser in the feed is not enough to summarise, so the article page is fetched and its
    main text extracted; if that fails the feed's own text is used.
    """
    if not link:
        raise ValueError("the entry has no link to promote")
    description = None
    if len(text) < TEASER_CHARS:
        try:
            page = fetch(link, policy=policy, accept="text/html,application/xhtml+xml")
            article = extract_article(page.content, page.url)
        except FetchError as error:
            logger.info("article %s not fetched: %s", link, error)
        else:
            if len(article.text) > len(text):
                text = article.text
            title = title or article.title or ""
            description = article.description
    draft = draft_post(
        Article(title=title, text=text or title, description=description, author=None, date=None),
        post_max_chars=settings.POST_MAX_CHARS,
        link_length=LINK_LENGTH,
        link=link,
        template=template,
        author_topics=author_topics,
    )
    return services.DraftData(
        text=draft.text, summary=draft.summary, hashtags=draft.hashtags, title=draft.title
    )


def promotion_draft(*, promotion: Promotion, actor: User) -> Promotion:
    """Draft a past article by hand (it was seen on the first poll, or discarded)."""
    try:
        draft = draft_article(
            title=promotion.title,
            text=promotion.entry_text,
            link=promotion.link,
            template=promotion.feed.template,
            author_topics=_topics(promotion.owner),
            policy=outbound_policy(),
        )
    except ValueError as error:
        raise ValidationError(f"This article can't be drafted: {error}.") from None
    return services.promotion_set_draft(promotion=promotion, actor=actor, draft=draft)


# --- polling ----------------------------------------------------------------------------------


def feed_poll(feed_id: int, *, policy: OutboundPolicy | None = None) -> str:
    """Fetch one feed (already claimed) and record the outcome; returns the health message."""
    feed = Feed.objects.select_related("owner").filter(pk=feed_id).first()
    if feed is None:
        return "feed deleted"
    policy = policy or outbound_policy()
    try:
        result = fetch(
            feed.feed_url,
            policy=policy,
            etag=feed.etag or None,
            last_modified=feed.last_modified or None,
            accept=FEED_ACCEPT,
        )
        if result.not_modified:
            services.feed_record_not_modified(feed=feed)
            return feed.last_result
        parsed = _parse(result)
        new = services.new_entries(feed, parsed.entries)
        if feed.primed:
            new = _with_drafts(feed, new, policy)
        services.feed_record_success(
            feed=feed, parsed=parsed, new=new, etag=result.etag, last_modified=result.last_modified
        )
    except (FetchError, FeedParseError) as error:
        services.feed_record_failure(feed=feed, message=str(error))
    except DatabaseError:
        # Not the feed's fault: leave it leased, so it is polled again when the lease ends.
        raise
    except Exception:
        # A bug or an odd document must cost one feed one check, not the whole poll round.
        logger.exception("polling feed %s failed", feed_id)
        feed.refresh_from_db()
        services.feed_record_failure(feed=feed, message=UNEXPECTED)
    return feed.last_result


def _with_drafts(
    feed: Feed, new: list[services.NewEntry], policy: OutboundPolicy
) -> list[services.NewEntry]:
    topics = _topics(feed.owner)
    drafted: list[services.NewEntry] = []
    for n, item in enumerate(new):
        if n >= services.MAX_NEW_PER_POLL:
            drafted.append(item)
            continue
        try:
            draft = draft_article(
                title=item.entry.title,
                text=item.text,
                link=item.entry.link,
                template=feed.template,
                author_topics=topics,
                policy=policy,
            )
        except ValueError as error:
            drafted.append(replace(item, error=str(error)))
        else:
            drafted.append(replace(item, draft=draft))
    return drafted


def feed_poll_claimed(feed_id: int) -> str | None:
    """Poll a feed if this worker wins its lease (``check now`` and the periodic round)."""
    if not services.feed_claim(feed_id):
        return None
    return feed_poll(feed_id)


def _poll_in_thread(feed_id: int) -> str:
    close_old_connections()
    try:
        return feed_poll(feed_id)
    finally:
        # Worker threads each opened their own connection; don't leave it to the GC.
        connection.close()


def due_feed_ids(limit: int) -> list[int]:
    from django.utils import timezone

    return list(
        Feed.objects.filter(paused=False, next_poll_at__lte=timezone.now())
        .order_by("next_poll_at")
        .values_list("pk", flat=True)[:limit]
    )


def feeds_poll_due(*, workers: int | None = None, max_seconds: float = 240.0) -> int:
    """Poll every due feed, ``workers`` at a time; returns how many were polled.

    Each feed is claimed with a conditional UPDATE before it is fetched, so any number of
    workers can run this at once and a feed is still polled by only one of them.
    """
    workers = workers or settings.FEED_POLL_WORKERS
    started = time.monotonic()
    polled = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feed-poll") as pool:
        while time.monotonic() - started < max_seconds:
            claimed = [pk for pk in due_feed_ids(CLAIM_BATCH) if services.feed_claim(pk)]
            if not claimed:
                break
            if workers == 1:
                for pk in claimed:
                    feed_poll(pk)
            else:
                list(pool.map(_poll_in_thread, claimed))
            polled += len(claimed)
    return polled
