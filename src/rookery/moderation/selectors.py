"""Reads for moderators: the report queue and the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from rookery.accounts.models import User
from rookery.moderation.models import AuditLogEntry, Report


def reports_open() -> QuerySet[Report]:
    """Open reports, oldest first: the queue is worked from the front."""
    return (
        Report.objects.filter(status=Report.Status.OPEN)
        .select_related("reporter", "account", "post")
        .order_by("created_at", "id")
    )


def reports_open_count() -> int:
    return Report.objects.filter(status=Report.Status.OPEN).count()


def reports_about(account: User) -> QuerySet[Report]:
    """Every report about ``account``, newest first, so a moderator sees the history."""
    return (
        Report.objects.filter(account=account)
        .select_related("reporter", "post", "resolved_by")
        .order_by("-created_at", "-id")
    )


def audit_log(*, target_user: User | None = None) -> QuerySet[AuditLogEntry]:
    entries = AuditLogEntry.objects.select_related("moderator", "target_user")
    if target_user is not None:
        entries = entries.filter(target_user=target_user)
    return entries.order_by("-created_at", "-id")
