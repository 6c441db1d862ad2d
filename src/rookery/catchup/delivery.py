"""The morning email: who is due, exactly-once sending, signed one-click unsubscribe.

Exactly once per reader and local date: a sender first inserts the (user, local_date) row in
its own transaction (the unique constraint lets one sender win, however many workers or huey
retries race), then renders and sends, then marks the row sent. A worker that dies between
claim and "sent" leaves the row ``claimed``; a later run takes it over only once the claim is
older than STALE_CLAIM, so a slow sender is not doubled by an impatient one. The remaining
window (mail handed to the server, then a crash before "sent" is written) can repeat one email
after STALE_CLAIM; no SMTP transport lets us close it.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rookery.accounts.models import User
from rookery.catchup import selectors
from rookery.catchup.models import CatchupSettings, DigestDelivery
from rookery.catchup.today import Today, catchup_today

logger = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=30)
_UNSUBSCRIBE_SALT = "rookery.catchup.unsubscribe"


def local_now(user_tz: str, now: datetime) -> datetime:
    try:
        zone = zoneinfo.ZoneInfo(user_tz or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(zone)


def digest_due_user_ids(*, now: datetime) -> list[int]:
    """Readers whose chosen local time has passed today and who have no email for today."""
    rows = (
        CatchupSettings.objects.filter(email_enabled=True, user__is_active=True)
        .filter(user__suspended_at__isnull=True)
        .exclude(user__email="")
        .values_list("user_id", "email_time", "user__timezone")
    )
    due: dict[int, date] = {}
    for user_id, email_time, tz in rows.iterator(chunk_size=2000):
        local = local_now(tz, now)
        if local.time() >= email_time:
            due[user_id] = local.date()
    if not due:
        return []
    utc_day = now.date()
    done = DigestDelivery.objects.filter(
        local_date__gte=utc_day - timedelta(days=1), local_date__lte=utc_day + timedelta(days=1)
    ).exclude(state=DigestDelivery.State.CLAIMED, claimed_at__lt=now - STALE_CLAIM)
    taken = set(done.values_list("user_id", "local_date").iterator(chunk_size=5000))
    return sorted(uid for uid, day in due.items() if (uid, day) not in taken)


def digest_claim(*, user_id: int, local_date: date, now: datetime) -> DigestDelivery | None:
    """Take the (reader, day) row, or None if another sender has or had it."""
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(
                user_id=user_id, local_date=local_date, claimed_at=now
            )
    except IntegrityError:
        pass
    # Someone claimed it: take over only a claim abandoned long enough ago. The conditional
    # UPDATE is the lock: of two workers racing for a stale row only one matches.
    taken = DigestDelivery.objects.filter(
        user_id=user_id,
        local_date=local_date,
        state=DigestDelivery.State.CLAIMED,
        claimed_at__lt=now - STALE_CLAIM,
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if not taken:
        return None
    return DigestDelivery.objects.get(user_id=user_id, local_date=local_date)


def unsubscribe_token(user_id: int) -> str:
    # No expiry: the link in a month-old email must still work.
    return signing.dumps({"u": user_id}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user_id(token: str) -> int:
    """The reader a token was made for; raises signing.BadSignature when tampered with."""
    data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("malformed unsubscribe token")
    return data["u"]


def digest_unsubscribe(*, user_id: int) -> bool:
    """Stop the morning email; True if it was on."""
    return bool(
        CatchupSettings.objects.filter(user_id=user_id, email_enabled=True).update(
            email_enabled=False, updated_at=timezone.now()
        )
    )


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def digest_message(user: User, today: Today, *, now: datetime) -> EmailMultiAlternatives:
    unsubscribe_url = _absolute(reverse("catchup:unsubscribe", args=[unsubscribe_token(user.pk)]))
    shown = today.shown_count
    subject = f"Your catch-up: {shown} post{'s' if shown != 1 else ''}"
    if today.notifications:
        subject += f", {len(today.notifications)} new followers and mentions"
    context = {
        "user": user,
        "today": today,
        "site_url": settings.SITE_URL,
        "instance_name": settings.INSTANCE_NAME,
        "today_url": _absolute(reverse("catchup:today")),
        "unsubscribe_url": unsubscribe_url,
        "date": local_now(user.timezone, now).date(),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("catchup/email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            # RFC 2369 + RFC 8058: mail clients show an "Unsubscribe" button that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("catchup/email.html", context), "text/html")
    return message


def digest_send(
    *, user_id: int, now: datetime | None = None, connection: BaseEmailBackend | None = None
) -> str:
    """Send one reader's morning email if due and not yet sent; returns what happened."""
    now = now or timezone.now()
    user = User.objects.filter(pk=user_id, is_active=True, suspended_at__isnull=True).first()
    prefs = CatchupSettings.objects.filter(user_id=user_id, email_enabled=True).first()
    if user is None or prefs is None or not user.email:
        return "off"
    local = local_now(user.timezone, now)
    if local.time() < prefs.email_time:
        return "not-yet"
    delivery = digest_claim(user_id=user_id, local_date=local.date(), now=now)
    if delivery is None:
        return "taken"
    since_id = selectors.digest_start_id(user_id)
    today = catchup_today(user, now=now, since_id=since_id, prefs=prefs)
    if not today.worth_sending:
        DigestDelivery.objects.filter(pk=delivery.pk).update(
            state=DigestDelivery.State.EMPTY, last_post_id=today.newest_post_id
        )
        return "empty"
    message = digest_message(user, today, now=now)
    message.connection = connection
    try:
        message.send(fail_silently=False)
    except Exception:
        # The mail server refused it: release the claim so a task retry can try again now
        # rather than after STALE_CLAIM. (A dead process releases nothing; see above.)
        DigestDelivery.objects.filter(
            pk=delivery.pk, state=DigestDelivery.State.CLAIMED, claimed_at=delivery.claimed_at
        ).delete()
        raise
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        state=DigestDelivery.State.SENT,
        sent_at=timezone.now(),
        items=today.shown_count,
        last_post_id=today.newest_post_id,
    )
    return "sent"


def digest_run(*, now: datetime | None = None) -> dict[str, int]:
    """Everyone due, one after another on this worker over one mail connection."""
    now = now or timezone.now()
    outcomes: dict[str, int] = {}
    connection = get_connection()
    with connection:
        for user_id in digest_due_user_ids(now=now):
            try:
                outcome = digest_send(user_id=user_id, now=now, connection=connection)
            except Exception:
                # One reader's failure (bad address, template bug) must not stop the rest;
                # their claim goes stale and a later run retries it.
                logger.exception("catch-up email for user %s failed", user_id)
                outcome = "failed"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
