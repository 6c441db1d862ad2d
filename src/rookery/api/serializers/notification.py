"""Mastodon's Notification entity.

Rookery's reply notifications are ``mention`` to Mastodon clients (that is what Mastodon sends
for replies); ``accepted_answer`` keeps its own type, which Mastodon clients skip as unknown.
System notices have no account, which Mastodon requires, so they stay in the web UI.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema

from rookery.api.serializers import Context, iso
from rookery.api.serializers.account import AccountOut, serialize_account
from rookery.api.serializers.status import StatusOut, serialize_statuses
from rookery.notifications.models import Notification, NotificationKind

TO_MASTODON = {
    NotificationKind.FOLLOW: "follow",
    NotificationKind.FOLLOW_REQUEST: "follow_request",
    NotificationKind.MENTION: "mention",
    NotificationKind.REPLY: "mention",
    NotificationKind.REBLOG: "reblog",
    NotificationKind.FAVOURITE: "favourite",
    NotificationKind.UPDATE: "update",
    NotificationKind.ACCEPTED_ANSWER: "accepted_answer",
}


def kinds_for(types: list[str]) -> set[str]:
    """Rookery kinds behind Mastodon type names (``mention`` covers replies too)."""
    return {kind for kind, name in TO_MASTODON.items() if name in types}


class NotificationOut(Schema):
    id: str
    type: str
    group_key: str
    created_at: str
    account: AccountOut
    status: StatusOut | None = None


def serialize_notifications(items: list[Notification], ctx: Context) -> list[dict[str, Any]]:
    posts = [n.post for n in items if n.post is not None]
    statuses = {int(s["id"]): s for s in serialize_statuses(posts, ctx)} if posts else {}
    result = []
    for item in items:
        if item.actor is None:
            continue
        data = {
            "id": str(item.pk),
            "type": TO_MASTODON.get(item.kind, item.kind),
            "group_key": f"ungrouped-{item.pk}",
            "created_at": iso(item.created_at),
            "account": serialize_account(item.actor, ctx),
            "status": statuses.get(item.post_id) if item.post_id else None,
        }
        result.append(data)
    return result
