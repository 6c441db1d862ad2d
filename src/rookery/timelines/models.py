from __future__ import annotations

from django.conf import settings
from django.db import models


class TimelineEntry(models.Model):
    """One post delivered to one person's home timeline.

    ``post_id`` orders the timeline (ids grow with time), so pages are index range scans on
    (owner, post) with no OFFSET, and scroll-back has no cap.
    """

    # The unique (owner, post) index serves every owner lookup; a second index on owner alone
    # would only slow down fan-out, which writes these rows by the thousand.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    # The author of the delivered post (the reposter for reposts): unfollow removes by it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "post"], name="timeline_entry_unique"),
        ]
        indexes = [models.Index(fields=["owner", "author"])]

    def __str__(self) -> str:
        return f"{self.post_id} in {self.owner_id}'s home"


class FanoutJob(models.Model):
    """Delivery of one post to its author's followers, resumable from ``cursor``.

    A worker that dies mid-way leaves the job ``pending`` with the last follower id it
    finished; the next run carries on from there. Inserts ignore duplicates, so a batch
    replayed after a crash writes nothing twice.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        DONE = "done"

    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    cursor = models.BigIntegerField(default=0, help_text="Last follower id delivered.")
    delivered = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"fan-out of {self.post_id} ({self.state}, cursor {self.cursor})"


class Marker(models.Model):
    """Where a reader stopped reading (Mastodon's markers API); the catch-up starts here."""

    class Timeline(models.TextChoices):
        HOME = "home"
        NOTIFICATIONS = "notifications"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="markers"
    )
    timeline = models.CharField(max_length=20, choices=Timeline.choices)
    last_read_id = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "timeline"], name="marker_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.timeline} at {self.last_read_id}"
