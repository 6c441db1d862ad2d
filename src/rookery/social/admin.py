from __future__ import annotations

from django.contrib import admin

from rookery.moderation.admin import ReadOnlyAdmin
from rookery.social.models import Block, Follow, FollowRequest, Mute

# All read-only: a follow written here would skip the counters, timeline backfill and
# notifications that social.services keeps consistent; people change their own graph.


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["id", "follower", "followee", "show_reposts", "created_at"]
    search_fields = ["follower__username", "followee__username"]
    list_filter = ["show_reposts", "created_at"]
    list_select_related = ["follower", "followee"]
    raw_id_fields = ["follower", "followee"]


@admin.register(FollowRequest)
class FollowRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "requester", "target", "created_at"]
    search_fields = ["requester__username", "target__username"]
    list_filter = ["created_at"]
    list_select_related = ["requester", "target"]
    raw_id_fields = ["requester", "target"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["id", "blocker", "blocked", "created_at"]
    search_fields = ["blocker__username", "blocked__username"]
    list_filter = ["created_at"]
    list_select_related = ["blocker", "blocked"]
    raw_id_fields = ["blocker", "blocked"]


@admin.register(Mute)
class MuteAdmin(ReadOnlyAdmin):
    list_display = ["id", "muter", "muted", "hide_notifications", "expires_at", "created_at"]
    search_fields = ["muter__username", "muted__username"]
    list_filter = ["hide_notifications", "created_at"]
    list_select_related = ["muter", "muted"]
    raw_id_fields = ["muter", "muted"]
