"""Writing feeds and promotions: the only code that changes them.

Network work (fetching feeds and articles) happens in ``polling`` before these functions are
called, so no transaction here is held open across a fetch.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rookery.accounts.models import User
from rookery.core.tasks import after_commit
from rookery.feeds import summary
from rookery.feeds.models import (
    DEFAULT_FEED_TEMPLATE,
    OPEN_STATES,
    Feed,
    FeedMode,
    Promotion,
    PromotionState,
)
from rookery.feeds.parsing import FeedEntry, ParsedFeed, entry_key, normalise_url
from rookery.notifications.models import NotificationKind
from rookery.notifications.services import notify
from rookery.posts.models import Post, Visibility
from rookery.posts.rendering import text_length
from rookery.posts.services import post_create
from rookery.traction.selectors import author_zone, best_posting_slots

logger = logging.getLogger(__name__)

# A flood guard: a feed that suddenly lists many unknown entries (a blog migrated to new URLs,
# a CMS that re-keyed everything) gets this many drafts; the rest are recorded as past
# articles that can still be promoted by hand.
MAX_NEW_PER_POLL = 10
ENTRY_TEXT_MAX = 20_000
# When the owner has too little history for traction to suggest slots: weekday mornings and
# early afternoons in their own time zone.
DEFAULT_SLOTS = [(day, hour) for day in range(5) for hour in (9, 13)]


@dataclass(frozen=True)
class DraftData:
    text: str
    summary: str
    hashtags: list[str]
    title: str


@dataclass(frozen=True)
class NewEntry:
    """An entry not yet recorded, with its draft (or why drafting failed) when it gets one."""

    entry: FeedEntry
    key: str
    link_hash: str | None
    text: str
    draft: DraftData | None = None
    error: str = ""


def link_hash(link: str) -> str | None:
    return hashlib.sha256(normalise_url(link).encode()).hexdigest() if link else None


def _check_owner(obj: Feed | Promotion, actor: User) -> None:
    if obj.owner_id != actor.pk:
        raise PermissionDenied("This is not your blog.")


def _clean_settings(
    *, template: str, mode: str, visibility: str, schedule_time: time | None
) -> tuple[str, time | None]:
    template = template.strip() or DEFAULT_FEED_TEMPLATE
    try:
        summary.validate_template(template)
    except ValueError as error:
        raise ValidationError({"template": str(error)}) from None
    if "{link}" not in template:
        raise ValidationError({"template": "The template needs {link}: the post promotes it."})
    if mode not in FeedMode.values:
        raise ValidationError({"mode": f"Unknown mode {mode!r}."})
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": f"Unknown visibility {visibility!r}."})
    return template, schedule_time if mode == FeedMode.SCHEDULE else None


# --- feeds ------------------------------------------------------------------------------------


def feed_create(
    *,
    owner: User,
    feed_url: str,
    parsed: ParsedFeed,
    etag: str | None,
    last_modified: str | None,
    mode: str = FeedMode.DRAFT,
    template: str = DEFAULT_FEED_TEMPLATE,
    visibility: str = Visibility.PUBLIC,
    schedule_time: time | None = None,
) -> Feed:
    """Store a feed already fetched and parsed (``polling.feed_add`` does that part).

    Its current entries are recorded as seen, so adding a blog never floods followers with
    its back catalogue; the owner can promote any of them by hand.
    """
    template, schedule_time = _clean_settings(
        template=template, mode=mode, visibility=visibility, schedule_time=schedule_time
    )
    if Feed.objects.filter(owner=owner, feed_url=feed_url[:2000]).exists():
        raise ValidationError({"url": "You have already added this feed."})
    now = timezone.now()
    try:
        with transaction.atomic():
            feed = Feed.objects.create(
                owner=owner,
                feed_url=feed_url[:2000],
                site_url=(parsed.site_url or "")[:2000],
                title=parsed.title[:500],
                template=template,
                mode=mode,
                schedule_time=schedule_time,
                visibility=visibility,
                etag=(etag or "")[:500],
                last_modified=(last_modified or "")[:100],
                interval=settings.FEED_POLL_INTERVAL,
                next_poll_at=now + timedelta(seconds=settings.FEED_POLL_INTERVAL),
                primed=True,
                last_fetch_at=now,
                last_ok=True,
                last_result=_ok_message(len(parsed.entries), 0, parsed.warning, first=True),
            )
            entries_record(feed=feed, new=new_entries(feed, parsed.entries), primed=False)
    except IntegrityError:
        raise ValidationError({"url": "You have already added this feed."}) from None
    return feed


def feed_update(
    *,
    feed: Feed,
    actor: User,
    template: str,
    mode: str,
    visibility: str,
    schedule_time: time | None = None,
) -> Feed:
    _check_owner(feed, actor)
    feed.template, feed.schedule_time = _clean_settings(
        template=template, mode=mode, visibility=visibility, schedule_time=schedule_time
    )
    feed.mode = mode
    feed.visibility = visibility
    feed.save(update_fields=["template", "mode", "visibility", "schedule_time"])
    return feed


def feed_delete(*, feed: Feed, actor: User) -> None:
    """Forget a feed and its drafts; posts already published stay."""
    _check_owner(feed, actor)
    feed.delete()


def feed_check_now(*, feed: Feed, actor: User) -> Feed:
    """Make the feed due and poll it in the background (at once when tasks run inline)."""
    _check_owner(feed, actor)
    now = timezone.now()
    changes: dict[str, object] = {"paused": False, "next_poll_at": now}
    if feed.paused:
        # A resumed feed starts afresh: no back-off, and the full run of tries before pausing.
        changes.update(consecutive_failures=0, interval=settings.FEED_POLL_INTERVAL)
    Feed.objects.filter(pk=feed.pk).update(**changes)
    feed_id = feed.pk

    def poll() -> None:
        from rookery.feeds.tasks import feed_poll_task

        feed_poll_task(feed_id)

    after_commit(poll)
    feed.refresh_from_db()
    return feed


def feed_resume(*, feed: Feed, actor: User) -> Feed:
    return feed_check_now(feed=feed, actor=actor)


def feed_claim(feed_id: int, *, now: datetime | None = None, lease: int = 600) -> bool:
    """Take the poll lease of a due feed; False if it isn't due or another worker has it."""
    now = now or timezone.now()
    return bool(
        Feed.objects.filter(pk=feed_id, paused=False, next_poll_at__lte=now).update(
            next_poll_at=now + timedelta(seconds=lease)
        )
    )


