"""Fast bulk generation of a large synthetic network for benchmarks.

``build_network(users, avg_follows, posts, seed=...)`` fills an empty, migrated database (the
one Django is configured with) with people, a power-law follow graph, posts (with replies,
reposts, hashtags and link cards) and the home-timeline rows fan-out on write would have left.

It writes through the database driver, not the ORM: on PostgreSQL with ``COPY`` (binary, built
from numpy arrays, for the big integer tables), on SQLite with ``executemany`` in one big
transaction with journaling relaxed. Secondary indexes and constraints of the big tables are
dropped during the load and recreated afterwards, which is several times faster than keeping
them up to date row by row. Triggers don't fire on PostgreSQL during the load
(``session_replication_role = replica``), so e.g. a search index is not filled for this data.

What the data does *not* have: likes, notifications, mentions, and the service's 24-hour
"don't deliver a repost twice" rule (every repost reaches all its author's followers).
"""

from __future__ import annotations

import functools
import math
import struct
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models
from tqdm import tqdm

from rookery.accounts.models import User
from rookery.posts.models import Hashtag, LinkCard, Post, Visibility
from rookery.social.models import Follow
from rookery.timelines.models import TimelineEntry

SPECIAL_FOLLOWERS = (100, 10_000, 100_000)
TOPICS = [
    "python", "django", "postgres", "rust", "kubernetes", "security", "ml", "frontend", "sre",
    "career", "design", "data", "cloud", "testing", "opensource", "leadership",
]  # fmt: skip
_WORD_TEXT = (
    "database query index migration release deploy latency cache queue worker test benchmark "
    "memory thread async api schema replica backup cluster container build team review design "
    "pattern library framework incident postmortem roadmap hiring interview mentoring talk "
    "slides conference article outage dashboard metric alert tracing profiling"
)
WORDS = _WORD_TEXT.split()
PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
CHUNK = 200_000


@dataclass
class NetworkInfo:
    users: int
    follows: int
    posts: int
    timeline_entries: int
    special_authors: dict[int, int]  # user id -> followers
    merged_authors: int  # accounts above FANOUT_THRESHOLD (merged at read)
    max_followers: int
    seconds: dict[str, float] = field(default_factory=dict)


def build_network(
    users: int,
    avg_follows: float,
    posts: int,
    *,
    seed: int,
    progress: bool = True,
    special_followers: Sequence[int] = SPECIAL_FOLLOWERS,
) -> NetworkInfo:
    if User.objects.exists() or Post.objects.exists():
        raise RuntimeError("build_network needs an empty, migrated database")
    rng = np.random.default_rng(seed)
    timings: dict[str, float] = {}
    now = datetime.now(UTC).replace(microsecond=0)
    loader = _PostgresLoader() if connection.vendor == "postgresql" else _SqliteLoader()

    started = time.monotonic()
    specials = [min(k, users - 1) for k in special_followers]
    follower_ids, followee_ids = _follow_graph(rng, users, avg_follows, specials, progress)
    followers_count = np.bincount(followee_ids, minlength=users + 1)
    following_count = np.bincount(follower_ids, minlength=users + 1)
    timings["plan follows"] = time.monotonic() - started

    started = time.monotonic()
    plan = _plan_posts(rng, users, posts, now)
    posts_count = np.bincount(plan.author[plan.reblog_of == 0], minlength=users + 1)
    timings["plan posts"] = time.monotonic() - started

    big_tables = [Follow, Post, TimelineEntry, Post.hashtags.through]
    with loader.session(big_tables):
        started = time.monotonic()
        _write_users(loader, users, now, followers_count, following_count, posts_count)
        _write_hashtags(loader)
        _write_link_cards(loader, plan.n_cards, now)
        timings["users"] = time.monotonic() - started

        started = time.monotonic()
        created = np.full(len(follower_ids), _micros(now - timedelta(days=60)), dtype=np.int64)
        loader.copy_ints(
            Follow,
            ["follower", "followee", "show_reposts", "created_at"],
            [follower_ids, followee_ids, np.ones(len(follower_ids), np.int64), created],
            kinds=["i8", "i8", "bool", "ts"],
            desc="Follows",
            progress=progress,
        )
        timings["follows"] = time.monotonic() - started

        started = time.monotonic()
        _write_posts(loader, plan, progress)
        timings["posts"] = time.monotonic() - started

        started = time.monotonic()
        entries = _write_timelines(
            loader, plan, users, follower_ids, followee_ids, followers_count, progress
        )
        timings["timeline entries"] = time.monotonic() - started
        restore_started = time.monotonic()
    timings["indexes and constraints"] = time.monotonic() - restore_started

    started = time.monotonic()
    loader.finish([User, LinkCard, Hashtag, *big_tables])
    timings["analyze"] = time.monotonic() - started
    threshold = settings.FANOUT_THRESHOLD
    return NetworkInfo(
        users=users,
        follows=len(follower_ids),
        posts=posts,
        timeline_entries=entries,
        special_authors={i + 1: int(followers_count[i + 1]) for i in range(len(specials))},
        merged_authors=int((followers_count > threshold).sum()),
        max_followers=int(followers_count.max()),
        seconds=timings,
    )


