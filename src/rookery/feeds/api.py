"""Blog promotion over the API: ``/api/rookery/v1/feeds...``, the Blog page's operations.

Mounted into the extras router (``rookery.api.routes.rookery``). Feeds and promotions of other
people answer 404, like ones that don't exist.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema

from rookery.api.auth import Token, user_of
from rookery.api.errors import not_found
from rookery.api.routes.common import documented, parse_id, respond
from rookery.api.serializers import iso
from rookery.feeds import polling, selectors, services
from rookery.feeds.models import DEFAULT_FEED_TEMPLATE, Feed, Promotion
from rookery.traction.selectors import author_zone

router = Router(tags=["blog promotion"])

READ = Token("read:statuses")
WRITE = Token("write:statuses")


class FeedOut(Schema):
    id: str
    feed_url: str
    site_url: str
    title: str
    template: str
    mode: str
    schedule_time: str | None
    visibility: str
    paused: bool
    last_ok: bool
    last_result: str
    last_fetch_at: str | None
    next_poll_at: str | None
    consecutive_failures: int
    created_at: str | None


class FeedIn(Schema):
    url: str
    mode: Literal["draft", "publish", "schedule"] = "draft"
    template: str = DEFAULT_FEED_TEMPLATE
    visibility: Literal["public", "unlisted", "followers", "mentioned"] = "public"
    schedule_time: time | None = None


class FeedSettingsIn(Schema):
    mode: Literal["draft", "publish", "schedule"] | None = None
    template: str | None = None
    visibility: Literal["public", "unlisted", "followers", "mentioned"] | None = None
    schedule_time: time | None = None


class PromotionOut(Schema):
    id: str
    feed_id: str
    state: str
    title: str
    link: str
    text: str
    summary: str
    hashtags: list[str]
    publish_at: str | None
    published_at: str | None
    status_id: str | None
    error: str
    clicks: int | None
    likes: int | None
    reposts: int | None


class PromotionsParams(Schema):
    state: Literal["open", "published", "past"] = "open"


class TextIn(Schema):
    text: str


class ScheduleIn(Schema):
    publish_at: datetime


def feed_json(feed: Feed) -> dict[str, object]:
    return {
        "id": str(feed.pk),
        "feed_url": feed.feed_url,
        "site_url": feed.site_url,
        "title": feed.title,
        "template": feed.template,
        "mode": feed.mode,
        "schedule_time": feed.schedule_time.strftime("%H:%M") if feed.schedule_time else None,
        "visibility": feed.visibility,
        "paused": feed.paused,
        "last_ok": feed.last_ok,
        "last_result": feed.last_result,
        "last_fetch_at": iso(feed.last_fetch_at),
        "next_poll_at": iso(feed.next_poll_at),
        "consecutive_failures": feed.consecutive_failures,
        "created_at": iso(feed.created),
    }


def promotion_json(promotion: Promotion) -> dict[str, object]:
    post = promotion.post if promotion.post_id else None
    return {
        "id": str(promotion.pk),
        "feed_id": str(promotion.feed_id),
        "state": promotion.state,
        "title": promotion.title,
        "link": promotion.link,
        "text": promotion.text,
        "summary": promotion.summary,
        "hashtags": list(promotion.hashtags),
        "publish_at": iso(promotion.publish_at),
        "published_at": iso(post.created_at) if post else None,
        "status_id": str(post.pk) if post else None,
        "error": promotion.error,
        "clicks": getattr(promotion, "clicks", None),
        "likes": post.likes_count if post else None,
        "reposts": post.reblogs_count if post else None,
    }


def _feed(request: HttpRequest, feed_id: str) -> Feed:
    feed = selectors.feed_of(user_of(request), parse_id(feed_id, "Feed"))
    if feed is None:
        raise not_found("Feed")
    return feed


def _promotion(request: HttpRequest, promotion_id: str) -> Promotion:
    promotion = selectors.promotion_of(user_of(request), parse_id(promotion_id, "Promotion"))
    if promotion is None:
        raise not_found("Promotion")
    return promotion


@router.get("", response=documented(list[FeedOut]), auth=READ, summary="Your blog feeds")
def feeds_list(request: HttpRequest) -> HttpResponse:
    return respond([feed_json(f) for f in selectors.feeds_of(user_of(request))])


@router.post("", response=documented(FeedOut), auth=WRITE, summary="Add a blog")
def feeds_add(request: HttpRequest, data: FeedIn) -> HttpResponse:
    """Add by feed URL or site URL (the feed is discovered); existing articles become "seen"."""
    feed = polling.feed_add(owner=user_of(request), **data.dict())
    return respond(feed_json(feed))


# Literal paths first: Django tries them in order and "promotions" would match {feed_id}.
@router.get("/promotions", response=documented(list[PromotionOut]), auth=READ, summary="Promotions")
def promotions_list(request: HttpRequest, params: Query[PromotionsParams]) -> HttpResponse:
    """``open``: drafts, scheduled and failed; ``published`` with clicks, likes and reposts;
    ``past``: articles not promoted, which can be drafted by hand."""
    owner = user_of(request)
    found = {
        "open": selectors.promotions_open,
        "published": selectors.promotions_published,
        "past": selectors.promotions_past,
    }[params.state](owner)
    return respond([promotion_json(p) for p in found])


@router.get(
    "/promotions/{promotion_id}", response=documented(PromotionOut), auth=READ,
    summary="A promotion",
)  # fmt: skip
def promotions_get(request: HttpRequest, promotion_id: str) -> HttpResponse:
    return respond(promotion_json(_promotion(request, promotion_id)))


@router.patch(
    "/promotions/{promotion_id}", response=documented(PromotionOut), auth=WRITE,
    summary="Edit a draft",
)  # fmt: skip
def promotions_edit(request: HttpRequest, promotion_id: str, data: TextIn) -> HttpResponse:
    promotion = services.promotion_update(
        promotion=_promotion(request, promotion_id), actor=user_of(request), text=data.text
    )
    return respond(promotion_json(promotion))


@router.post(
    "/promotions/{promotion_id}/publish", response=documented(PromotionOut), auth=WRITE,
    summary="Publish a draft now",
)  # fmt: skip
def promotions_publish(request: HttpRequest, promotion_id: str) -> HttpResponse:
    promotion = _promotion(request, promotion_id)
    promotion = services.promotion_publish(promotion_id=promotion.pk, actor=user_of(request))
    return respond(promotion_json(promotion))


@router.post(
    "/promotions/{promotion_id}/schedule", response=documented(PromotionOut), auth=WRITE,
    summary="Schedule a draft",
)  # fmt: skip
def promotions_schedule(request: HttpRequest, promotion_id: str, data: ScheduleIn) -> HttpResponse:
    owner = user_of(request)
    publish_at = data.publish_at
    if timezone.is_naive(publish_at):
        # A time without an offset is meant in the owner's own time zone, as on the web page.
        publish_at = timezone.make_aware(publish_at, author_zone(owner))
    promotion = services.promotion_schedule(
        promotion=_promotion(request, promotion_id), actor=owner, publish_at=publish_at
    )
    return respond(promotion_json(promotion))


@router.post(
    "/promotions/{promotion_id}/discard", response=documented(PromotionOut), auth=WRITE,
    summary="Discard a draft",
)  # fmt: skip
def promotions_discard(request: HttpRequest, promotion_id: str) -> HttpResponse:
    promotion = services.promotion_discard(
        promotion=_promotion(request, promotion_id), actor=user_of(request)
    )
    return respond(promotion_json(promotion))


@router.post(
    "/promotions/{promotion_id}/draft", response=documented(PromotionOut), auth=WRITE,
    summary="Draft a past article",
)  # fmt: skip
def promotions_draft(request: HttpRequest, promotion_id: str) -> HttpResponse:
    promotion = polling.promotion_draft(
        promotion=_promotion(request, promotion_id), actor=user_of(request)
    )
    return respond(promotion_json(promotion))


@router.get("/{feed_id}", response=documented(FeedOut), auth=READ, summary="A feed")
def feeds_get(request: HttpRequest, feed_id: str) -> HttpResponse:
    return respond(feed_json(_feed(request, feed_id)))


@router.patch("/{feed_id}", response=documented(FeedOut), auth=WRITE, summary="Feed settings")
def feeds_update(request: HttpRequest, feed_id: str, data: FeedSettingsIn) -> HttpResponse:
    feed = _feed(request, feed_id)
    changes = data.dict(exclude_unset=True)
    feed = services.feed_update(
        feed=feed,
        actor=user_of(request),
        template=changes.get("template") or feed.template,
        mode=changes.get("mode") or feed.mode,
        visibility=changes.get("visibility") or feed.visibility,
        schedule_time=changes.get("schedule_time", feed.schedule_time),
    )
    return respond(feed_json(feed))


@router.delete("/{feed_id}", response=documented(dict), auth=WRITE, summary="Remove a feed")
def feeds_delete(request: HttpRequest, feed_id: str) -> HttpResponse:
    services.feed_delete(feed=_feed(request, feed_id), actor=user_of(request))
    return respond({})


@router.post(
    "/{feed_id}/check", response=documented(FeedOut), auth=WRITE, summary="Check a feed now"
)
def feeds_check(request: HttpRequest, feed_id: str) -> HttpResponse:
    feed = services.feed_check_now(feed=_feed(request, feed_id), actor=user_of(request))
    return respond(feed_json(feed))


@router.post("/{feed_id}/resume", response=documented(FeedOut), auth=WRITE, summary="Resume a feed")
def feeds_resume(request: HttpRequest, feed_id: str) -> HttpResponse:
    feed = services.feed_resume(feed=_feed(request, feed_id), actor=user_of(request))
    return respond(feed_json(feed))
