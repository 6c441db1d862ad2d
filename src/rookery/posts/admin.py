from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from rookery.moderation.admin import ReadOnlyAdmin
from rookery.moderation.admin_actions import reason_action
from rookery.moderation.services import post_remove
from rookery.posts.models import (
    Bookmark,
    Hashtag,
    Like,
    LinkCard,
    MediaAttachment,
    Post,
    PostRevision,
)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "author",
        "short_text",
        "visibility",
        "is_reblog",
        "is_question",
        "replies_count",
        "reblogs_count",
        "likes_count",
        "created_at",
    ]
    list_filter = ["visibility", "is_question", "created_at"]
    search_fields = ["text", "author__username"]
    list_select_related = ["author"]
    raw_id_fields = [
        "author",
        "in_reply_to",
        "in_reply_to_author",
        "thread_root",
        "reblog_of",
        "accepted_answer",
        "link_card",
        "hashtags",
        "mentions",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False  # COUNT(*) over all posts on every page load is slow
    actions = [
        reason_action(
            name="remove_posts",
            description="Remove selected posts",
            apply=lambda request, post, reason: post_remove(
                moderator=request.user, post=post, reason=reason
            ),
        )
    ]

    # Posts are written by their authors through the posts services (rendering, mentions,
    # counters); the admin looks and, through the action, removes with an audit entry.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="text")
    def short_text(self, post: Post) -> str:
        return post.text[:80]

    @admin.display(boolean=True, description="repost")
    def is_reblog(self, post: Post) -> bool:
        return post.reblog_of_id is not None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        return super().get_queryset(request).defer("html")


@admin.register(PostRevision)
class PostRevisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "post", "created_at"]
    search_fields = ["text"]
    raw_id_fields = ["post"]


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    list_filter = ["created_at"]


@admin.register(LinkCard)
class LinkCardAdmin(admin.ModelAdmin):
    list_display = ["url", "status", "domain", "title", "fetched_at"]
    list_filter = ["status", "fetched_at"]
    search_fields = ["url", "title", "domain"]


@admin.register(Like)
class LikeAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "post", "created_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "post"]


@admin.register(Bookmark)
class BookmarkAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "post", "created_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "post"]


@admin.register(MediaAttachment)
class MediaAttachmentAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "post", "description", "width", "height", "created_at"]
    search_fields = ["owner__username", "description"]
    list_filter = ["created_at"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "post"]
