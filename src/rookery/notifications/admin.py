from __future__ import annotations

from django.contrib import admin

from rookery.moderation.admin import ReadOnlyAdmin
from rookery.notifications.models import Notification


class ReadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "read"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("yes", "Read"), ("no", "Unread")]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "recipient", "kind", "actor", "post", "created_at", "read_at"]
    list_filter = ["kind", ReadFilter, "created_at"]
    search_fields = ["recipient__username", "actor__username", "message"]
    list_select_related = ["recipient", "actor"]
    raw_id_fields = ["recipient", "actor", "post"]
