"""Reads of accounts and invites."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from rookery.accounts.models import Invite, User


def user_by_username(username: str, *, viewer: User | None = None) -> User | None:
    """The account at ``/@username``, matched case-insensitively; suspended ones only for staff."""
    users = User.objects.filter(username__iexact=username, is_active=True)
    if viewer is None or not viewer.is_staff:
        users = users.filter(suspended_at__isnull=True)
    return users.first()


def invite_usable(code: str) -> Invite | None:
    now = timezone.now()
    return (
        Invite.objects.filter(code=code)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
        .select_related("created_by")
        .first()
    )


def invites_of(user: User) -> QuerySet[Invite]:
    return Invite.objects.filter(created_by=user).order_by("-id")
