"""Blog feeds and their promotions.

A ``Promotion`` row exists for every article Rookery has seen in a feed, promoted or not: the
row *is* the exactly-once record. Two unique constraints hold it, so no code path can promote
an article twice: (feed, entry_key) catches the same entry seen again, and (owner, link_hash)
catches the same article under a new key (a feed that starts adding GUIDs to old entries, or
the same blog added twice under two feed URLs).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rookery.posts.models import Visibility

DEFAULT_FEED_TEMPLATE = "{summary} {link} {hashtags}"


class FeedMode(models.TextChoices):
    DRAFT = "draft", "Draft for my review"
    PUBLISH = "publish", "Publish at once"
    SCHEDULE = "schedule", "Schedule"


class Feed(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feeds"
    )
    feed_url = models.URLField(max_length=2000)
    site_url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    template = models.CharField(max_length=1000, default=DEFAULT_FEED_TEMPLATE)
    mode = models.CharField(max_length=10, choices=FeedMode.choices, default=FeedMode.DRAFT)
    # Only for mode=schedule: a time of day in the owner's time zone; empty means "the next of
    # the owner's preferred posting slots".
    schedule_time = models.TimeField(null=True, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )

    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # Also the poll lease: a poller claims a due feed by moving this into the near future in
    # one conditional UPDATE, so a second poller no longer sees it as due.
    next_poll_at = models.DateTimeField(db_index=True)
    interval = models.PositiveIntegerField(help_text="Seconds between checks while healthy.")
    consecutive_failures = models.PositiveIntegerField(default=0)
    paused = models.BooleanField(default=False)
    # False until the first successful fetch has marked the back catalogue as seen.
    primed = models.BooleanField(default=False)
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(default=True)
    last_result = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "feed_url"], name="feed_owner_url_unique"),
        ]
        indexes = [models.Index(fields=["paused", "next_poll_at"])]

    def __str__(self) -> str:
        return self.title or self.feed_url


class PromotionState(models.TextChoices):
    SEEN = "seen", "Not promoted"
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    DISCARDED = "discarded", "Discarded"
    FAILED = "failed", "Failed"


# States in which the owner may still edit, publish, schedule or discard.
OPEN_STATES = (PromotionState.DRAFT, PromotionState.SCHEDULED, PromotionState.FAILED)


class Promotion(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="promotions")
    # Denormalised from feed.owner so that the per-owner constraint can be declared.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="promotions"
    )
    entry_key = models.CharField(max_length=520)
    link = models.URLField(max_length=2000, blank=True)
    # sha256 of parsing.normalise_url(link): long URLs can't be unique-indexed on PostgreSQL.
    link_hash = models.CharField(max_length=64, null=True, blank=True)
    title = models.CharField(max_length=500, blank=True)
    # Plain text from the feed, kept so a past article can be drafted without the feed.
    entry_text = models.TextField(blank=True)
    entry_published = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=PromotionState.choices)
    text = models.TextField(blank=True, help_text="The post as it will be published.")
    summary = models.TextField(blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True)
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "entry_key"], name="promotion_feed_entry_unique"
            ),
            models.UniqueConstraint(
                fields=["owner", "link_hash"],
                condition=models.Q(link_hash__isnull=False),
                name="promotion_owner_link_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "state", "-id"]),
            models.Index(fields=["state", "publish_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.feed_id}:{self.entry_key}"
