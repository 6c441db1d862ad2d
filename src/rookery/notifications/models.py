from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    FOLLOW = "follow"
    FOLLOW_REQUEST = "follow_request"
    MENTION = "mention"
    REPLY = "reply"
    REBLOG = "reblog"
    FAVOURITE = "favourite"
    ACCEPTED_ANSWER = "accepted_answer"
    UPDATE = "update"
    SYSTEM = "system"  # messages from Rookery itself, e.g. "your blog feed was paused"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(max_length=300, blank=True, help_text="For system notices.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"]),
            models.Index(fields=["recipient", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
