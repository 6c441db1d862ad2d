"""Writes of traction analytics: rolling raw events up into count tables, and pruning them.

The roll-up reads the event log from a checkpoint in id ranges. For each range it adds the
range's counts to every count table *and* moves the checkpoint, in one transaction: a crash
before the commit leaves both untouched (the range is simply read again), a crash after it
leaves both done. The checkpoint row is locked for the transaction, so two workers running the
roll-up at once queue instead of counting the same range twice.

The adds are ``INSERT … SELECT … GROUP BY … ON CONFLICT … DO UPDATE SET n = n + excluded.n``,
one statement per table. SQLite (3.24+) and PostgreSQL accept the same text, so there is one
code path; the ORM's ``bulk_create(update_conflicts=True)`` can only overwrite, not add.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from rookery.traction.models import (
    AuthorDailyCount,
    DailyCount,
    Event,
    HourlyCount,
    PostTotal,
    RollupCheckpoint,
    ShortLink,
)

CHECKPOINT = "events"
BATCH_EVENTS = 250_000
PRUNE_BATCH = 20_000
# On PostgreSQL the roll-up reads only ids it saw at least this long ago (see _upper_bound).
SETTLE_SECONDS = 10.0


STAGE = "traction_rollup_stage"


def _statements() -> list[str]:
    """The batch's events are grouped once into a temporary table; every count table is then
    fed from that (much smaller) table instead of scanning the events again."""
    event = Event._meta.db_table
    moment = "timestamptz" if connection.vendor == "postgresql" else "timestamp"
    statements = [
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} (post_id bigint, owner_id bigint, "
        f"kind integer, link_id bigint, hour {moment}, day date, n bigint)",
        f"DELETE FROM {STAGE}",  # noqa: S608 - our own table names, no input
        f"INSERT INTO {STAGE} SELECT post_id, owner_id, kind, link_id, hour, day, COUNT(*) "  # noqa: S608
        f"FROM {event} WHERE id > %s AND id <= %s "
        "GROUP BY post_id, owner_id, kind, link_id, hour, day",
    ]
    # (table, its columns, the stage expressions feeding them, GROUP BY, ON CONFLICT key)
    shapes = [
        (HourlyCount, "post_id, kind, hour", "post_id, kind, hour", "post_id, kind, hour",
         "post_id, kind, hour"),
        (DailyCount, "post_id, kind, day", "post_id, kind, day", "post_id, kind, day",
         "post_id, kind, day"),
        # A post's author never changes; MAX() only spells that out to the database.
        (PostTotal, "post_id, kind, author_id", "post_id, kind, MAX(owner_id)", "post_id, kind",
         "post_id, kind"),
        (AuthorDailyCount, "author_id, kind, day", "owner_id, kind, day", "owner_id, kind, day",
         "author_id, kind, day"),
    ]  # fmt: skip
    for model, columns, source, group, conflict in shapes:
        table = model._meta.db_table
        only_posts = "true" if model is AuthorDailyCount else "post_id <> 0"
        statements.append(
            f"INSERT INTO {table} ({columns}, n) "  # noqa: S608
            f"SELECT {source}, SUM(n) FROM {STAGE} WHERE {only_posts} GROUP BY {group} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET n = {table}.n + excluded.n"
        )
    link = ShortLink._meta.db_table
    statements.append(
        f"UPDATE {link} SET clicks = clicks + c.n FROM ("  # noqa: S608
        f"SELECT link_id, SUM(n) AS n FROM {STAGE} WHERE link_id <> 0 GROUP BY link_id"
        f") AS c WHERE {link}.id = c.link_id"
    )
    return statements


def _add_counts(low: int, high: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A batch's GROUP BY hashes ~10^5 groups; PostgreSQL's default 4 MB of work memory
            # spills them to disk. LOCAL: only for this transaction.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        for statement in _statements():
            cursor.execute(statement, [low, high] if "%s" in statement else None)


def _advance_checkpoint(checkpoint: RollupCheckpoint, high: int) -> None:
    checkpoint.last_event_id = high
    checkpoint.save(update_fields=["last_event_id", "updated_at"])


def _checkpoint() -> RollupCheckpoint:
    checkpoint, _ = RollupCheckpoint.objects.get_or_create(name=CHECKPOINT)
    return checkpoint


def _ids_commit_in_order() -> bool:
    return connection.vendor == "sqlite"  # one writer at a time


def _upper_bound(settle_seconds: float, now: datetime) -> int:
    """The highest event id that is safe to roll up now.

    SQLite has one writer at a time, so ids commit in order: everything present is safe.
    PostgreSQL assigns ids when a statement runs, so a batch with smaller ids may commit after
    one with larger ids. Each run therefore remembers the largest id it saw (the horizon) and
    rolls up to a horizon only once it is ``settle_seconds`` old: every insert that held a
    smaller id by then has long finished (inserts are single bulk statements taking ms).
    """
    newest = Event.objects.aggregate(top=Max("id"))["top"] or 0
    if _ids_commit_in_order() or settle_seconds <= 0:
        return newest
    with transaction.atomic():
        checkpoint = RollupCheckpoint.objects.select_for_update().get(name=CHECKPOINT)
        matured = checkpoint.horizon_at is not None and checkpoint.horizon_at <= now - timedelta(
            seconds=settle_seconds
        )
        upper = checkpoint.horizon_id if matured else checkpoint.last_event_id
        if matured or checkpoint.horizon_at is None:
            checkpoint.horizon_id = newest
            checkpoint.horizon_at = now
            checkpoint.save(update_fields=["horizon_id", "horizon_at", "updated_at"])
    return max(upper, 0)


def rollup_run(
    *,
    settle_seconds: float = SETTLE_SECONDS,
    batch: int = BATCH_EVENTS,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Roll up new raw events; returns how far (in event ids) this run moved the checkpoint."""
    start = high = _checkpoint().last_event_id
    upper = _upper_bound(settle_seconds, timezone.now())
    while True:
        with transaction.atomic():
            checkpoint = RollupCheckpoint.objects.select_for_update().get(name=CHECKPOINT)
            low = checkpoint.last_event_id
            # Skip gaps in the ids (pruned or never committed) instead of walking them.
            following = Event.objects.filter(id__gt=low).order_by("id").values_list("id", flat=True)
            first = following.first()
            if low >= upper or first is None or first > upper:
                break
            high = min(first - 1 + batch, upper)
            _add_counts(low, high)
            _advance_checkpoint(checkpoint, high)
        if progress is not None:
            progress(high - start, upper - start)
    return high - start


def events_prune(*, now: datetime | None = None) -> int:
    """Delete raw events past the retention period, but only ones already rolled up."""
    now = now or timezone.now()
    cutoff = (now - timedelta(days=settings.TRACTION_RETENTION_DAYS)).date()
    rolled_up = _checkpoint().last_event_id
    deleted = 0
    while True:
        ids = list(
            Event.objects.filter(id__lte=rolled_up, day__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:PRUNE_BATCH]
        )
        if not ids:
            return deleted
        deleted += Event.objects.filter(id__in=ids).delete()[0]
