"""Writes of the catch-up: preferences, feedback (which updates the reader's model at once),
the marker, the feed token and the nightly prior. Email delivery lives in delivery.py."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rookery.accounts.models import User
from rookery.algorithms.catchup import LABELS, Candidate, train_prior
from rookery.algorithms.catchup.seed import SEED_NOISE, SEED_SIGNAL
from rookery.catchup import selectors
from rookery.catchup.models import (
    CatchupFeedback,
    CatchupPrior,
    CatchupSettings,
    new_feed_token,
)
from rookery.notifications.models import Notification
from rookery.posts.models import Post
from rookery.timelines.models import Marker
from rookery.timelines.services import marker_set

logger = logging.getLogger(__name__)

MAX_MUTED_WORDS = 200
MAX_MUTED_WORD_LENGTH = 100
# Below this many pooled signal/noise clicks the hand-written seed prior is as good a guess.
MIN_PRIOR_EXAMPLES = 20
# Newest feedback first; bounds the nightly fit's memory on a very busy instance.
MAX_PRIOR_EXAMPLES = 200_000


def catchup_settings_ensure(*, user: User) -> CatchupSettings:
    prefs, _ = CatchupSettings.objects.get_or_create(user=user)
    return prefs


def _clean_muted_words(words: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(w.strip().lower() for w in words if w.strip()))
    if len(cleaned) > MAX_MUTED_WORDS:
        raise ValidationError({"muted_words": f"At most {MAX_MUTED_WORDS} muted words."})
    too_long = [w for w in cleaned if len(w) > MAX_MUTED_WORD_LENGTH]
    if too_long:
        raise ValidationError(
            {"muted_words": f"Muted words are at most {MAX_MUTED_WORD_LENGTH} characters."}
        )
    return cleaned


@transaction.atomic
def catchup_settings_update(
    *,
    user: User,
    budget_minutes: int,
    email_enabled: bool,
    email_time: dt.time,
    muted_words: list[str],
) -> CatchupSettings:
    if not 1 <= budget_minutes <= 240:
        raise ValidationError({"budget_minutes": "Choose between 1 and 240 minutes."})
    if email_enabled and not user.email:
        raise ValidationError({"email_enabled": "Add an email address to your account first."})
    prefs = catchup_settings_ensure(user=user)
    prefs = CatchupSettings.objects.select_for_update().get(pk=prefs.pk)
    prefs.budget_minutes = budget_minutes
    prefs.email_enabled = email_enabled
    prefs.email_time = email_time.replace(second=0, microsecond=0)
    prefs.muted_words = _clean_muted_words(muted_words)
    prefs.save()
    return prefs


@transaction.atomic
def catchup_topic_mute(*, user: User, topic: str) -> CatchupSettings:
    """ "Mute this topic": a muted word, so it filters absolutely rather than as a learnt tilt."""
    topic = topic.strip().lstrip("#").lower()
    if not topic:
        raise ValidationError({"topic": "Which topic?"})
    prefs = catchup_settings_ensure(user=user)
    prefs = CatchupSettings.objects.select_for_update().get(pk=prefs.pk)
    prefs.muted_words = _clean_muted_words([*prefs.muted_words, topic])
    prefs.save(update_fields=["muted_words", "updated_at"])
    return prefs


def catchup_feedback(
    *, user: User, post_id: int, label: str, now: dt.datetime | None = None
) -> Candidate:
    """Teach the reader's model one click and keep the click for the nightly prior.

    The settings row is locked while the model is read, updated and written back, so two
    quick clicks in two tabs both count instead of one overwriting the other.
    """
    if label not in LABELS:
        raise ValidationError({"label": f"Unknown feedback {label!r}."})
    candidate = selectors.candidate_for_post(user, post_id)
    if candidate is None:
        raise PermissionDenied("You cannot see that post.")
    now = now or timezone.now()
    prior = selectors.current_prior()
    with transaction.atomic():
        prefs = catchup_settings_ensure(user=user)
        prefs = CatchupSettings.objects.select_for_update().get(pk=prefs.pk)
        model = selectors.reader_model_for(prefs, prior)
        model.learn(candidate, label)  # type: ignore[arg-type]
        prefs.model_bytes = model.to_bytes()
        prefs.save(update_fields=["model_bytes", "updated_at"])
        CatchupFeedback.objects.create(user=user, post_id=post_id, label=label, created_at=now)
    return candidate


@transaction.atomic
def catchup_model_reset(*, user: User) -> CatchupSettings:
    """Forget what the reader taught; the instance prior and their topics still rank."""
    prefs = catchup_settings_ensure(user=user)
    CatchupSettings.objects.filter(pk=prefs.pk).update(model_bytes=b"", updated_at=timezone.now())
    prefs.refresh_from_db()
    return prefs


@transaction.atomic
def catchup_mark_caught_up(
    *, user: User, last_read_id: int, notifications_read_id: int | None = None
) -> Marker:
    """Move the home marker (and the notifications one) up to what the page showed.

    The ids come from the page, not "the newest now": a post that arrived while the reader was
    reading must still show tomorrow. A marker never moves backwards (a stale tab).
    """
    newest = Post.objects.aggregate(m=Max("id"))["m"] or 0
    if last_read_id < 0 or last_read_id > newest:
        raise ValidationError({"last_read_id": "That is not a post id."})
    current = selectors.marker_id(user.pk)
    marker = marker_set(
        user_id=user.pk, timeline=Marker.Timeline.HOME, last_read_id=max(current, last_read_id)
    )
    if notifications_read_id:
        newest_note = Notification.objects.filter(recipient=user).aggregate(m=Max("id"))["m"] or 0
        upto = min(notifications_read_id, newest_note)
        current_note = selectors.marker_id(user.pk, Marker.Timeline.NOTIFICATIONS)
        if upto > current_note:
            marker_set(user_id=user.pk, timeline=Marker.Timeline.NOTIFICATIONS, last_read_id=upto)
    return marker


@transaction.atomic
def catchup_feed_token_rotate(*, user: User) -> CatchupSettings:
    """A new private feed URL; the old one stops working at once."""
    prefs = catchup_settings_ensure(user=user)
    prefs.feed_token = new_feed_token()
    prefs.save(update_fields=["feed_token", "updated_at"])
    return prefs


def catchup_prior_retrain(*, now: dt.datetime | None = None) -> CatchupPrior | None:
    """Refit the instance prior from every reader's noise feedback, plus the seed examples.

    The seed stays in so a small instance's first few clicks refine the cold-start prior
    instead of replacing it. Returns None (and keeps the current prior) when there is too
    little feedback to learn from.
    """
    now = now or timezone.now()
    rows = list(
        CatchupFeedback.objects.exclude(label="less")
        .order_by("-id")
        .values_list("post_id", "label", "user_id")[:MAX_PRIOR_EXAMPLES]
    )
    labels = {label for _, label, _ in rows}
    if len(rows) < MIN_PRIOR_EXAMPLES or "noise" not in labels or labels == {"noise"}:
        return None
    posts = Post.objects.filter(pk__in={pid for pid, _, _ in rows}).in_bulk()
    examples: list = [(t, False) for t in SEED_NOISE] + [(t, True) for t in SEED_SIGNAL]
    # The latest click per (reader, post) wins: a reader who changed their mind counts once.
    latest: dict[tuple[int, int], str] = {}
    for post_id, label, user_id in rows:
        latest.setdefault((user_id, post_id), label)
    for (_, post_id), label in latest.items():
        post = posts.get(post_id)
        if post is not None and post.text:
            examples.append((post.text, label))
    prior = train_prior(examples, c=4.0, signal_bias=0.5)
    row = CatchupPrior.objects.create(data=prior.to_bytes(), examples=len(latest), trained_at=now)
    # Older rows are only history; keep the last few for comparison and drop the rest.
    stale = CatchupPrior.objects.order_by("-id").values_list("id", flat=True)[3:]
    CatchupPrior.objects.filter(pk__in=list(stale)).delete()
    logger.info("catch-up prior retrained from %d feedback clicks", len(latest))
    return row
