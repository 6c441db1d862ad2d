"""Home-timeline delivery: fan-out on write, batched and resumable.

A new post gets a ``FanoutJob`` row in the same transaction as the post itself. After commit a
task delivers it to followers in batches of ``FANOUT_BATCH``, advancing ``cursor`` (the last
follower id done) in the same transaction as each batch's inserts. A worker that dies mid-way
leaves a pending job whose cursor says exactly where to resume; inserts ignore existing rows, so
even a replayed batch writes nothing twice. ``fanout_resume_stale`` picks such jobs up.

Authors with more than ``FANOUT_THRESHOLD`` followers are not fanned out at all: their posts are
merged into readers' pages at read time (see selectors), which keeps one celebrity post from
writing millions of rows.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from rookery.accounts.models import User
from rookery.core.tasks import after_commit
from rookery.posts.models import Post, Visibility
from rookery.social.models import Follow
from rookery.timelines.models import FanoutJob, Marker, TimelineEntry

# A repost is not delivered to someone whose timeline got the same post (or another repost
# of it) within this window: the top of a timeline shouldn't show one post three times.
REPOST_DEDUPE_WINDOW = timedelta(hours=24)


def home_cache_key(owner_id: int) -> str:
    return f"home:{owner_id}"


def fanout_start(post: Post) -> FanoutJob:
    """Deliver to the author at once and queue delivery to everyone else after commit."""
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(owner_id=post.author_id, post_id=post.pk, author_id=post.author_id)],
        ignore_conflicts=True,
    )
    cache.delete(home_cache_key(post.author_id))
    job = FanoutJob.objects.create(post=post)
    job_id = job.pk

    def enqueue() -> None:
        from rookery.timelines.tasks import fanout_run_task

        fanout_run_task(job_id)

    after_commit(enqueue)
    return job


def is_merged_at_read(follower_count: int) -> bool:
    return follower_count > settings.FANOUT_THRESHOLD


def fanout_run(job_id: int, *, max_batches: int | None = None) -> FanoutJob | None:
    """Deliver a pending job from its cursor; ``max_batches`` exists for crash tests."""
    job = FanoutJob.objects.select_related("post", "post__author").filter(pk=job_id).first()
    if job is None or job.state == FanoutJob.State.DONE:
        return job
    post = job.post
    batches = 0
    if post.visibility != Visibility.MENTIONED and not is_merged_at_read(
        post.author.followers_count
    ):
        while max_batches is None or batches < max_batches:
            if not _deliver_next_batch(job.pk, post):
                break
            batches += 1
        else:
            return job
    # Mentioned people see the post at home even when they don't follow the author.
    recipients = [
        uid for uid in post.mentions.values_list("pk", flat=True) if uid != post.author_id
    ]
    if recipients:
        _insert_entries(post, recipients)
    FanoutJob.objects.filter(pk=job.pk).update(
        state=FanoutJob.State.DONE, updated_at=timezone.now()
    )
    job.state = FanoutJob.State.DONE
    return job


def _deliver_next_batch(job_id: int, post: Post) -> bool:
    """Deliver the batch after the job's cursor; False when everyone has it.

    The job row is locked while its batch is written, so two workers running the same job
    (one resumed while the other was only slow) take turns instead of repeating a batch.
    """
    with transaction.atomic():
        job = FanoutJob.objects.select_for_update().get(pk=job_id)
        followers = Follow.objects.filter(followee_id=post.author_id, follower_id__gt=job.cursor)
        if post.reblog_of_id is not None:
            followers = followers.filter(show_reposts=True)
        follower_ids = list(
            followers.order_by("follower_id").values_list("follower_id", flat=True)[
                : settings.FANOUT_BATCH
            ]
        )
        if not follower_ids:
            return False
        recipients = follower_ids
        if post.reblog_of_id is not None:
            recipients = _without_recent_copies(post, follower_ids)
        delivered = _insert_entries(post, recipients)
        FanoutJob.objects.filter(pk=job.pk).update(
            cursor=follower_ids[-1], delivered=job.delivered + delivered, updated_at=timezone.now()
        )
    return True


def _insert_entries(post: Post, owner_ids: list[int]) -> int:
    """Deliver ``post`` to ``owner_ids`` in one statement; rows already there are skipped.

    The ids travel as one parameter (a PostgreSQL array, a JSON list for SQLite) and the rows
    are made by the database: no model instances, no per-row parameters, one round trip per
    batch however big. That is most of what a 10,000-follower fan-out used to spend.
    """
    if not owner_ids:
        return 0
    meta = TimelineEntry._meta
    quote = connection.ops.quote_name
    into = (
        f"{quote(meta.db_table)} ({quote(meta.get_field('owner').column)}, "
        f"{quote(meta.get_field('post').column)}, {quote(meta.get_field('author').column)})"
    )
    if connection.vendor == "postgresql":
        sql = f"INSERT INTO {into} SELECT unnest(%s::bigint[]), %s, %s ON CONFLICT DO NOTHING"
        params: list[object] = [owner_ids, post.pk, post.author_id]
    elif connection.vendor == "sqlite":
        # Table and column names come from the model, every value is a parameter.
        sql = f"INSERT OR IGNORE INTO {into} SELECT value, %s, %s FROM json_each(%s)"  # noqa: S608
        params = [post.pk, post.author_id, json.dumps(owner_ids)]
    else:
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(owner_id=oid, post_id=post.pk, author_id=post.author_id)
                for oid in owner_ids
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        sql = ""
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    cache.delete_many([home_cache_key(oid) for oid in owner_ids])
    return len(owner_ids)


def _without_recent_copies(reblog: Post, owner_ids: list[int]) -> list[int]:
    original_id = reblog.reblog_of_id
    since = timezone.now() - REPOST_DEDUPE_WINDOW
    copies = list(
        Post.objects.filter(reblog_of_id=original_id, created_at__gte=since)
        .exclude(pk=reblog.pk)
        .values_list("pk", flat=True)
    )
    copies.append(original_id)
    seen = set(
        TimelineEntry.objects.filter(owner_id__in=owner_ids, post_id__in=copies).values_list(
            "owner_id", flat=True
        )
    )
    return [oid for oid in owner_ids if oid not in seen]


def fanout_resume_stale(*, older_than: timedelta | None = None) -> list[int]:
    """Ids of pending jobs nobody has touched lately: a worker died with them."""
    if older_than is None:
        older_than = timedelta(seconds=settings.FANOUT_RESUME_AFTER)
    cutoff = timezone.now() - older_than
    return list(
        FanoutJob.objects.filter(state=FanoutJob.State.PENDING, updated_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )


def fanout_prune_done(*, older_than: timedelta = timedelta(days=2)) -> int:
    deleted, _ = FanoutJob.objects.filter(
        state=FanoutJob.State.DONE, updated_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


# How many of a newly followed person's recent posts appear at once in the follower's home.
BACKFILL_POSTS = 20


def timeline_on_follow(*, follower_id: int, followee_id: int) -> None:
    """Bring the followed person's recent posts into the new follower's home timeline."""
    followers = User.objects.filter(pk=followee_id).values_list("followers_count", flat=True)
    if is_merged_at_read(followers.get()):
        return
    recent = list(
        Post.objects.filter(
            author_id=followee_id,
            visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED, Visibility.FOLLOWERS],
        )
        .order_by("-id")
        .values_list("pk", flat=True)[:BACKFILL_POSTS]
    )
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(owner_id=follower_id, post_id=pid, author_id=followee_id) for pid in recent],
        ignore_conflicts=True,
    )
    cache.delete(home_cache_key(follower_id))


def timeline_on_unfollow(*, follower_id: int, followee_id: int) -> None:
    """Take the unfollowed person's posts out of the ex-follower's home timeline."""
    TimelineEntry.objects.filter(owner_id=follower_id, author_id=followee_id).delete()
    cache.delete(home_cache_key(follower_id))


def timeline_on_block(*, blocker_id: int, blocked_id: int) -> None:
    TimelineEntry.objects.filter(owner_id=blocker_id, author_id=blocked_id).delete()
    TimelineEntry.objects.filter(owner_id=blocked_id, author_id=blocker_id).delete()
    # Reposts of the other's posts go too.
    TimelineEntry.objects.filter(
        owner_id=blocker_id, post__reblog_of__author_id=blocked_id
    ).delete()
    TimelineEntry.objects.filter(
        owner_id=blocked_id, post__reblog_of__author_id=blocker_id
    ).delete()
    cache.delete_many([home_cache_key(blocker_id), home_cache_key(blocked_id)])


@transaction.atomic
def marker_set(*, user_id: int, timeline: str, last_read_id: int) -> Marker:
    marker, _ = Marker.objects.select_for_update().get_or_create(user_id=user_id, timeline=timeline)
    marker.last_read_id = last_read_id
    marker.version += 1
    marker.save()
    return marker