def _ok_message(entries: int, new: int, warning: str | None, *, first: bool = False) -> str:
    if first:
        message = f"OK: {entries} article{'s' * (entries != 1)} found"
    elif new:
        message = f"OK: {new} new article{'s' * (new != 1)}"
    else:
        message = "OK: nothing new"
    return f"{message} ({warning})"[:300] if warning else message


def feed_record_not_modified(*, feed: Feed) -> None:
    _record_health(feed, ok=True, message="OK: not modified since the last check")


def feed_record_success(
    *,
    feed: Feed,
    parsed: ParsedFeed,
    new: Sequence[NewEntry],
    etag: str | None,
    last_modified: str | None,
) -> list[Promotion]:
    """Record a successful poll: new entries become drafts (or seen, on a first poll)."""
    with transaction.atomic():
        created = entries_record(feed=feed, new=new, primed=feed.primed)
        feed.etag = (etag or "")[:500]
        feed.last_modified = (last_modified or "")[:100]
        feed.title = feed.title or parsed.title[:500]
        feed.site_url = feed.site_url or (parsed.site_url or "")[:2000]
        feed.primed = True
        fresh = sum(1 for p in created if p.state != PromotionState.SEEN)
        _record_health(
            feed, ok=True, message=_ok_message(len(parsed.entries), fresh, parsed.warning)
        )
    return created


def feed_record_failure(*, feed: Feed, message: str) -> None:
    """Count a failed check; back off exponentially and pause after too many in a row."""
    with transaction.atomic():
        was_paused = feed.paused
        _record_health(feed, ok=False, message=message)
        if feed.paused and not was_paused:
            notify(
                recipient_id=feed.owner_id,
                actor=None,
                kind=NotificationKind.SYSTEM,
                message=(
                    f"Your blog feed “{feed}” was paused after {feed.consecutive_failures} failed"
                    f" checks ({message}). Resume it on the Blog page."
                ),
            )


