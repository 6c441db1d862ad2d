"""Periodic catch-up work. Tasks take ids and call services."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from rookery.catchup import delivery, services


@db_periodic_task(crontab(minute="*/15"))
def digest_emails_due_task() -> None:
    # One task per reader: with several workers the morning run spreads over all of them,
    # and the (user, local date) claim keeps a retried or duplicated task from sending twice.
    for user_id in delivery.digest_due_user_ids(now=timezone.now()):
        digest_send_task(user_id)


@db_task(retries=2, retry_delay=60)
def digest_send_task(user_id: int) -> None:
    delivery.digest_send(user_id=user_id)


@db_periodic_task(crontab(minute="40", hour="2"))
def catchup_prior_retrain_task() -> None:
    services.catchup_prior_retrain()
