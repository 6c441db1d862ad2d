"""Reading feeds and promotions, always for their owner only."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from rookery.accounts.models import User
from rookery.feeds.models import OPEN_STATES, Feed, Promotion, PromotionState
from rookery.traction.models import ShortLink

HISTORY_LIMIT = 50
PAST_LIMIT = 30


def feeds_of(owner: User) -> QuerySet[Feed]:
    return Feed.objects.filter(owner=owner).order_by("created", "id")


def feed_of(owner: User, feed_id: int) -> Feed | None:
    """The feed if ``owner`` owns it; someone else's feed is as absent as a missing one."""
    return Feed.objects.filter(owner=owner, pk=feed_id).first()


def promotion_of(owner: User, promotion_id: int) -> Promotion | None:
    return (
        Promotion.objects.select_related("feed", "post")
        .filter(owner=owner, pk=promotion_id)
        .first()
    )


def promotions_open(owner: User) -> QuerySet[Promotion]:
    """Drafts, scheduled and failed promotions: what waits for the owner."""
    return (
        Promotion.objects.select_related("feed")
        .filter(owner=owner, state__in=OPEN_STATES)
        .order_by("-id")
    )


def promotions_past(owner: User, *, limit: int = PAST_LIMIT) -> QuerySet[Promotion]:
    """Articles not promoted (seen on the first poll, or discarded), newest first."""
    return (
        Promotion.objects.select_related("feed")
        .filter(owner=owner, state__in=[PromotionState.SEEN, PromotionState.DISCARDED])
        .order_by("-entry_published", "-id")[:limit]
    )


def promotions_published(owner: User, *, limit: int = HISTORY_LIMIT) -> QuerySet[Promotion]:
    """Published promotions with their post's clicks, likes and reposts, newest first.

    Clicks are the short links' rolled-up counts, so they lag the redirects by a minute.
    """
    clicks = (
        ShortLink.objects.filter(post_id=OuterRef("post_id"))
        .values("post_id")
        .annotate(total=Sum("clicks"))
        .values("total")
    )
    return (
        Promotion.objects.select_related("feed", "post")
        .filter(owner=owner, state=PromotionState.PUBLISHED)
        .annotate(
            clicks=Coalesce(Subquery(clicks, output_field=IntegerField()), Value(0)),
        )
        .order_by("-post__created_at", "-id")[:limit]
    )
