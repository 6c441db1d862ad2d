"""Follows, follow requests, blocks and mutes. The only code that writes the social graph."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from rookery.accounts.models import User
from rookery.notifications.models import Notification, NotificationKind
from rookery.notifications.services import notify
from rookery.social.models import Block, Follow, FollowRequest, Mute
from rookery.social.selectors import is_blocked_either_way
from rookery.timelines.services import timeline_on_block, timeline_on_follow, timeline_on_unfollow


@dataclass(frozen=True)
class FollowOutcome:
    following: bool
    requested: bool


def _check_can_follow(follower: User, followee: User) -> None:
    if follower.pk == followee.pk:
        raise ValidationError("You can't follow yourself.")
    if followee.is_suspended or not followee.is_active:
        raise ValidationError("That account is not available.")
    if is_blocked_either_way(follower.pk, followee.pk):
        raise PermissionDenied("You can't follow this account.")


def follow_create(*, follower: User, followee: User, show_reposts: bool = True) -> FollowOutcome:
    """Follow ``followee``; a locked account gets a follow request instead."""
    _check_can_follow(follower, followee)
    if Follow.objects.filter(follower=follower, followee=followee).exists():
        Follow.objects.filter(follower=follower, followee=followee).update(
            show_reposts=show_reposts
        )
        return FollowOutcome(following=True, requested=False)
    if followee.locked:
        with transaction.atomic():
            _request, created = FollowRequest.objects.get_or_create(
                requester=follower, target=followee
            )
            if created:
                notify(
                    recipient_id=followee.pk, actor=follower, kind=NotificationKind.FOLLOW_REQUEST
                )
        return FollowOutcome(following=False, requested=True)
    _follow_insert(follower.pk, followee.pk, show_reposts=show_reposts)
    return FollowOutcome(following=True, requested=False)


def _follow_insert(follower_id: int, followee_id: int, *, show_reposts: bool = True) -> bool:
    try:
        with transaction.atomic():
            Follow.objects.create(
                follower_id=follower_id, followee_id=followee_id, show_reposts=show_reposts
            )
            User.objects.filter(pk=follower_id).update(following_count=F("following_count") + 1)
            User.objects.filter(pk=followee_id).update(followers_count=F("followers_count") + 1)
            FollowRequest.objects.filter(requester_id=follower_id, target_id=followee_id).delete()
            timeline_on_follow(follower_id=follower_id, followee_id=followee_id)
            follower = User.objects.get(pk=follower_id)
            notify(recipient_id=followee_id, actor=follower, kind=NotificationKind.FOLLOW)
    except IntegrityError:
        return False  # a concurrent request already made the same follow
    return True


@transaction.atomic
def follow_delete(*, follower: User, followee: User) -> None:
    """Unfollow, or withdraw a pending follow request."""
    FollowRequest.objects.filter(requester=follower, target=followee).delete()
    _follow_remove(follower.pk, followee.pk)


def _follow_remove(follower_id: int, followee_id: int) -> None:
    deleted, _ = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).delete()
    if deleted:
        User.objects.filter(pk=follower_id, following_count__gt=0).update(
            following_count=F("following_count") - 1
        )
        User.objects.filter(pk=followee_id, followers_count__gt=0).update(
            followers_count=F("followers_count") - 1
        )
        timeline_on_unfollow(follower_id=follower_id, followee_id=followee_id)


@transaction.atomic
def follow_request_approve(*, target: User, requester: User) -> None:
    request = FollowRequest.objects.filter(requester=requester, target=target).first()
    if request is None:
        raise ValidationError("There is no such follow request.")
    request.delete()
    Notification.objects.filter(
        recipient=target, actor=requester, kind=NotificationKind.FOLLOW_REQUEST
    ).delete()
    if not is_blocked_either_way(requester.pk, target.pk):
        _follow_insert(requester.pk, target.pk)


@transaction.atomic
def follow_request_reject(*, target: User, requester: User) -> None:
    deleted, _ = FollowRequest.objects.filter(requester=requester, target=target).delete()
    if not deleted:
        raise ValidationError("There is no such follow request.")
    Notification.objects.filter(
        recipient=target, actor=requester, kind=NotificationKind.FOLLOW_REQUEST
    ).delete()


@transaction.atomic
def follower_remove(*, user: User, follower: User) -> None:
    """Make ``follower`` stop following ``user`` (Mastodon's "remove from followers")."""
    _follow_remove(follower.pk, user.pk)


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> None:
    """Block: both follows and pending requests go, and neither sees the other from now on."""
    if blocker.pk == blocked.pk:
        raise ValidationError("You can't block yourself.")
    Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    _follow_remove(blocker.pk, blocked.pk)
    _follow_remove(blocked.pk, blocker.pk)
    FollowRequest.objects.filter(requester=blocker, target=blocked).delete()
    FollowRequest.objects.filter(requester=blocked, target=blocker).delete()
    Notification.objects.filter(recipient=blocker, actor=blocked).delete()
    timeline_on_block(blocker_id=blocker.pk, blocked_id=blocked.pk)


def block_delete(*, blocker: User, blocked: User) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


def mute_create(
    *,
    muter: User,
    muted: User,
    hide_notifications: bool = True,
    expires_at: datetime | None = None,
) -> Mute:
    if muter.pk == muted.pk:
        raise ValidationError("You can't mute yourself.")
    mute, _ = Mute.objects.update_or_create(
        muter=muter,
        muted=muted,
        defaults={"hide_notifications": hide_notifications, "expires_at": expires_at},
    )
    return mute


def mute_delete(*, muter: User, muted: User) -> None:
    Mute.objects.filter(muter=muter, muted=muted).delete()


# --- Import and export in Mastodon's following_accounts.csv format -------------------------

EXPORT_HEADER = ["Account address", "Show boosts", "Notify on new posts", "Languages"]


def follows_export_csv(*, user: User, domain: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    follows = Follow.objects.filter(follower=user).select_related("followee").order_by("id")
    for follow in follows:
        writer.writerow(
            [f"{follow.followee.username}@{domain}", str(follow.show_reposts).lower(), "false", ""]
        )
    return out.getvalue()


@dataclass
class ImportReport:
    followed: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line 3: no account named bob"


MAX_IMPORT_ROWS = 10_000


def follows_import_csv(*, user: User, content: str, domain: str) -> ImportReport:
    """Follow everyone listed; accepts Mastodon's export (with header) or bare addresses.

    Rows that name unknown or remote accounts are reported with their line number, and the
    rest are still imported: one bad line shouldn't cost someone their whole network.
    """
    report = ImportReport()
    rows = list(csv.reader(io.StringIO(content)))
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ValidationError(f"At most {MAX_IMPORT_ROWS} accounts can be imported at once.")
    for line_no, row in enumerate(rows, start=1):
        if not row or not row[0].strip():
            continue
        address = row[0].strip().lstrip("@")
        if line_no == 1 and address.lower() == "account address":
            continue
        username, _, host = address.partition("@")
        if host and host.lower() != domain.lower():
            report.errors.append(f"line {line_no}: {address} is on another server")
            continue
        show_reposts = not (len(row) > 1 and row[1].strip().lower() == "false")
        followee = User.objects.active().filter(username__iexact=username).first()
        if followee is None:
            report.errors.append(f"line {line_no}: no account named {username}")
            continue
        if Follow.objects.filter(follower=user, followee=followee).exists():
            report.already.append(followee.username)
            continue
        try:
            outcome = follow_create(follower=user, followee=followee, show_reposts=show_reposts)
        except (ValidationError, PermissionDenied) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            report.errors.append(f"line {line_no}: {followee.username}: {message}")
            continue
        (report.followed if outcome.following else report.requested).append(followee.username)
    return report
