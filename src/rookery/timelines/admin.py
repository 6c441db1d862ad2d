from __future__ import annotations

from django.contrib import admin

from rookery.moderation.admin import ReadOnlyAdmin
from rookery.timelines.models import FanoutJob, Marker, TimelineEntry


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "owner", "post", "author"]
    search_fields = ["owner__username", "author__username"]
    list_select_related = ["owner", "author"]
    raw_id_fields = ["owner", "post", "author"]
    show_full_result_count = False  # the biggest table: no COUNT(*) per page


@admin.register(FanoutJob)
class FanoutJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "post", "state", "cursor", "delivered", "created_at", "updated_at"]
    list_filter = ["state", "created_at"]
    raw_id_fields = ["post"]


@admin.register(Marker)
class MarkerAdmin(ReadOnlyAdmin):
    list_display = ["user", "timeline", "last_read_id", "version", "updated_at"]
    list_filter = ["timeline"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