def _record_health(feed: Feed, *, ok: bool, message: str) -> None:
    now = timezone.now()
    feed.last_fetch_at = now
    feed.last_ok = ok
    feed.last_result = message[:300]
    if ok:
        feed.consecutive_failures = 0
        feed.interval = settings.FEED_POLL_INTERVAL
        delay = feed.interval
    else:
        feed.consecutive_failures += 1
        delay = min(feed.interval * 2**feed.consecutive_failures, settings.FEED_MAX_INTERVAL)
        if feed.consecutive_failures >= settings.FEED_MAX_FAILURES:
            feed.paused = True
    feed.next_poll_at = now + timedelta(seconds=delay)
    feed.save(
        update_fields=[
            "etag", "last_modified", "title", "site_url", "primed", "last_fetch_at", "last_ok",
            "last_result", "consecutive_failures", "interval", "next_poll_at", "paused",
        ]
    )  # fmt: skip


# --- entries ----------------------------------------------------------------------------------


def new_entries(feed: Feed, entries: Sequence[FeedEntry]) -> list[NewEntry]:
    """The entries of a fetched feed that have no promotion row yet, repeats folded."""
    from rookery.outbound.linkmeta import strip_html

    candidates: list[NewEntry] = []
    keys: set[str] = set()
    hashes: set[str] = set()
    for entry in entries:
        key, hashed = entry_key(entry), link_hash(entry.link)
        # The same entry listed twice, or one article under two GUIDs, counts once.
        if key in keys or (hashed is not None and hashed in hashes):
            continue
        keys.add(key)
        if hashed is not None:
            hashes.add(hashed)
        text = strip_html(entry.content_html or entry.summary_html, keep_paragraphs=True)
        candidates.append(NewEntry(entry, key, hashed, text[:ENTRY_TEXT_MAX]))
    known_keys = set(
        Promotion.objects.filter(feed=feed, entry_key__in=keys).values_list("entry_key", flat=True)
    )
    known_hashes = set(
        Promotion.objects.filter(owner_id=feed.owner_id, link_hash__in=hashes).values_list(
            "link_hash", flat=True
        )
    )
    return [c for c in candidates if c.key not in known_keys and c.link_hash not in known_hashes]


def entries_record(*, feed: Feed, new: Sequence[NewEntry], primed: bool) -> list[Promotion]:
    """Insert one promotion row per new entry; the unique constraints drop any duplicate.

    Each insert has its own savepoint, so a row another worker inserted in the meantime only
    skips that row. Drafts in publish-at-once mode are published after commit.
    """
    created: list[Promotion] = []
    now = timezone.now()
    for n, item in enumerate(new):
        state = PromotionState.SEEN
        publish_at = None
        if primed and n < MAX_NEW_PER_POLL and item.draft is not None:
            state = PromotionState.DRAFT
            if feed.mode == FeedMode.SCHEDULE:
                state = PromotionState.SCHEDULED
                publish_at = next_publish_at(feed, now=now)
        elif primed and n < MAX_NEW_PER_POLL and item.error:
            state = PromotionState.FAILED
        draft = item.draft or DraftData(text="", summary="", hashtags=[], title=item.entry.title)
        try:
            with transaction.atomic():
                promotion = Promotion.objects.create(
                    feed=feed,
                    owner_id=feed.owner_id,
                    entry_key=item.key,
                    link=item.entry.link[:2000],
                    link_hash=item.link_hash,
                    title=(item.entry.title or draft.title)[:500],
                    entry_text=item.text,
                    entry_published=item.entry.published or item.entry.updated,
                    state=state,
                    text=draft.text,
                    summary=draft.summary,
                    hashtags=draft.hashtags,
                    publish_at=publish_at,
                    error=item.error[:300] if state == PromotionState.FAILED else "",
                )
        except IntegrityError:
            continue
        created.append(promotion)
        if state == PromotionState.DRAFT and feed.mode == FeedMode.PUBLISH:
            _publish_later(promotion.pk)
    return created


def _publish_later(promotion_id: int) -> None:
    def publish() -> None:
        from rookery.feeds.tasks import promotion_publish_task

        promotion_publish_task(promotion_id)

    after_commit(publish)


def next_publish_at(feed: Feed, *, now: datetime) -> datetime:
    """The feed's chosen time of day, else the owner's next preferred slot, after ``now``."""
    zone = author_zone(feed.owner)
    local = now.astimezone(zone)
    if feed.schedule_time is not None:
        candidate = local.replace(
            hour=feed.schedule_time.hour, minute=feed.schedule_time.minute, second=0, microsecond=0
        )
        if candidate <= local:
            candidate += timedelta(days=1)
        return candidate
    slots = best_posting_slots(feed.owner) or DEFAULT_SLOTS
    best: datetime | None = None
    for weekday, hour in slots:
        days = (weekday - local.weekday()) % 7
        candidate = (local + timedelta(days=days)).replace(
            hour=hour, minute=0, second=0, microsecond=0
        )
        if candidate <= local:
            candidate += timedelta(days=7)
        if best is None or candidate < best:
            best = candidate
    assert best is not None
    return best


