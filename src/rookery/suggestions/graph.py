"""The follow graph of the whole instance, held in each process and kept fresh cheaply.

A full build (every follow, `FollowGraph.from_edges`) costs seconds on a 100k-user network, far
too much for a request. So a process builds it once, then every ``SUGGESTIONS_GRAPH_TTL`` seconds
merges what is new since (follows with a higher id, users with a higher id): one indexed query
and a few array copies, tens of milliseconds. Rows that disappear (unfollows, blocks, deleted
accounts) are only dropped by the next full build, every ``SUGGESTIONS_GRAPH_REBUILD`` seconds
or when `graph_version_bump` is called (``rookery import-graph`` does); until then the selector
reads the viewer's own follows, blocks and mutes fresh from the database, so what a person
changes themselves shows at once. Full rebuilds after the first run in a background thread, so
no request waits for one; with ``TASKS_IMMEDIATE`` (tests, benchmarks) they run inline.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.models import Q

from rookery.accounts.models import User
from rookery.algorithms.wtf import FollowGraph
from rookery.algorithms.wtf.graph import POPULAR_POOL
from rookery.social.models import Follow

logger = logging.getLogger("rookery.suggestions")

VERSION_KEY = "suggestions:graph-version"
FETCH_ROWS = 100_000
# Past this many new follows a merge costs about what a rebuild does.
MAX_MERGE = 200_000
# Ids are handed out when a row is inserted, not when it commits: a follow with a lower id can
# become visible after one with a higher id. Each merge re-reads this many ids below the last
# one it saw; rows already in the graph are skipped.
LATE_COMMIT_WINDOW = 1_000

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class GraphState:
    graph: FollowGraph
    max_follow_id: int
    max_user_id: int
    version: str
    built_at: float  # time.monotonic() of the last full build
    checked_at: float  # ... of the last look for new rows
    # Users nobody may be suggested (suspended, deactivated, opted out), and users whose follows
    # must not be shown as reasons. As of checked_at; the selector re-checks the shown ones.
    unsuggestable: frozenset[int]
    hidden_lists: frozenset[int]


_state: GraphState | None = None
_lock = threading.Lock()
_rebuilding = threading.Event()


def graph_version_bump() -> None:
    """Make every process sharing this cache rebuild its graph (after bulk writes)."""
    cache.set(VERSION_KEY, secrets.token_hex(8), None)


def _version() -> str:
    # A token rather than a counter: when the cache is emptied (a Redis flush, each test) the
    # token is gone, a new one is drawn, and graphs built against the old one are rebuilt.
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), None)
        token = cache.get(VERSION_KEY, "")
    return str(token)


def _fetch_pairs(sql: str, params: list[int]) -> tuple[IntArray, IntArray, int]:
    """Rows of (a, b, id) as two arrays plus the largest id, read in chunks to bound memory."""
    firsts: list[IntArray] = []
    seconds: list[IntArray] = []
    top = params[0] if params else 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            block = np.array(rows, dtype=np.int64)
            firsts.append(block[:, 0])
            seconds.append(block[:, 1])
            top = max(top, int(block[:, 2].max()))
    empty = np.zeros(0, dtype=np.int64)
    return (
        np.concatenate(firsts) if firsts else empty,
        np.concatenate(seconds) if seconds else empty,
        top,
    )


def _follows_since(follow_id: int) -> tuple[IntArray, IntArray, int]:
    # Raw SQL: millions of rows as tuples, without building a model or dict per row. The
    # table name comes from the model, never from input.
    table = connection.ops.quote_name(Follow._meta.db_table)
    sql = f"SELECT follower_id, followee_id, id FROM {table} WHERE id > %s"  # noqa: S608
    return _fetch_pairs(sql, [follow_id])


def _user_ids_since(user_id: int) -> IntArray:
    return np.fromiter(
        User.objects.filter(pk__gt=user_id).values_list("pk", flat=True).iterator(), np.int64
    )


def _flagged_users() -> tuple[frozenset[int], frozenset[int]]:
    rows = User.objects.filter(
        Q(is_active=False)
        | Q(suspended_at__isnull=False)
        | Q(discoverable=False)
        | Q(hide_follows=True)
    ).values_list("pk", "is_active", "suspended_at", "discoverable", "hide_follows")
    unsuggestable, hidden = set(), set()
    for pk, active, suspended_at, discoverable, hide_follows in rows:
        if not active or suspended_at is not None or not discoverable:
            unsuggestable.add(pk)
        if hide_follows or suspended_at is not None or not active:
            hidden.add(pk)
    return frozenset(unsuggestable), frozenset(hidden)


def _all_follows() -> tuple[IntArray, IntArray, int]:
    """Every follow as (followers, followees), ordered by (follower, followee), and the max id."""
    table = connection.ops.quote_name(Follow._meta.db_table)
    top = Follow.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # The order is that of the follow_unique index, so the database sorts nothing; rows above
    # `top` that slip in are merged again later and skipped as already present.
    sql = f"SELECT follower_id, followee_id FROM {table} ORDER BY follower_id, followee_id"  # noqa: S608
    chunks: list[IntArray] = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH_ROWS):
            flat = itertools.chain.from_iterable(rows)
            chunks.append(np.fromiter(flat, dtype=np.int64, count=2 * len(rows)))
    pairs = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
    return pairs[0::2], pairs[1::2], int(top)


def graph_from_sorted(users: IntArray, followers: IntArray, followees: IntArray) -> FollowGraph:
    """`FollowGraph.from_edges` for edges already unique, without self-follows and ordered by
    (follower, followee), as the follows table's constraints and index give them.

    Skips the sort and dedupe of every edge: about 1 s instead of 8 for 5M follows. Falls back
    to `from_edges` when an endpoint is missing from `users` (an account made mid-read).
    """
    ids = np.unique(users)
    n = int(ids.size)
    src = np.searchsorted(ids, followers)
    dst = np.searchsorted(ids, followees)
    if n == 0 or followers.size == 0:
        return FollowGraph.from_edges(followers, followees, users=users)
    src_ok = ids[np.minimum(src, n - 1)] == followers
    dst_ok = ids[np.minimum(dst, n - 1)] == followees
    if not (src_ok.all() and dst_ok.all()):
        return FollowGraph.from_edges(followers, followees, users=users)
    out_degree = np.bincount(src, minlength=n).astype(np.int32)
    in_degree = np.bincount(dst, minlength=n).astype(np.int32)
    out_indptr = np.concatenate([[0], np.cumsum(out_degree, dtype=np.int64)])
    in_indptr = np.concatenate([[0], np.cumsum(in_degree, dtype=np.int64)])
    # Stable, so followers stay ascending within each followee's row.
    by_followee = np.argsort(dst, kind="stable")
    popular = np.argsort(-in_degree.astype(np.int64), kind="stable")[:POPULAR_POOL]
    return FollowGraph(
        ids=ids,
        out_indptr=out_indptr,
        out_indices=dst.astype(np.int32),
        in_indptr=in_indptr,
        in_indices=src[by_followee].astype(np.int32),
        out_degree=out_degree,
        in_degree=in_degree,
        popular=popular[in_degree[popular] > 0].astype(np.int32),
    )


def _build() -> GraphState:
    version = _version()
    started = time.monotonic()
    followers, followees, max_follow = _all_follows()
    # Users after follows: every account a follow points at existed before it.
    users = _user_ids_since(0)
    graph = graph_from_sorted(users, followers, followees)
    del followers, followees
    unsuggestable, hidden = _flagged_users()
    max_user = int(users.max()) if users.size else 0
    now = time.monotonic()
    logger.info(
        "suggestions graph built: %d users, %d follows in %.1f s",
        graph.num_users,
        graph.num_follows,
        now - started,
    )
    return GraphState(graph, max_follow, max_user, version, now, now, unsuggestable, hidden)


def _insert_rows(
    indptr: IntArray, indices: npt.NDArray[np.int32], rows: IntArray, values: IntArray, n: int
) -> tuple[IntArray, npt.NDArray[np.int32]]:
    """Add values[k] to CSR row rows[k], keeping rows sorted; pairs must be sorted and new."""
    starts = indptr[rows]
    positions = np.empty(rows.size, dtype=np.int64)
    for k, (row, value) in enumerate(zip(rows.tolist(), values.tolist(), strict=True)):
        existing = indices[indptr[row] : indptr[row + 1]]
        positions[k] = starts[k] + np.searchsorted(existing, value)
    # np.insert places equal positions in input order, which is ascending within a row.
    new_indices = np.insert(indices, positions, values.astype(np.int32))
    added = np.bincount(rows, minlength=n)
    new_indptr = indptr + np.concatenate([[0], np.cumsum(added)])
    return new_indptr, new_indices


def merge_new(
    graph: FollowGraph, followers: IntArray, followees: IntArray, users: IntArray
) -> FollowGraph:
    """`graph` plus new users and follows, without re-sorting the millions already there."""
    ids = np.union1d(graph.ids, np.concatenate([users, followers, followees]))
    n = int(ids.size)
    if n != graph.num_users:
        # New users shift indices; the map from old to new positions is increasing, so every
        # CSR row stays sorted after remapping.
        old_to_new = np.searchsorted(ids, graph.ids)
        out_degree = np.zeros(n, dtype=np.int64)
        in_degree = np.zeros(n, dtype=np.int64)
        out_degree[old_to_new] = graph.out_degree
        in_degree[old_to_new] = graph.in_degree
        out_indices = old_to_new[graph.out_indices].astype(np.int32)
        in_indices = old_to_new[graph.in_indices].astype(np.int32)
        out_indptr = np.concatenate([[0], np.cumsum(out_degree)])
        in_indptr = np.concatenate([[0], np.cumsum(in_degree)])
    else:
        out_indices, in_indices = graph.out_indices, graph.in_indices
        out_indptr, in_indptr = graph.out_indptr, graph.in_indptr
    src = np.searchsorted(ids, followers)
    dst = np.searchsorted(ids, followees)
    keys = np.unique(src[src != dst] * np.int64(n) + dst[src != dst])
    src, dst = keys // n, keys % n
    present = np.array(
        [
            (row := out_indices[out_indptr[s] : out_indptr[s + 1]]).size > 0
            and row[min(int(np.searchsorted(row, d)), row.size - 1)] == d
            for s, d in zip(src.tolist(), dst.tolist(), strict=True)
        ],
        dtype=bool,
    )
    src, dst = src[~present], dst[~present]
    if src.size == 0 and n == graph.num_users:
        return graph
    out_indptr, out_indices = _insert_rows(out_indptr, out_indices, src, dst, n)
    by_followee = np.lexsort((src, dst))
    in_indptr, in_indices = _insert_rows(
        in_indptr, in_indices, dst[by_followee], src[by_followee], n
    )
    out_degree = np.diff(out_indptr).astype(np.int32)
    in_degree = np.diff(in_indptr).astype(np.int32)
    popular = np.argsort(-in_degree.astype(np.int64), kind="stable")[:POPULAR_POOL]
    return FollowGraph(
        ids=ids,
        out_indptr=out_indptr.astype(np.int64),
        out_indices=out_indices,
        in_indptr=in_indptr.astype(np.int64),
        in_indices=in_indices,
        out_degree=out_degree,
        in_degree=in_degree,
        popular=popular[in_degree[popular] > 0].astype(np.int32),
    )


def _merged(state: GraphState) -> GraphState:
    since = max(0, state.max_follow_id - LATE_COMMIT_WINDOW)
    followers, followees, max_follow = _follows_since(since)
    if followers.size > MAX_MERGE:
        return _build()
    users = _user_ids_since(state.max_user_id)
    unsuggestable, hidden = _flagged_users()
    graph = state.graph
    if followers.size or users.size:
        graph = merge_new(graph, followers, followees, users)
    max_follow = max(max_follow, state.max_follow_id)
    max_user = max(state.max_user_id, int(users.max()) if users.size else 0)
    return GraphState(
        graph,
        max_follow,
        max_user,
        state.version,
        state.built_at,
        time.monotonic(),
        unsuggestable,
        hidden,
    )


def _rebuild_in_background() -> None:
    global _state
    try:
        fresh = _build()
        with _lock:
            _state = fresh
    except Exception:  # a failed rebuild keeps the old graph serving; the next check retries
        logger.exception("suggestions graph rebuild failed")
    finally:
        connections.close_all()
        _rebuilding.clear()


def _needs_rebuild(state: GraphState) -> bool:
    aged = time.monotonic() - state.built_at >= settings.SUGGESTIONS_GRAPH_REBUILD
    return aged or _version() != state.version


def graph_state(*, viewer_follows: frozenset[int] | None = None, viewer_id: int = 0) -> GraphState:
    """The current graph, refreshed first when it is due.

    ``viewer_follows`` (read fresh by the caller) makes a follow the viewer just made count at
    once: when the graph lacks one of them, new rows are merged without waiting for the TTL.
    """
    global _state
    state = _state
    if state is None or (settings.TASKS_IMMEDIATE and _needs_rebuild(state)):
        with _lock:
            if _state is state:  # nobody rebuilt while this request waited for the lock
                _state = _build()
            return _state
    if _needs_rebuild(state) and not _rebuilding.is_set():
        _rebuilding.set()
        threading.Thread(target=_rebuild_in_background, daemon=True).start()
    due = time.monotonic() - state.checked_at >= settings.SUGGESTIONS_GRAPH_TTL
    if not due and viewer_follows:
        due = not viewer_follows <= set(state.graph.following(viewer_id).tolist())
    if not due:
        return state
    with _lock:
        current = _state
        assert current is not None
        # Another request may have merged while this one waited for the lock.
        if current.checked_at == state.checked_at:
            _state = _merged(current)
        return _state


def graph_forget() -> None:
    """Drop this process's graph (tests; an operator changing the data under a shell)."""
    global _state
    with _lock:
        _state = None
