"""A compact, immutable follow graph in CSR form, addressed by external user ids.

Users are stored once, as a sorted array of external ids; a user's internal index is its position in
that array, so the id <-> index mapping is a binary search and costs no dict of a million entries.
Both adjacencies (whom a user follows, who follows a user) are kept, with each row sorted, so that
"does a follow b" and "which of my followees follow c" are binary searches too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
IndexArray = npt.NDArray[np.int32]

# Popularity is the fallback for new users; precomputing the most-followed few thousand at build
# time keeps it O(limit) per request instead of a sort over every user.
POPULAR_POOL = 2000

# A graph where at least this share of follows is returned is treated as a mutual-follow network
# (friendships, GitHub-style mutual follows): the ranking then reads walks by their parity, see
# `FollowGraph.is_mutual`. Directed networks sit far below (bitcoin-alpha .86, email-Eu .71).
MUTUAL_RECIPROCITY = 0.95
# Reciprocity is exact up to this many follows and estimated from this many sampled follows above
# (standard error under .002), so checking it costs the same on a graph of any size.
RECIPROCITY_SAMPLE = 1 << 17


def _as_id_array(values: npt.ArrayLike, name: str) -> IntArray:
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integer user ids, got dtype {array.dtype}")
    return array.astype(np.int64, copy=False).ravel()


def _gather_rows(
    indptr: IntArray, indices: IndexArray, rows: npt.NDArray[np.integer]
) -> IndexArray:
    """Concatenate the CSR rows `rows`, vectorised (no Python loop over rows)."""
    starts = indptr[rows]
    lengths = indptr[np.asarray(rows) + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int32)
    # Position k of the output belongs to row r and sits at starts[r] + (k - offset[r]).
    offsets = np.cumsum(lengths) - lengths
    positions = np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)
    return indices[positions]


@dataclass(frozen=True, eq=False)
class FollowGraph:
    """Who follows whom. Build it with `FollowGraph.from_edges`; never mutate the arrays."""

    ids: IntArray  # sorted unique external user ids; index i <-> ids[i]
    out_indptr: IntArray  # CSR of follows: row i = indices of users that i follows
    out_indices: IndexArray
    in_indptr: IntArray  # CSR of followers: row i = indices of users that follow i
    in_indices: IndexArray
    out_degree: npt.NDArray[np.int32]
    in_degree: npt.NDArray[np.int32]
    popular: IndexArray  # up to POPULAR_POOL indices, most followed first (ties: lower id first)

    @classmethod
    def from_edges(
        cls,
        followers: npt.ArrayLike,
        followees: npt.ArrayLike,
        *,
        users: npt.ArrayLike | None = None,
    ) -> FollowGraph:
        """Build from parallel arrays: followers[k] follows followees[k].

        Duplicate edges and self-follows are dropped. `users` adds users with no edges (e.g. brand
        new accounts) so they can be suggested through shared events or topics.
        """
        src_ids = _as_id_array(followers, "followers")
        dst_ids = _as_id_array(followees, "followees")
        if src_ids.shape != dst_ids.shape:
            raise ValueError(
                f"followers and followees differ in length ({src_ids.size} != {dst_ids.size})"
            )
        extra = _as_id_array(users if users is not None else [], "users")
        ids = np.unique(np.concatenate([src_ids, dst_ids, extra]))
        n = int(ids.size)
        if n >= 2**31:
            raise ValueError("more than 2**31 users do not fit int32 indices")
        src = np.searchsorted(ids, src_ids)
        dst = np.searchsorted(ids, dst_ids)
        keep = src != dst
        # One int64 key per edge sorts by (follower, followee) and deduplicates in one pass.
        key = np.unique(src[keep] * np.int64(n) + dst[keep])
        src = key // n
        dst = (key % n).astype(np.int32)
        del key
        out_degree = np.bincount(src, minlength=n).astype(np.int32)
        out_indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(out_degree, out=out_indptr[1:])
        # A stable sort by followee keeps followers in ascending order within each in-row.
        order = np.argsort(dst, kind="stable")
        in_indices = src[order].astype(np.int32)
        in_degree = np.bincount(dst, minlength=n).astype(np.int32)
        in_indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(in_degree, out=in_indptr[1:])
        popular = np.argsort(-in_degree.astype(np.int64), kind="stable")[:POPULAR_POOL]
        popular = popular[in_degree[popular] > 0].astype(np.int32)
        return cls(
            ids=ids,
            out_indptr=out_indptr,
            out_indices=dst,
            in_indptr=in_indptr,
            in_indices=in_indices,
            out_degree=out_degree,
            in_degree=in_degree,
            popular=popular,
        )

    @property
    def num_users(self) -> int:
        return int(self.ids.size)

    @property
    def num_follows(self) -> int:
        return int(self.out_indices.size)

    @cached_property
    def reciprocity(self) -> float:
        """Share of follows a -> b for which b -> a exists too (0.0 for a graph without follows).

        Computed on first use and cached on the instance (the graph is immutable), so graphs built
        field by field get it too. Above RECIPROCITY_SAMPLE follows it is estimated from a fixed
        pseudo-random sample of follows, which keeps it deterministic and under ~50 ms.
        """
        m = self.num_follows
        if m == 0:
            return 0.0
        if m <= RECIPROCITY_SAMPLE:
            edges = np.arange(m, dtype=np.int64)
        else:
            edges = np.random.default_rng(0).integers(0, m, RECIPROCITY_SAMPLE)
        src = np.searchsorted(self.out_indptr, edges, side="right") - 1
        dst = self.out_indices[edges].astype(np.int64)
        # Vectorised binary search of src in each out-row of dst (rows are sorted): one bisection
        # step per iteration for every sampled edge at once.
        lo, hi = self.out_indptr[dst].copy(), self.out_indptr[dst + 1].copy()
        while True:
            open_ = lo < hi
            if not open_.any():
                break
            mid = (lo + hi) // 2
            below = np.zeros(lo.size, dtype=bool)
            below[open_] = self.out_indices[mid[open_]] < src[open_]
            lo = np.where(open_ & below, mid + 1, lo)
            hi = np.where(open_ & ~below, mid, hi)
        found = lo < self.out_indptr[dst + 1]
        found[found] = self.out_indices[lo[found]] == src[found]
        return float(found.mean())

    @property
    def is_mutual(self) -> bool:
        """Whether follows are (almost) always returned, i.e. edges behave as undirected.

        On such a graph a walk alternates between "people like you" (even steps: the user, then
        those who share the user's follows) and "people they follow" (odd steps), and ranking by
        odd steps only, from a circle of even-step users, is what recovers hidden follows; on a
        directed graph both readings of a step carry signal (see ppr.py and salsa.py).
        """
        return self.reciprocity >= MUTUAL_RECIPROCITY

    def __contains__(self, user_id: object) -> bool:
        return isinstance(user_id, int | np.integer) and self.index(int(user_id)) is not None

    def index(self, user_id: int) -> int | None:
        """Internal index of an external id, or None for a user the graph has never seen."""
        pos = int(np.searchsorted(self.ids, user_id))
        if pos < self.ids.size and self.ids[pos] == user_id:
            return pos
        return None

    def indices(self, user_ids: Iterable[int] | npt.ArrayLike) -> IndexArray:
        """Sorted unique internal indices of those of the ids that are in the graph."""
        if isinstance(user_ids, set | frozenset):
            user_ids = list(user_ids)
        wanted = _as_id_array(user_ids, "user_ids")
        if wanted.size == 0 or self.ids.size == 0:
            return np.zeros(0, dtype=np.int32)
        pos = np.minimum(np.searchsorted(self.ids, wanted), self.ids.size - 1)
        return np.unique(pos[self.ids[pos] == wanted]).astype(np.int32)

    def out_row(self, i: int) -> IndexArray:
        return self.out_indices[self.out_indptr[i] : self.out_indptr[i + 1]]

    def in_row(self, i: int) -> IndexArray:
        return self.in_indices[self.in_indptr[i] : self.in_indptr[i + 1]]

    def gather_out(self, rows: npt.NDArray[np.integer]) -> IndexArray:
        return _gather_rows(self.out_indptr, self.out_indices, rows)

    def following(self, user_id: int) -> IntArray:
        """External ids of the users `user_id` follows, ascending; empty for an unknown user."""
        i = self.index(user_id)
        return self.ids[self.out_row(i)] if i is not None else np.zeros(0, dtype=np.int64)

    def followers(self, user_id: int) -> IntArray:
        i = self.index(user_id)
        return self.ids[self.in_row(i)] if i is not None else np.zeros(0, dtype=np.int64)

    def follows(self, follower_id: int, followee_id: int) -> bool:
        i, j = self.index(follower_id), self.index(followee_id)
        if i is None or j is None:
            return False
        row = self.out_row(i)
        pos = int(np.searchsorted(row, j))
        return pos < row.size and int(row[pos]) == j

    def edges(self) -> tuple[IntArray, IntArray]:
        """All follows as (followers, followees) external-id arrays, sorted by follower."""
        src = np.repeat(np.arange(self.num_users, dtype=np.int64), self.out_degree)
        return self.ids[src], self.ids[self.out_indices]

    def without_edges(self, followers: npt.ArrayLike, followees: npt.ArrayLike) -> FollowGraph:
        """A copy without the given follows (users are kept even if they lose every edge)."""
        src, dst = self.edges()
        drop_src = _as_id_array(followers, "followers")
        drop_dst = _as_id_array(followees, "followees")
        # Compare in index space: every id here is in self.ids, so keys are exact.
        n = np.int64(self.num_users)
        have = np.searchsorted(self.ids, src) * n + np.searchsorted(self.ids, dst)
        known = np.isin(drop_src, self.ids) & np.isin(drop_dst, self.ids)
        drop = np.searchsorted(self.ids, drop_src[known]) * n + np.searchsorted(
            self.ids, drop_dst[known]
        )
        keep = ~np.isin(have, drop)
        return FollowGraph.from_edges(src[keep], dst[keep], users=self.ids)
