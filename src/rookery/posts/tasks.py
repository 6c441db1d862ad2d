"""Background work for posts."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from rookery.posts import cards


@db_task(retries=2, retry_delay=30)
def link_card_fetch(card_id: int) -> None:
    cards.link_card_fetch(card_id)
