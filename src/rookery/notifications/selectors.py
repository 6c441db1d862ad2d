"""Reads of a user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from rookery.accounts.models import User
from rookery.notifications.models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first, hiding those about things they can't see now."""
    return (
        Notification.objects.filter(recipient=user)
        .exclude(actor__suspended_at__isnull=False)
        .select_related("actor", "post", "post__author", "post__link_card")
        .order_by("-id")
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
