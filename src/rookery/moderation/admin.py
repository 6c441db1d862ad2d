from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rookery.moderation.admin_actions import reason_action
from rookery.moderation.models import AuditLogEntry, Report
from rookery.moderation.services import report_resolve


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the admin may look at but never write: the services own every change."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "account", "reporter", "status", "short_reason", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["account__username", "reporter__username", "reason", "post_text"]
    list_select_related = ["account", "reporter"]
    raw_id_fields = ["reporter", "account", "post", "resolved_by"]
    date_hierarchy = "created_at"
    actions = [
        reason_action(
            name="resolve_reports",
            description="Resolve selected reports",
            label="Note",
            required=False,
            apply=lambda request, report, note: report_resolve(
                moderator=request.user, report=report, note=note
            ),
        )
    ]

    # Resolving goes through the action so it is audited; the form only shows the report.
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Report._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="reason")
    def short_reason(self, report: Report) -> str:
        return report.reason[:80]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "moderator", "target_user", "target_post_id"]
    list_filter = ["action", "created_at"]
    search_fields = ["moderator__username", "target_user__username", "=target_post_id"]
    list_select_related = ["moderator", "target_user"]
    raw_id_fields = ["moderator", "target_user"]
    date_hierarchy = "created_at"