# --- promotions -------------------------------------------------------------------------------


def _open(promotion: Promotion, actor: User) -> None:
    _check_owner(promotion, actor)
    if promotion.state not in OPEN_STATES:
        raise ValidationError(f"This promotion is {promotion.get_state_display().lower()}.")


def promotion_update(*, promotion: Promotion, actor: User, text: str) -> Promotion:
    _open(promotion, actor)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write something first."})
    length = text_length(text)
    if length > settings.POST_MAX_CHARS:
        raise ValidationError(
            {"text": f"Posts are at most {settings.POST_MAX_CHARS} characters; this is {length}."}
        )
    promotion.text = text
    if promotion.state == PromotionState.FAILED:
        promotion.state = PromotionState.DRAFT
        promotion.error = ""
    promotion.save(update_fields=["text", "state", "error", "updated"])
    return promotion


def promotion_schedule(*, promotion: Promotion, actor: User, publish_at: datetime) -> Promotion:
    _open(promotion, actor)
    if publish_at <= timezone.now():
        raise ValidationError({"publish_at": "Choose a time in the future."})
    promotion.state = PromotionState.SCHEDULED
    promotion.publish_at = publish_at
    promotion.error = ""
    promotion.save(update_fields=["state", "publish_at", "error", "updated"])
    return promotion


def promotion_discard(*, promotion: Promotion, actor: User) -> Promotion:
    _open(promotion, actor)
    promotion.state = PromotionState.DISCARDED
    promotion.save(update_fields=["state", "updated"])
    return promotion


def promotion_set_draft(*, promotion: Promotion, actor: User, draft: DraftData) -> Promotion:
    """Turn a past (seen or discarded) article into a draft; ``polling`` writes the draft."""
    _check_owner(promotion, actor)
    if promotion.state not in (
        PromotionState.SEEN,
        PromotionState.DISCARDED,
        PromotionState.FAILED,
    ):
        raise ValidationError(f"This promotion is {promotion.get_state_display().lower()}.")
    promotion.state = PromotionState.DRAFT
    promotion.text, promotion.summary, promotion.hashtags = (
        draft.text,
        draft.summary,
        draft.hashtags,
    )
    promotion.error = ""
    promotion.save(update_fields=["state", "text", "summary", "hashtags", "error", "updated"])
    return promotion


def _promotion_record(promotion: Promotion, post: Post) -> None:
    promotion.post = post
    promotion.state = PromotionState.PUBLISHED
    promotion.error = ""
    promotion.save(update_fields=["post", "state", "error", "updated"])


def promotion_publish(*, promotion_id: int, actor: User | None = None) -> Promotion:
    """Publish a promotion exactly once, whoever calls and however often.

    One transaction claims the row (a conditional UPDATE to ``publishing`` that only one caller
    can win; a second one waits on the row lock and then matches nothing), creates the post and
    records it. The post's idempotency key is derived from the promotion, so even if the post
    were committed and the recording lost, a retry gets the same post back.
    """
    promotion = Promotion.objects.select_related("feed", "owner").get(pk=promotion_id)
    if actor is not None:
        _check_owner(promotion, actor)
        if promotion.state == PromotionState.PUBLISHED:
            return promotion  # a repeated request: the answer is the post already made
        _open(promotion, actor)
    try:
        with transaction.atomic():
            claimed = Promotion.objects.filter(pk=promotion_id, state__in=OPEN_STATES).update(
                state=PromotionState.PUBLISHING, updated=timezone.now()
            )
            if not claimed:
                promotion.refresh_from_db()
                return promotion
            post = post_create(
                author=promotion.owner,
                text=promotion.text,
                visibility=promotion.feed.visibility,
                idempotency_key=f"promotion:{promotion.pk}",
                rate_limit=False,
            )
            _promotion_record(promotion, post)
    except ValidationError as error:
        message = "; ".join(error.messages) or "The post could not be published."
        Promotion.objects.filter(pk=promotion_id, state__in=OPEN_STATES).update(
            state=PromotionState.FAILED, error=message[:300], updated=timezone.now()
        )
        raise
    return promotion


def promotions_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Promotion.objects.filter(state=PromotionState.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at")
        .values_list("pk", flat=True)[:500]
    )
