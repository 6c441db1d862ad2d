from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rookery.accounts.models import Invite, User
from rookery.moderation.admin_actions import reason_action
from rookery.moderation.services import account_suspend, account_unsuspend


class SuspendedFilter(admin.SimpleListFilter):
    title = "suspended"
    parameter_name = "suspended"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Suspended"), ("no", "Not suspended")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "yes":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suspended_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "display_name",
        "email",
        "is_staff",
        "suspended_at",
        "followers_count",
        "posts_count",
        "date_joined",
    ]
    list_filter = [SuspendedFilter, "is_staff", "is_superuser", "is_active", "locked"]
    search_fields = ["username", "display_name", "email", "headline"]
    ordering = ["-date_joined"]
    raw_id_fields = ["topics"]
    # Suspension is a moderator action with a reason and an audit entry (see the actions), and
    # the counters belong to the services; neither is typed into a form.
    readonly_fields = [
        "suspended_at",
        "followers_count",
        "following_count",
        "posts_count",
        "last_login",
        "date_joined",
        "profile_changed_at",
    ]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (
            "Profile",
            {
                "fields": [
                    "display_name",
                    "headline",
                    "bio",
                    "website",
                    "avatar",
                    "topics",
                    "timezone",
                ]
            },
        ),
        ("Privacy", {"fields": ["locked", "hide_follows", "discoverable"]}),
        (
            "Moderation and counters",
            {
                "fields": [
                    "suspended_at",
                    "followers_count",
                    "following_count",
                    "posts_count",
                    "profile_changed_at",
                ]
            },
        ),
    ]
    actions = [
        reason_action(
            name="suspend_accounts",
            description="Suspend selected accounts",
            apply=lambda request, user, reason: account_suspend(
                moderator=request.user, user=user, reason=reason
            ),
        ),
        reason_action(
            name="unsuspend_accounts",
            description="Unsuspend selected accounts",
            required=False,
            apply=lambda request, user, reason: account_unsuspend(
                moderator=request.user, user=user, reason=reason
            ),
        ),
    ]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # An admin edit changes what posts show of this person: new versions for their cards.
        obj.profile_changed_at = timezone.now()
        super().save_model(request, obj, form, change)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Deleting accounts in bulk skips every counter and leaves no trace; suspend instead.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["code", "created_by", "uses", "max_uses", "expires_at", "created_at"]
    search_fields = ["code", "created_by__username"]
    list_filter = ["created_at", "expires_at"]
    list_select_related = ["created_by"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["uses"]
