"""Cheap candidate sources: friends of friends, follow-back, popularity, shared events and topics.

Every source returns `Scored`: candidate indices with one score each, in no particular order and
not yet filtered (the caller removes self, followed, requested and excluded users once, for all
sources together).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rookery.algorithms.wtf.graph import FollowGraph, IndexArray, _gather_rows

FloatArray = npt.NDArray[np.float64]

# A user who follows a few accounts that each follow 100k people would otherwise cost a 100k-row
# gather per request. Past this many two-hop paths we drop the least selective middles first: they
# carry the smallest Adamic-Adar weight, so the ranking barely moves.
MAX_TWO_HOP_PATHS = 200_000


@dataclass(frozen=True)
class Scored:
    index: IndexArray
    score: FloatArray

    @classmethod
    def empty(cls) -> Scored:
        return cls(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))

    def __len__(self) -> int:
        return int(self.index.size)

    def without(self, banned: IndexArray) -> Scored:
        """Drop candidates in `banned` (sorted unique indices)."""
        if banned.size == 0 or self.index.size == 0:
            return self
        keep = ~np.isin(self.index, banned, assume_unique=False)
        return Scored(self.index[keep], self.score[keep])

    def ranked(self, k: int | None = None) -> Scored:
        """Best first; ties go to the lower index (i.e. the lower external id) for determinism."""
        order = np.lexsort((self.index, -self.score))
        if k is not None:
            order = order[:k]
        return Scored(self.index[order], self.score[order])


def selectivity(out_degree: npt.NDArray[np.integer]) -> FloatArray:
    """Adamic-Adar weight of a middle person: following few people makes each follow meaningful."""
    return 1.0 / np.log1p(np.maximum(out_degree, 1).astype(np.float64))


@dataclass(frozen=True)
class TwoHop:
    """Two-hop paths u - m - c ignoring direction, and the two directed kinds that matter most.

    Directed graphs hold signal in both directions: people followed by those who follow you are
    good suggestions (reciprocity), not only people followed by those you follow.
    """

    common: Scored  # number of paths u - m - c in any direction
    adamic_adar: Scored  # the same paths weighted by the selectivity of m (1 / log degree)
    via_followees: Scored  # u -> m -> c, weighted by 1 / log(1 + m's follows)
    via_followers: Scored  # u <- m -> c, weighted the same way
    # u -> m <- c: people who follow what the user follows, weighted by 1 / sqrt(m's followers).
    # The SALSA circle of trust on mutual graphs (salsa.similar_users); sqrt rather than log
    # because a star followed by thousands says little about likeness (tuning seeds, GitHub).
    co_followers: Scored


def _cap_middles(middles: IndexArray, cost: npt.NDArray[np.int64], max_paths: int) -> IndexArray:
    if int(cost.sum()) <= max_paths:
        return middles
    by_selectivity = np.argsort(cost, kind="stable")
    within = np.cumsum(cost[by_selectivity]) <= max_paths
    within[0] = True  # always keep the most selective one
    return np.sort(middles[by_selectivity[within]])


def friends_of_friends(
    graph: FollowGraph, user: int, *, max_paths: int = MAX_TWO_HOP_PATHS
) -> TwoHop:
    # Degrees are read only at the user's neighbours and middles: casting or transforming the
    # full degree arrays would cost milliseconds per request on a million-user graph.
    out_deg, in_deg = graph.out_degree, graph.in_degree
    mine, theirs = graph.out_row(user), graph.in_row(user)
    # Half the budget for each side of the user, spent on the most selective middles first.
    followees = _cap_middles(mine, out_deg[mine].astype(np.int64) * 2, max_paths // 2)
    followers = _cap_middles(theirs, out_deg[theirs].astype(np.int64) * 2, max_paths // 2)
    if followees.size == 0 and followers.size == 0:
        empty = Scored.empty()
        return TwoHop(empty, empty, empty, empty, empty)
    parts = [
        (followees, graph.out_indptr, graph.out_indices, out_deg),
        (followers, graph.out_indptr, graph.out_indices, out_deg),
        (followees, graph.in_indptr, graph.in_indices, in_deg),
        (followers, graph.in_indptr, graph.in_indices, in_deg),
    ]
    reached = [_gather_rows(indptr, indices, m) for m, indptr, indices, _ in parts]
    lengths = [deg[m] for m, _, _, deg in parts]
    candidates, inverse = np.unique(np.concatenate(reached), return_inverse=True)
    bounds = np.cumsum([0] + [r.size for r in reached])
    size = candidates.size

    def weighted(kinds: range, weight: Callable[[IndexArray], FloatArray] | None) -> FloatArray:
        """Paths of the given kinds per candidate, each weighted by weight(its middle)."""
        lo, hi = bounds[kinds.start], bounds[kinds.stop]
        w = None
        if weight is not None:
            w = np.concatenate(
                [np.repeat(weight(parts[k][0]), lengths[k]) for k in kinds] + [np.zeros(0)]
            )
        return np.bincount(inverse[lo:hi], weights=w, minlength=size).astype(np.float64)

    def undirected(m: IndexArray) -> FloatArray:
        return selectivity(out_deg[m].astype(np.int64) + in_deg[m])

    def directed(m: IndexArray) -> FloatArray:
        return selectivity(out_deg[m])

    def star_discount(m: IndexArray) -> FloatArray:
        return 1.0 / np.sqrt(np.maximum(in_deg[m], 1).astype(np.float64))

    candidates = candidates.astype(np.int32)

    def reached_only(score: FloatArray) -> Scored:
        # The directed kinds reach a fraction of the candidates; zeros would only slow ranking.
        hit = score > 0
        return Scored(candidates[hit], score[hit])

    return TwoHop(
        common=Scored(candidates, weighted(range(4), None)),
        adamic_adar=Scored(candidates, weighted(range(4), undirected)),
        via_followees=reached_only(weighted(range(1), directed)),
        via_followers=reached_only(weighted(range(1, 2), directed)),
        co_followers=reached_only(weighted(range(2, 3), star_discount)),
    )


def follow_back(graph: FollowGraph, user: int) -> Scored:
    """People who follow the user (the followed ones are filtered later with everything else)."""
    followers = graph.in_row(user)
    return Scored(followers.copy(), np.ones(followers.size, dtype=np.float64))


def popularity(graph: FollowGraph) -> Scored:
    return Scored(graph.popular, graph.in_degree[graph.popular].astype(np.float64))


@dataclass(frozen=True)
class SharedGroups:
    """Users who share groups (events or topics) with the target user, in external ids."""

    scores: dict[int, float]
    shared: dict[int, tuple[Hashable, ...]]


def shared_groups(
    user_id: int, memberships: Mapping[int, AbstractSet[Hashable]] | None
) -> SharedGroups:
    """Score co-members by sum over shared groups of 1 / log(1 + group size).

    Small groups (a workshop of twelve) say more than huge ones (a 5,000-seat keynote), the same
    idea as Adamic-Adar. `memberships` maps user id -> group ids; group sizes are counted within
    it, so callers should pass every member of the target user's groups (and may omit the rest:
    the scan is linear in the mapping).
    """
    if not memberships:
        return SharedGroups({}, {})
    mine = memberships.get(user_id)
    if not mine:
        return SharedGroups({}, {})
    sizes: dict[Hashable, int] = dict.fromkeys(mine, 0)
    overlaps: dict[int, list[Hashable]] = {}
    for other, groups in memberships.items():
        common = mine & groups if len(groups) > len(mine) else groups & mine
        if not common:
            continue
        for group in common:
            sizes[group] += 1
        if other != user_id:
            overlaps[other] = sorted(common, key=repr)
    weight = {group: 1.0 / math.log1p(max(size, 2)) for group, size in sizes.items()}
    scores = {other: float(sum(weight[g] for g in groups)) for other, groups in overlaps.items()}
    # Reasons list the most selective (smallest) groups first.
    shared = {
        other: tuple(sorted(groups, key=lambda g: (sizes[g], repr(g))))
        for other, groups in overlaps.items()
    }
    return SharedGroups(scores, shared)