# --- The follow graph --------------------------------------------------------------------------


def _follow_graph(
    rng: np.random.Generator,
    users: int,
    avg_follows: float,
    specials: list[int],
    progress: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """(follower ids, followee ids), sorted by followee then follower; ids are 1-based.

    Popularity is Zipf-like (weight 1/rank^0.8 over a shuffled ranking) and each person's
    out-degree is log-normal, so a few dozen accounts end up with tens of thousands of
    followers and most with a handful. Users 1..len(specials) are the benchmark's authors
    with exact follower counts; nobody else follows them.
    """
    n_special = len(specials)
    ranks = rng.permutation(users) + 1
    weights = 1.0 / ranks.astype(np.float64) ** 0.8
    weights[:n_special] = 0.0
    weights /= weights.sum()
    regular_budget = max(0.0, avg_follows * users - sum(specials))
    sigma = 1.0
    degree = rng.lognormal(math.log(regular_budget / users) - sigma**2 / 2, sigma, users)
    degree = np.clip(np.rint(degree), 1, min(5000, users - 1)).astype(np.int64)
    target = int(regular_budget)
    keys = np.empty(0, dtype=np.int64)
    with tqdm(total=target, desc="Follow graph", unit="edge", disable=not progress) as bar:
        draw_follower = np.repeat(np.arange(users, dtype=np.int64), degree)
        for _round in range(6):
            followee = rng.choice(users, size=len(draw_follower), p=weights)
            new = draw_follower * users + followee
            new = new[draw_follower != followee]
            keys = np.unique(np.concatenate([keys, new]))
            bar.update(len(keys) - bar.n)
            missing = target - len(keys)
            if missing <= target * 0.002:
                break
            # Duplicates (mostly onto popular accounts) fell out: draw that many again.
            draw_follower = rng.choice(users, size=int(missing * 1.1), p=degree / degree.sum())
    follower = keys // users
    followee = keys % users
    extra_followers, extra_followees = [], []
    for index, count in enumerate(specials):
        chosen = rng.choice(np.delete(np.arange(users), index), size=count, replace=False)
        extra_followers.append(chosen.astype(np.int64))
        extra_followees.append(np.full(count, index, dtype=np.int64))
    follower = np.concatenate([follower, *extra_followers]) + 1
    followee = np.concatenate([followee, *extra_followees]) + 1
    order = np.lexsort((follower, followee))
    return follower[order], followee[order]


# --- Posts --------------------------------------------------------------------------------------


@dataclass
class _PostPlan:
    author: np.ndarray  # user id per post (post id = index + 1)
    created: np.ndarray  # microseconds since the PostgreSQL epoch, non-decreasing
    reblog_of: np.ndarray  # 0: not a repost
    in_reply_to: np.ndarray  # 0: not a reply
    thread_root: np.ndarray
    card: np.ndarray  # link card id, 0: none
    tag: np.ndarray  # hashtag id, 0: none
    visibility: np.ndarray  # index into VISIBILITIES
    n_cards: int


VISIBILITIES = [Visibility.PUBLIC, Visibility.UNLISTED, Visibility.FOLLOWERS]


def _plan_posts(rng: np.random.Generator, users: int, posts: int, now: datetime) -> _PostPlan:
    # Activity is log-normal and independent of popularity: some people post daily, most
    # rarely. The benchmark's special authors (ids 1-3) post like everyone else.
    activity = rng.lognormal(0.0, 1.2, users)
    author = rng.choice(users, size=posts, p=activity / activity.sum()).astype(np.int64) + 1
    start = _micros(now - timedelta(days=30))
    created = np.sort(rng.integers(start, _micros(now - timedelta(minutes=5)), posts))
    ids = np.arange(1, posts + 1, dtype=np.int64)
    kind = rng.random(posts)
    # A repost or reply points at an earlier post, usually a recent one.
    back = np.minimum(ids - 1, rng.geometric(1 / 2000, posts)).astype(np.int64)
    target = ids - back
    is_reblog = (kind < 0.05) & (back > 0)
    is_reply = (kind >= 0.05) & (kind < 0.15) & (back > 0)
    reblog_of = np.where(is_reblog, target, 0)
    in_reply_to = np.where(is_reply, target, 0)
    visibility = np.where(rng.random(posts) < 0.95, 0, np.where(rng.random(posts) < 0.5, 1, 2))
    thread_root = np.zeros(posts, dtype=np.int64)
    reposted: set[tuple[int, int]] = set()
    # No repost of a repost, and a reply to a repost answers the original. Only public posts
    # are reposted, once per person (the reblog_unique constraint); other draws stay posts.
    for i in np.flatnonzero(is_reply | is_reblog):
        parent = int(target[i]) - 1
        original = int(reblog_of[parent]) if reblog_of[parent] else parent + 1
        if is_reblog[i]:
            key = (int(author[i]), original)
            if visibility[original - 1] == 0 and key not in reposted:
                reblog_of[i] = original
                reposted.add(key)
            else:
                reblog_of[i] = 0
        else:
            in_reply_to[i] = original
            thread_root[i] = thread_root[original - 1] or original
    n_cards = max(100, posts // 50)
    has_card = (rng.random(posts) < 0.15) & (reblog_of == 0)
    card = np.where(has_card, rng.zipf(1.3, posts) % n_cards + 1, 0)
    tag = np.where((rng.random(posts) < 0.3) & (reblog_of == 0), rng.integers(1, 17, posts), 0)
    visibility = np.where(reblog_of > 0, 0, visibility)
    return _PostPlan(author, created, reblog_of, in_reply_to, thread_root, card, tag, visibility,
                     n_cards)  # fmt: skip


def _write_users(
    loader: _Loader,
    users: int,
    now: datetime,
    followers_count: np.ndarray,
    following_count: np.ndarray,
    posts_count: np.ndarray,
) -> None:
    joined = now - timedelta(days=400)

    def rows() -> Iterator[dict[str, Any]]:
        for uid in range(1, users + 1):
            name = f"bench_f{SPECIAL_FOLLOWERS[uid - 1]}" if uid <= 3 else f"user{uid}"
            yield {
                "id": uid,
                "username": name,
                "email": f"{name}@bench.example",
                "password": "!",  # unusable: nobody logs in with a password here
                "display_name": f"Bench Person {uid}",
                "headline": "Engineer at Example Corp",
                "date_joined": joined,
                "followers_count": int(followers_count[uid]),
                "following_count": int(following_count[uid]),
                "posts_count": int(posts_count[uid]),
            }

    loader.copy_rows(User, rows(), total=users, desc="People")


def _write_hashtags(loader: _Loader) -> None:
    now = datetime.now(UTC)
    rows = ({"id": i + 1, "name": name, "created_at": now} for i, name in enumerate(TOPICS))
    loader.copy_rows(Hashtag, rows, total=len(TOPICS), desc="Hashtags", progress=False)


def _write_link_cards(loader: _Loader, count: int, now: datetime) -> None:
    def rows() -> Iterator[dict[str, Any]]:
        for i in range(1, count + 1):
            yield {
                "id": i,
                "url": f"https://blog.example.com/articles/{i}",
                "status": LinkCard.Status.OK,
                "title": f"Article {i}: notes on {WORDS[i % len(WORDS)]}",
                "description": "A practical write-up with numbers rather than vibes.",
                "site_name": "Example Blog",
                "domain": "blog.example.com",
                "fetched_at": now,
            }

    loader.copy_rows(LinkCard, rows(), total=count, desc="Link cards", progress=False)


def _write_posts(loader: _Loader, plan: _PostPlan, progress: bool) -> None:
    n = len(plan.author)
    words = np.array(WORDS)
    word_idx = np.random.default_rng(7).integers(0, len(WORDS), (min(n, 50_000), 12))

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(n):
            pid = i + 1
            row: dict[str, Any] = {
                "id": pid,
                "author": int(plan.author[i]),
                "visibility": VISIBILITIES[plan.visibility[i]],
                "created_at": _from_micros(int(plan.created[i])),
            }
            if plan.reblog_of[i]:
                row["reblog_of"] = int(plan.reblog_of[i])
                yield row
                continue
            text = " ".join(words[word_idx[i % len(word_idx)]]).capitalize() + "."
            html = f"<p>{text}"
            if plan.tag[i]:
                tag = TOPICS[plan.tag[i] - 1]
                text += f" #{tag}"
                html += f' <a href="/tags/{tag}/" class="hashtag">#<span>{tag}</span></a>'
            if plan.card[i]:
                url = f"https://blog.example.com/articles/{plan.card[i]}"
                text += f" {url}"
                html += f' <a href="{url}" rel="nofollow noopener noreferrer">{url}</a>'
                row["first_url"] = url
                row["link_card"] = int(plan.card[i])
            row["text"], row["html"] = text, html + "</p>"
            if plan.in_reply_to[i]:
                parent = int(plan.in_reply_to[i])
                row["in_reply_to"] = parent
                row["in_reply_to_author"] = int(plan.author[parent - 1])
                row["thread_root"] = int(plan.thread_root[i])
            yield row

    loader.copy_rows(Post, rows(), total=n, desc="Posts", progress=progress)
    # Counters the services keep: replies and reposts per post.
    replies = np.bincount(plan.in_reply_to, minlength=n + 1)
    reblogs = np.bincount(plan.reblog_of, minlength=n + 1)
    loader.set_counts(Post, {"replies_count": replies, "reblogs_count": reblogs})
    tagged = np.flatnonzero(plan.tag)
    loader.copy_ints(
        Post.hashtags.through,
        ["post", "hashtag"],
        [tagged + 1, plan.tag[tagged].astype(np.int64)],
        kinds=["i8", "i8"],
        desc="Post hashtags",
        progress=False,
    )


def _write_timelines(
    loader: _Loader,
    plan: _PostPlan,
    users: int,
    follower_ids: np.ndarray,
    followee_ids: np.ndarray,
    followers_count: np.ndarray,
    progress: bool,
) -> int:
    """Entries for the author and every follower, unless the author is merged at read."""
    indptr = np.zeros(users + 2, dtype=np.int64)
    np.cumsum(np.bincount(followee_ids, minlength=users + 1), out=indptr[1:])
    merged = followers_count > settings.FANOUT_THRESHOLD
    n = len(plan.author)
    total = 0
    chunk_posts = 20_000
    expected = int(
        np.where(merged[plan.author], 0, followers_count[plan.author]).sum() + n
    )  # fmt: skip
    with tqdm(total=expected, desc="Home timelines", unit="row", disable=not progress) as bar:
        for start in range(0, n, chunk_posts):
            authors = plan.author[start : start + chunk_posts]
            post_ids = np.arange(start + 1, start + 1 + len(authors), dtype=np.int64)
            counts = np.where(merged[authors], 0, followers_count[authors])
            begins = indptr[authors]
            size = int(counts.sum())
            offsets = np.arange(size, dtype=np.int64) - np.repeat(
                np.cumsum(counts) - counts, counts
            )
            owners = follower_ids[np.repeat(begins, counts) + offsets]
            entry_posts = np.repeat(post_ids, counts)
            entry_authors = np.repeat(authors, counts)
            owners = np.concatenate([authors, owners])
            entry_posts = np.concatenate([post_ids, entry_posts])
            entry_authors = np.concatenate([authors, entry_authors])
            loader.copy_ints(
                TimelineEntry,
                ["owner", "post", "author"],
                [owners, entry_posts, entry_authors],
                kinds=["i8", "i8", "i8"],
                progress=False,
            )
            total += len(owners)
            bar.update(len(owners))
    return total


def _micros(moment: datetime) -> int:
    return int((moment - PG_EPOCH).total_seconds() * 1_000_000)


def _from_micros(value: int) -> datetime:
    return PG_EPOCH + timedelta(microseconds=value)


# --- Loaders --------------------------------------------------------------------------------------


class _Loader:
    def session(self, tables: list[type[models.Model]]) -> Any:
        raise NotImplementedError

    def copy_rows(
        self,
        model: type[models.Model],
        rows: Iterable[dict[str, Any]],
        *,
        total: int,
        desc: str,
        progress: bool = True,
    ) -> None:
        """Rows given as {field name: value}; every other column gets the field's default."""
        fields = [f for f in model._meta.concrete_fields]
        names = [f.column for f in fields]
        defaults = {f.name: _default(f) for f in fields}
        prep = [self._prep_for(f) for f in fields]
        with tqdm(total=total, desc=desc, unit="row", disable=not progress) as bar:
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(
                    tuple(
                        p(row[f.name]) if f.name in row else defaults[f.name]
                        for f, p in zip(fields, prep, strict=True)
                    )
                )
                if len(batch) >= 20_000:
                    self._write_tuples(model, names, batch)
                    bar.update(len(batch))
                    batch = []
            if batch:
                self._write_tuples(model, names, batch)
                bar.update(len(batch))

    def _prep_for(self, f: models.Field) -> Any:
        return lambda v: v

    def _write_tuples(self, model: type[models.Model], columns: list[str], rows: list) -> None:
        raise NotImplementedError

    def copy_ints(
        self,
        model: type[models.Model],
        field_names: list[str],
        arrays: list[np.ndarray],
        *,
        kinds: list[str],
        desc: str = "",
        progress: bool = True,
    ) -> None:
        raise NotImplementedError

    def set_counts(self, model: type[models.Model], counts: dict[str, np.ndarray]) -> None:
        """Set counter columns by id from arrays indexed by id (only the non-zero ones)."""
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            for column, values in counts.items():
                ids = np.flatnonzero(values)
                col = connection.ops.quote_name(column)
                cursor.executemany(
                    f"UPDATE {table} SET {col} = %s WHERE id = %s",
                    list(zip(values[ids].tolist(), ids.tolist(), strict=True)),
                )

    def finish(self, tables: list[type[models.Model]]) -> None:
        raise NotImplementedError


def _default(f: models.Field) -> Any:
    if f.primary_key:
        return None
    if f.has_default():
        value = f.get_default()
    elif f.null:
        return None
    else:
        value = f.get_default()
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return f.get_db_prep_save(value, connection)


class _PostgresLoader(_Loader):
    @contextmanager
    def session(self, tables: list[type[models.Model]]) -> Iterator[None]:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET synchronous_commit = off")
            saved = [self._drop_secondary(cursor, m._meta.db_table) for m in tables]
        yield
        with connection.cursor() as cursor:
            for table_saved in tqdm(saved, desc="Rebuilding indexes", unit="table"):
                indexes, constraints = table_saved
                for sql in indexes:
                    cursor.execute(sql)
                for sql in constraints:
                    cursor.execute(sql)
            cursor.execute("SET session_replication_role = origin")

    def _drop_secondary(self, cursor: Any, table: str) -> tuple[list[str], list[str]]:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'c')",
            [table],
        )
        constraints = cursor.fetchall()
        q = connection.ops.quote_name
        for name, _definition, kind in constraints:
            if kind != "c":  # check constraints cost nothing and own no index
                cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname "
            "AND c.conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {q(name)}")
        # Unique constraints first (their indexes), then foreign keys, which need them.
        restore = [
            f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}"
            for name, definition, kind in sorted(constraints, key=lambda c: c[2] != "u")
            if kind != "c"
        ]
        return [definition for _name, definition in indexes], restore

    def _write_tuples(self, model: type[models.Model], columns: list[str], rows: list) -> None:
        q = connection.ops.quote_name
        cols = ", ".join(q(c) for c in columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {q(model._meta.db_table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def copy_ints(
        self,
        model: type[models.Model],
        field_names: list[str],
        arrays: list[np.ndarray],
        *,
        kinds: list[str],
        desc: str = "",
        progress: bool = True,
    ) -> None:
        # COPY's binary format straight from numpy: no Python object per value, which is
        # what makes 50 million timeline rows a matter of minutes.
        meta = model._meta
        q = connection.ops.quote_name
        cols = ", ".join(q(meta.get_field(name).column) for name in field_names)
        n = len(arrays[0])
        dtype: list[tuple[str, str]] = [("count", ">i2")]
        for i, kind in enumerate(kinds):
            dtype += [(f"len{i}", ">i4"), (f"v{i}", ">u1" if kind == "bool" else ">i8")]
        with connection.cursor() as cursor:
            raw = cursor.cursor
            sql = f"COPY {q(meta.db_table)} ({cols}) FROM STDIN WITH (FORMAT BINARY)"
            with (
                raw.copy(sql) as copy,
                tqdm(total=n, desc=desc, unit="row", disable=not progress) as bar,
            ):
                copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
                for start in range(0, n, CHUNK * 5):
                    stop = min(n, start + CHUNK * 5)
                    block = np.empty(stop - start, dtype=dtype)
                    block["count"] = len(kinds)
                    for i, (array, kind) in enumerate(zip(arrays, kinds, strict=True)):
                        block[f"len{i}"] = 1 if kind == "bool" else 8
                        block[f"v{i}"] = array[start:stop]
                    copy.write(block.tobytes())
                    bar.update(stop - start)
                copy.write(struct.pack(">h", -1))

    def finish(self, tables: list[type[models.Model]]) -> None:
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), tables):
                cursor.execute(sql)
        # VACUUM can't run in a transaction; autocommit is Django's default outside atomic().
        with connection.cursor() as cursor:
            for model in tqdm(tables, desc="VACUUM ANALYZE", unit="table"):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class _SqliteLoader(_Loader):
    @contextmanager
    def session(self, tables: list[type[models.Model]]) -> Iterator[None]:
        with connection.cursor() as cursor:
            # Durability doesn't matter while generating: a crash means "generate again".
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA journal_mode = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")
            saved: list[str] = []
            for model in tables:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL",
                    [model._meta.db_table],
                )
                for name, sql in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    saved.append(sql)
            cursor.execute("BEGIN")
        yield
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")
            for sql in tqdm(saved, desc="Rebuilding indexes", unit="index"):
                cursor.execute(sql)
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")

    def _prep_for(self, f: models.Field) -> Any:
        if isinstance(f, models.DateTimeField):
            adapt = connection.ops.adapt_datetimefield_value
            return lambda v: adapt(v) if v is not None else None
        return lambda v: v

    def _write_tuples(self, model: type[models.Model], columns: list[str], rows: list) -> None:
        q = connection.ops.quote_name
        cols = ", ".join(q(c) for c in columns)
        marks = ", ".join(["?"] * len(columns))
        raw = connection.connection  # the sqlite3 connection: no per-row Django wrapping
        raw.executemany(f"INSERT INTO {q(model._meta.db_table)} ({cols}) VALUES ({marks})", rows)

    def copy_ints(
        self,
        model: type[models.Model],
        field_names: list[str],
        arrays: list[np.ndarray],
        *,
        kinds: list[str],
        desc: str = "",
        progress: bool = True,
    ) -> None:
        meta = model._meta
        q = connection.ops.quote_name
        cols = ", ".join(q(meta.get_field(name).column) for name in field_names)
        marks = ", ".join(["?"] * len(field_names))
        sql = f"INSERT INTO {q(meta.db_table)} ({cols}) VALUES ({marks})"
        n = len(arrays[0])
        raw = connection.connection
        with tqdm(total=n, desc=desc, unit="row", disable=not progress) as bar:
            for start in range(0, n, CHUNK):
                stop = min(n, start + CHUNK)
                columns = []
                for array, kind in zip(arrays, kinds, strict=True):
                    part = array[start:stop]
                    if kind == "ts":
                        columns.append([_sqlite_time(int(v)) for v in part])
                    else:
                        columns.append(part.tolist())
                raw.executemany(sql, zip(*columns, strict=True))
                bar.update(stop - start)

    def finish(self, tables: list[type[models.Model]]) -> None:
        # AUTOINCREMENT tables already moved their sequence past the explicit ids. No ANALYZE:
        # a real SQLite deployment doesn't run it either, so the planner sees what it would.
        return


@functools.lru_cache(maxsize=1024)
def _sqlite_time(micros: int) -> str:
    return _from_micros(micros).strftime("%Y-%m-%d %H:%M:%S.%f")
