"""Link preview cards: fetched once per URL through the safe outbound client."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from rookery.outbound.client import FetchError, OutboundPolicy, fetch
from rookery.outbound.linkmeta import extract_link_card
from rookery.posts.models import LinkCard

logger = logging.getLogger(__name__)


def outbound_policy() -> OutboundPolicy:
    return OutboundPolicy(
        timeout=settings.OUTBOUND_TIMEOUT,
        max_bytes=settings.OUTBOUND_MAX_BYTES,
        allow_private=settings.OUTBOUND_ALLOW_PRIVATE,
    )


def link_card_fetch(card_id: int) -> LinkCard | None:
    card = LinkCard.objects.filter(pk=card_id).first()
    if card is None or card.status == LinkCard.Status.OK:
        return card
    try:
        result = fetch(card.url, policy=outbound_policy(), accept="text/html")
        data = extract_link_card(result.content, result.url, result.charset)
    except FetchError as error:
        card.status = LinkCard.Status.FAILED
        card.error = str(error)[:300]
        logger.info("link card %s failed: %s", card.url, error)
    else:
        card.status = LinkCard.Status.OK
        card.title = (data.title or "")[:300]
        card.description = (data.description or "")[:1000]
        card.image_url = (data.image_url or "")[:2000]
        card.site_name = (data.site_name or "")[:200]
        card.domain = (data.domain or "")[:255]
        card.error = ""
    card.fetched_at = timezone.now()
    card.save()
    return card
