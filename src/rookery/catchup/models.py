from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

DEFAULT_BUDGET_MINUTES = 15
DEFAULT_EMAIL_TIME = dt.time(7, 30)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CatchupSettings(models.Model):
    """One reader's catch-up preferences and learnt model; created on first use.

    The time zone is the account's (User.timezone), so the email follows the reader when they
    move without a second setting to forget.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="catchup_settings",
    )
    budget_minutes = models.PositiveSmallIntegerField(
        default=DEFAULT_BUDGET_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    # Opt-in: nobody gets a daily email they did not ask for.
    email_enabled = models.BooleanField(default=False)
    email_time = models.TimeField(default=DEFAULT_EMAIL_TIME)
    muted_words = models.JSONField(default=list, blank=True)
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    # ReaderModel.to_bytes(): the reader's own weights; empty means "prior only".
    model_bytes = models.BinaryField(default=b"", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["email_enabled"])]

    def __str__(self) -> str:
        return f"catch-up settings of {self.user_id}"


class FeedbackLabel(models.TextChoices):
    MORE = "more", "More like this"
    LESS = "less", "Less like this"
    NOT_NOISE = "not_noise", "Not noise"
    NOISE = "noise", "Noise"


class CatchupFeedback(models.Model):
    """One click on a catch-up item; pooled over all readers to retrain the global prior."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="catchup_feedback"
    )
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=10, choices=FeedbackLabel.choices)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.label} {self.post_id}"


class DigestDelivery(models.Model):
    """The morning email of one reader for one local date: the row that makes it exactly-once.

    A sender inserts the row as ``claimed`` before sending (the unique constraint lets only
    one sender win) and marks it ``sent`` after. A row left ``claimed`` by a crashed worker is
    taken over only once it is older than the stale-claim timeout.
    """

    class State(models.TextChoices):
        CLAIMED = "claimed"
        SENT = "sent"
        EMPTY = "empty"  # nothing worth sending that day; nothing was sent

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    local_date = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.CLAIMED)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    items = models.PositiveIntegerField(default=0)
    # Newest post the digest covered: the next email starts after it even if the reader never
    # opened the page (and so never moved the home marker).
    last_post_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date"], name="digest_once_per_day"),
        ]
        indexes = [models.Index(fields=["local_date", "state"])]

    def __str__(self) -> str:
        return f"digest {self.user_id} {self.local_date} {self.state}"


class CatchupPrior(models.Model):
    """The instance-wide noise prior (GlobalPrior.to_bytes()), retrained nightly; newest wins."""

    data = models.BinaryField()
    examples = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField()

    class Meta:
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"catch-up prior {self.pk} ({self.examples} examples)"
