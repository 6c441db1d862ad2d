"""Reports and moderator actions. Every action a moderator takes is written to the audit log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from rookery.accounts.models import User
from rookery.moderation.models import AuditLogEntry, Report
from rookery.posts.models import Post
from rookery.posts.selectors import can_see
from rookery.posts.services import post_delete

MAX_REASON_CHARS = 1000


def _require_moderator(moderator: User) -> None:
    if not (
        moderator.is_authenticated
        and moderator.is_staff
        and moderator.is_active
        and not moderator.is_suspended
    ):
        raise PermissionDenied("Only moderators can do this.")


def _clean_reason(reason: str, *, field: str = "reason") -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError(
            {field: f"Keep it to {MAX_REASON_CHARS} characters; this is {len(reason)}."}
        )
    return reason


def report_create(
    *, reporter: User, account: User, post: Post | None = None, reason: str
) -> Report:
    """Report ``account`` (optionally one of its posts) to the moderators."""
    reason = _clean_reason(reason)
    if reporter.pk == account.pk:
        raise ValidationError({"account": "You can't report yourself."})
    if post is not None:
        if post.reblog_of_id is not None:
            post = post.reblog_of
        # One message for "not theirs" and "not yours to see", so a report can't be used to
        # probe for posts the reporter isn't allowed to read.
        if post is None or post.author_id != account.pk or not can_see(reporter, post):
            raise ValidationError({"post": "That post does not exist."})
    return Report.objects.create(
        reporter=reporter,
        account=account,
        post=post,
        post_text=post.text if post is not None else "",
        reason=reason,
    )


@transaction.atomic
def report_resolve(*, moderator: User, report: Report, note: str = "") -> Report:
    _require_moderator(moderator)
    note = _clean_reason(note, field="note")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status == Report.Status.RESOLVED:
        raise ValidationError("This report is already resolved.")
    report.status = Report.Status.RESOLVED
    report.resolved_at = timezone.now()
    report.resolved_by = moderator
    report.save(update_fields=["status", "resolved_at", "resolved_by"])
    AuditLogEntry.objects.create(
        moderator=moderator,
        action=AuditLogEntry.Action.RESOLVE_REPORT,
        target_user_id=report.account_id,
        target_post_id=report.post_id,
        details={"report_id": report.pk, "note": note},
    )
    return report


@transaction.atomic
def account_suspend(*, moderator: User, user: User, reason: str) -> User:
    """Suspend: the account can't log in, its tokens stop working and its posts disappear.

    Nothing is deleted, so ``account_unsuspend`` brings everything back except the tokens;
    apps simply ask the person to log in again.
    """
    _require_moderator(moderator)
    reason = _clean_reason(reason)
    if user.pk == moderator.pk:
        raise ValidationError("You can't suspend yourself.")
    if (user.is_staff or user.is_superuser) and not moderator.is_superuser:
        raise PermissionDenied("Only an administrator can suspend a moderator.")
    updated = User.objects.filter(pk=user.pk, suspended_at__isnull=True).update(
        suspended_at=timezone.now()
    )
    user.refresh_from_db(fields=["suspended_at"])
    if not updated:
        return user  # already suspended: nothing happened, so nothing to log
    # Bearer tokens are checked against the token table only, not the user's state.
    get_access_token_model().objects.filter(user=user).delete()
    get_refresh_token_model().objects.filter(user=user).delete()
    AuditLogEntry.objects.create(
        moderator=moderator,
        action=AuditLogEntry.Action.SUSPEND,
        target_user=user,
        details={"reason": reason},
    )
    return user


@transaction.atomic
def account_unsuspend(*, moderator: User, user: User, reason: str = "") -> User:
    _require_moderator(moderator)
    reason = _clean_reason(reason)
    updated = User.objects.filter(pk=user.pk, suspended_at__isnull=False).update(suspended_at=None)
    user.refresh_from_db(fields=["suspended_at"])
    if not updated:
        return user
    AuditLogEntry.objects.create(
        moderator=moderator,
        action=AuditLogEntry.Action.UNSUSPEND,
        target_user=user,
        details={"reason": reason},
    )
    return user


@transaction.atomic
def post_remove(*, moderator: User, post: Post, reason: str) -> None:
    """Delete someone's post as a moderator, keeping its text in the audit log."""
    _require_moderator(moderator)
    reason = _clean_reason(reason)
    AuditLogEntry.objects.create(
        moderator=moderator,
        action=AuditLogEntry.Action.REMOVE_POST,
        target_user_id=post.author_id,
        target_post_id=post.pk,
        details={"reason": reason, "text": post.text, "created_at": post.created_at.isoformat()},
    )
    post_delete(post=post, actor=moderator)
