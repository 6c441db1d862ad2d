"""Traction analytics: short links, raw events and the count tables rolled up from them.

Raw events carry plain integer ids rather than foreign keys: they are an append-only log written
in batches, and a deleted post should neither cascade into millions of rows nor fail an insert.
Pages read only the count tables; raw events are kept for the retention period, then pruned.
"""

from __future__ import annotations

from django.db import models


class EventKind(models.IntegerChoices):
    IMPRESSION = 1, "impression"
    CLICK = 2, "link click"
    PROFILE_VISIT = 3, "profile visit"


class Surface(models.IntegerChoices):
    TIMELINE = 1, "timeline"
    THREAD = 2, "thread"
    PROFILE = 3, "profile"
    API = 4, "api"
    LINK = 5, "link"


class ShortLink(models.Model):
    """``/l/<code>``: a link in a post, redirected through the instance so clicks are counted."""

    code = models.CharField(max_length=16, unique=True)
    url = models.URLField(max_length=2000)
    # sha256 of the URL: long URLs can't be indexed directly on PostgreSQL (btree row limit),
    # and "quotes" (other posts sharing the same URL) are found through it.
    url_hash = models.CharField(max_length=64, db_index=True)
    # Links outlive a deleted post: readers who copied one still reach the article.
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="short_links"
    )
    clicks = models.PositiveBigIntegerField(default=0, help_text="Rolled up from click events.")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"/l/{self.code} → {self.url}"


class Event(models.Model):
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    # The person whose post or profile this is about.
    owner_id = models.BigIntegerField()
    post_id = models.BigIntegerField(default=0, help_text="0 for profile visits.")
    link_id = models.BigIntegerField(default=0, help_text="0 unless a click.")
    # A user id (> 0), or a negative 62-bit hash of an anonymous visitor's key. Never shown.
    viewer = models.BigIntegerField()
    surface = models.PositiveSmallIntegerField(choices=Surface.choices)
    hour = models.DateTimeField(help_text="UTC hour the event happened in.")
    day = models.DateField(help_text="UTC day, the unit of de-duplication.")

    class Meta:
        constraints = [
            # "Once per viewer per post (per link) per day", enforced by the database so that
            # every web process can buffer on its own and insert with ignore_conflicts.
            models.UniqueConstraint(
                fields=["post_id", "viewer", "day", "kind", "link_id", "owner_id"],
                name="traction_event_once_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.post_id or self.owner_id} on {self.day}"


class HourlyCount(models.Model):
    post_id = models.BigIntegerField()
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    hour = models.DateTimeField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post_id", "kind", "hour"], name="traction_hourly_key")
        ]

    def __str__(self) -> str:
        return f"{self.post_id}/{self.kind}@{self.hour:%Y-%m-%d %H}h: {self.n}"


class DailyCount(models.Model):
    post_id = models.BigIntegerField()
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    day = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post_id", "kind", "day"], name="traction_daily_key")
        ]

    def __str__(self) -> str:
        return f"{self.post_id}/{self.kind}@{self.day}: {self.n}"


class AuthorDailyCount(models.Model):
    author_id = models.BigIntegerField()
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    day = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author_id", "kind", "day"], name="traction_author_daily_key"
            )
        ]

    def __str__(self) -> str:
        return f"author {self.author_id}/{self.kind}@{self.day}: {self.n}"


class PostTotal(models.Model):
    """All-time count per post and kind, so insights over 2,000 posts read 2,000-odd rows."""

    post_id = models.BigIntegerField()
    author_id = models.BigIntegerField()
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post_id", "kind"], name="traction_post_total_key")
        ]
        indexes = [models.Index(fields=["author_id", "post_id"])]

    def __str__(self) -> str:
        return f"{self.post_id}/{self.kind}: {self.n}"


class RollupCheckpoint(models.Model):
    """How far the roll-up has read the event log; advanced in the same transaction as counts."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    # PostgreSQL hands out ids before commit, so a later id can commit first. The roll-up only
    # reads up to the highest id it saw on an earlier run, once that is old enough that every
    # insert holding a smaller id has finished (see services.rollup_run).
    horizon_id = models.BigIntegerField(default=0)
    horizon_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_event_id}"
