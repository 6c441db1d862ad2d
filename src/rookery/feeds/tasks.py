"""Background work for blog promotion. Tasks take ids and call polling or services."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from rookery.feeds import polling, services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def feeds_poll_due_task() -> None:
    polling.feeds_poll_due()


@db_task()
def feed_poll_task(feed_id: int) -> None:
    polling.feed_poll_claimed(feed_id)


@db_task(retries=3, retry_delay=30)
def promotion_publish_task(promotion_id: int) -> None:
    try:
        services.promotion_publish(promotion_id=promotion_id)
    except ValidationError as error:
        # Recorded on the promotion as "failed" with the reason; retrying can't fix the text.
        logger.info("promotion %s not published: %s", promotion_id, error)


@db_periodic_task(crontab(minute="*"))
def promotions_publish_due_task() -> None:
    for promotion_id in services.promotions_due():
        promotion_publish_task(promotion_id)
