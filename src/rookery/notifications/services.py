"""Creating notifications and changing their read state."""

from __future__ import annotations

from django.utils import timezone

from rookery.accounts.models import User
from rookery.notifications.models import Notification, NotificationKind
from rookery.posts.models import Post
from rookery.social.selectors import is_blocked_either_way, muted_user_ids

# Reactions that mean the same thing when repeated: un-like then like again notifies once.
_ONCE_PER_POST = {
    NotificationKind.FAVOURITE,
    NotificationKind.REBLOG,
    NotificationKind.ACCEPTED_ANSWER,
}


def notify(
    *,
    recipient_id: int,
    actor: User | None,
    kind: str,
    post: Post | None = None,
    message: str = "",
) -> Notification | None:
    """Tell ``recipient_id`` about something ``actor`` did, unless they'd rather not hear it."""
    if actor is not None:
        if actor.pk == recipient_id or is_blocked_either_way(actor.pk, recipient_id):
            return None
        if actor.pk in muted_user_ids(recipient_id, notifications=True):
            return None
        if kind in _ONCE_PER_POST or kind == NotificationKind.FOLLOW:
            existing = Notification.objects.filter(
                recipient_id=recipient_id, actor=actor, kind=kind, post=post
            ).first()
            if existing is not None:
                return existing
    return Notification.objects.create(
        recipient_id=recipient_id, actor=actor, kind=kind, post=post, message=message[:300]
    )


def notifications_mark_read(*, user: User, up_to_id: int | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if up_to_id is not None:
        unread = unread.filter(pk__lte=up_to_id)
    return unread.update(read_at=timezone.now())


def notification_dismiss(*, user: User, notification_id: int) -> bool:
    deleted, _ = Notification.objects.filter(recipient=user, pk=notification_id).delete()
    return bool(deleted)


def notifications_clear(*, user: User) -> int:
    deleted, _ = Notification.objects.filter(recipient=user).delete()
    return deleted
