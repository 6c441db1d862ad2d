from django.contrib import admin

from rookery.feeds.models import Feed, Promotion


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["feed_url", "owner", "mode", "paused", "last_ok", "last_result", "next_poll_at"]
    list_filter = ["paused", "last_ok", "mode"]
    search_fields = ["feed_url", "title", "owner__username"]
    raw_id_fields = ["owner"]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "state", "publish_at", "post", "created"]
    list_filter = ["state"]
    search_fields = ["title", "link", "owner__username"]
    raw_id_fields = ["owner", "feed", "post"]
