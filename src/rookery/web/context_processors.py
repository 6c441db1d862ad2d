from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from rookery.notifications.selectors import unread_count
from rookery.social.selectors import pending_requests


def nav(request: HttpRequest) -> dict[str, Any]:
    """Badges for the navigation; lazy, so pages that never show the nav (fragments) pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "pending_follow_requests": SimpleLazyObject(
            lambda: pending_requests(user).count() if user.locked else 0
        ),
    }
