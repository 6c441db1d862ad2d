"""`suggest`: who to follow for one user, with the reasons to show.

Privacy decision for users who hide their follow lists (`hidden_lists`): their follows still count
in the scores (friends of friends, PageRank, SALSA), because a score aggregates many paths and is
never shown; but they never appear as a reason ("followed by X") and are not counted in
`followed_by_count`, since either would reveal whom they follow. A caller who wants their edges
to have no influence at all can leave those edges out of the graph.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from rookery.algorithms.wtf.blend import (
    FEATURES,
    RANK_OFFSET,
    FloatArray,
    blend_scores,
    default_weights,
)
from rookery.algorithms.wtf.candidates import (
    Scored,
    SharedGroups,
    follow_back,
    friends_of_friends,
    popularity,
    selectivity,
    shared_groups,
)
from rookery.algorithms.wtf.graph import FollowGraph, IndexArray
from rookery.algorithms.wtf.ppr import personalized_pagerank
from rookery.algorithms.wtf.salsa import (
    DEFAULT_CIRCLE,
    MUTUAL_HUB_EXPONENT,
    MUTUAL_ITERATIONS,
    circle_of_trust,
    salsa,
    similar_users,
)

Method = Literal["popularity", "common_neighbours", "adamic_adar", "ppr", "salsa", "blend"]
METHODS: tuple[Method, ...] = get_args(Method)

MAX_REASONS = 5
# Each method hands its best POOL candidates to the blend; deeper ones almost never reach a
# top-20 list and would only cost time.
POOL = 100


@dataclass(frozen=True)
class Suggestion:
    user_id: int
    score: float
    followed_by: tuple[int, ...]  # visible people you follow who follow them, most selective first
    followed_by_count: int  # how many visible ones in all ("followed by Ana, Bo and 3 others")
    follows_you: bool
    shared_events: tuple[int, ...]
    shared_topics: tuple[str, ...]
    sources: tuple[str, ...]  # which candidate sources proposed them


@dataclass(frozen=True)
class CandidateTable:
    """Every candidate of one user with one row of blend features; what `suggest` ranks."""

    user: int | None  # graph index of the user (None: not in the graph yet)
    candidates: IndexArray
    features: FloatArray  # shape (len(candidates), len(FEATURES))
    method_scores: dict[str, FloatArray]  # raw score per method, 0 where not proposed
    sources: dict[str, npt.NDArray[np.bool_]]  # source name -> proposed-by mask
    events: SharedGroups
    topics: SharedGroups
    tiebreak: FloatArray = field(repr=False)  # in-degree, used to order equal scores
    # Scored as a mutual-follow graph (FollowGraph.is_mutual): PPR counts odd steps, SALSA starts
    # from similar users, and the blend uses MUTUAL_BLEND_WEIGHTS.
    mutual: bool = False


def _rng_for(user_id: int, rng_seed: int | None) -> np.random.Generator:
    # Without an explicit seed, seed from the user id: the same user sees the same list on every
    # page load until the graph changes.
    return np.random.default_rng(rng_seed if rng_seed is not None else (user_id & 0xFFFFFFFF))


def _rank_feature(scored: Scored, candidates: IndexArray) -> FloatArray:
    """1 / (RANK_OFFSET + rank) of each candidate in `scored`, 0 where absent.

    Equal scores share the best rank: one float sort instead of a full three-key ordering of what
    can be 100k friends of friends, and an arbitrary tie order would only add noise to a feature.
    """
    values = _score_on(scored, candidates)
    ahead = scored.score.size - np.searchsorted(np.sort(scored.score), values, side="right")
    return np.where(values > 0, 1.0 / (RANK_OFFSET + 1.0 + ahead), 0.0)


def _score_on(scored: Scored, candidates: IndexArray) -> FloatArray:
    values = np.zeros(candidates.size)
    if len(scored) == 0:
        return values
    pos = np.searchsorted(candidates, scored.index)
    found = (pos < candidates.size) & (
        candidates[np.minimum(pos, candidates.size - 1)] == scored.index
    )
    values[pos[found]] = scored.score[found]
    return values


def _order(scored: Scored, tiebreak: FloatArray, k: int | None = None) -> Scored:
    """Best first by score, then more followers, then lower index; only the top k if given."""
    index, score = scored.index, scored.score
    if k is not None and index.size > 2 * k:
        # Select the top k in linear time, then sort only those: a full lexsort of 100k friends
        # of friends was most of the request time on the million-user graph.
        kth = np.partition(score, index.size - k)[index.size - k]
        ahead = np.flatnonzero(score > kth)
        tied = np.flatnonzero(score == kth)
        need = k - ahead.size
        if tied.size > need:
            # Both parts are < 2**31, so one int64 key orders ties exactly.
            key = -tiebreak[index[tied]].astype(np.int64) * np.int64(2**31) + index[tied]
            tied = tied[np.argpartition(key, need - 1)[:need]]
        chosen = np.concatenate([ahead, tied])
        index, score = index[chosen], score[chosen]
    order = np.lexsort((index, -tiebreak[index], -score))
    if k is not None:
        order = order[:k]
    return Scored(index[order], score[order])


def _groups_scored(graph: FollowGraph, groups: SharedGroups) -> Scored:
    if not groups.scores:
        return Scored.empty()
    ids = np.fromiter(groups.scores.keys(), dtype=np.int64, count=len(groups.scores))
    values = np.fromiter(groups.scores.values(), dtype=np.float64, count=len(groups.scores))
    pos = np.minimum(np.searchsorted(graph.ids, ids), max(graph.num_users - 1, 0))
    inside = graph.ids[pos] == ids if graph.num_users else np.zeros(ids.size, dtype=bool)
    return Scored(pos[inside].astype(np.int32), values[inside])


def candidate_table(
    graph: FollowGraph,
    user_id: int,
    *,
    exclude: Collection[int] = frozenset(),
    requested: Collection[int] = frozenset(),
    events: Mapping[int, AbstractSet[int]] | None = None,
    topics: Mapping[int, AbstractSet[str]] | None = None,
    rng_seed: int | None = None,
    circle_size: int = DEFAULT_CIRCLE,
    pool: int = POOL,
) -> CandidateTable:
    rng = _rng_for(user_id, rng_seed)
    user = graph.index(user_id)
    mutual = graph.is_mutual
    banned_parts = [graph.indices([*exclude, *requested, user_id])]
    if user is not None:
        banned_parts.append(graph.out_row(user))
    banned = np.unique(np.concatenate(banned_parts)).astype(np.int32)
    tiebreak = graph.in_degree.astype(np.float64)

    methods: dict[str, Scored] = {"popularity": popularity(graph)}
    if user is not None:
        two_hop = friends_of_friends(graph, user)
        methods["common_neighbours"] = two_hop.common
        methods["adamic_adar"] = two_hop.adamic_adar
        methods["via_followees"] = two_hop.via_followees
        methods["via_followers"] = two_hop.via_followers
        if mutual:
            ppr = personalized_pagerank(graph, user, rng, odd_steps_only=True)
            circle = similar_users(user, two_hop.co_followers, circle_size)
            methods["salsa"] = salsa(
                graph,
                circle,
                rng,
                iterations=MUTUAL_ITERATIONS,
                hub_exponent=MUTUAL_HUB_EXPONENT,
            )
        else:
            ppr = personalized_pagerank(graph, user, rng)
            methods["salsa"] = (
                salsa(graph, circle_of_trust(user, ppr, circle_size), rng)
                if len(ppr)
                else Scored.empty()
            )
        methods["ppr"] = ppr
        methods["follows_you"] = follow_back(graph, user)
    shared_events = shared_groups(user_id, events)
    shared_topics = shared_groups(user_id, topics)
    methods["events"] = _groups_scored(graph, shared_events)
    methods["topics"] = _groups_scored(graph, shared_topics)
    methods = {name: scored.without(banned) for name, scored in methods.items()}

    proposals = {name: _order(scored, tiebreak, pool) for name, scored in methods.items()}
    candidates = np.unique(
        np.concatenate([p.index for p in proposals.values()] + [np.zeros(0, np.int32)])
    ).astype(np.int32)
    raw = {name: _score_on(scored, candidates) for name, scored in methods.items()}
    columns: dict[str, FloatArray] = {}
    for name in (
        "common_neighbours",
        "adamic_adar",
        "via_followees",
        "via_followers",
        "ppr",
        "salsa",
    ):
        scored = methods.get(name, Scored.empty())
        columns[f"{name}_rank"] = _rank_feature(scored, candidates)
        best = float(scored.score.max()) if len(scored) else 0.0
        values = raw.get(name, np.zeros(candidates.size))
        columns[f"{name}_score"] = values / best if best > 0 else values
    top_in = float(np.log1p(graph.in_degree.max())) if graph.num_users else 0.0
    columns["popularity"] = (
        np.log1p(graph.in_degree[candidates]) / top_in if top_in > 0 else np.zeros(candidates.size)
    )
    columns["follows_you"] = (raw.get("follows_you", np.zeros(candidates.size)) > 0).astype(float)
    for name in ("events", "topics"):
        best = float(raw[name].max()) if candidates.size else 0.0
        columns[name] = raw[name] / best if best > 0 else raw[name]
    features = (
        np.column_stack([columns[name] for name in FEATURES])
        if candidates.size
        else (np.zeros((0, len(FEATURES))))
    )
    sources = {name: np.isin(candidates, proposal.index) for name, proposal in proposals.items()}
    return CandidateTable(
        user=user,
        candidates=candidates,
        features=features,
        method_scores=raw,
        sources=sources,
        events=shared_events,
        topics=shared_topics,
        tiebreak=tiebreak[candidates],
        mutual=mutual,
    )


def rank(
    table: CandidateTable,
    method: Method = "blend",
    limit: int = 20,
    weights: FloatArray | None = None,
) -> tuple[IndexArray, FloatArray]:
    """Graph indices of the best `limit` candidates by `method`, and their scores.

    `weights` (a vector over blend.FEATURES) overrides the blend's weights, which otherwise are
    the mutual-graph or directed-graph set according to `table.mutual`.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if method == "blend":
        score = blend_scores(
            table.features, default_weights(table.mutual) if weights is None else weights
        )
        eligible = np.ones(table.candidates.size, dtype=bool)
    else:
        score = table.method_scores.get(method, np.zeros(table.candidates.size))
        eligible = score > 0
    # A method that proposes fewer than `limit` people is topped up with the most followed ones
    # (scored 0), the same fallback a new user gets.
    order = np.lexsort((table.candidates, -table.tiebreak, -score, ~eligible))[:limit]
    return table.candidates[order], np.where(eligible[order], score[order], 0.0)


_SOURCE_NAMES = {
    "common_neighbours": "friends_of_friends",
    "adamic_adar": "friends_of_friends",
    "via_followees": "friends_of_friends",
    "via_followers": "followed_by_your_followers",
    "ppr": "ppr",
    "salsa": "salsa",
    "follows_you": "follows_you",
    "events": "events",
    "topics": "topics",
    "popularity": "popularity",
}


def _reasons(
    graph: FollowGraph, user: int | None, candidate: int, invisible: IndexArray
) -> tuple[tuple[int, ...], int, bool]:
    if user is None:
        return (), 0, False
    mine = graph.out_row(user)
    theirs = graph.in_row(candidate)  # sorted, so membership is a binary search per followee
    pos = np.minimum(np.searchsorted(theirs, mine), max(theirs.size - 1, 0))
    middles = mine[theirs[pos] == mine] if theirs.size else mine[:0]
    if invisible.size:
        middles = middles[~np.isin(middles, invisible)]
    order = np.lexsort((graph.ids[middles], -selectivity(graph.out_degree[middles])))
    shown = tuple(int(x) for x in graph.ids[middles[order[:MAX_REASONS]]])
    back = graph.in_row(user)
    j = int(np.searchsorted(back, candidate))
    follows_you = j < back.size and int(back[j]) == candidate
    return shown, int(middles.size), follows_you


def suggest(
    graph: FollowGraph,
    user_id: int,
    *,
    limit: int = 20,
    exclude: Collection[int] = frozenset(),
    requested: Collection[int] = frozenset(),
    hidden_lists: Collection[int] = frozenset(),
    events: Mapping[int, AbstractSet[int]] | None = None,
    topics: Mapping[int, AbstractSet[str]] | None = None,
    rng_seed: int | None = None,
    method: Method = "blend",
) -> list[Suggestion]:
    """Up to `limit` people for `user_id` to follow, best first.

    Never returns the user, anyone they follow, anyone in `requested` (pending follow requests) or
    in `exclude` (blocks and mutes either way, suspended, dismissed, opted out: the caller decides).
    A user with no follows gets the most followed users, raised by shared events/topics and by
    following them. Deterministic for a given graph, inputs and `rng_seed`.
    """
    if limit <= 0:
        return []
    table = candidate_table(
        graph,
        user_id,
        exclude=exclude,
        requested=requested,
        events=events,
        topics=topics,
        rng_seed=rng_seed,
    )
    chosen, scores = rank(table, method, limit)
    invisible = graph.indices([*hidden_lists, *exclude])
    positions = np.searchsorted(table.candidates, chosen)
    result: list[Suggestion] = []
    for candidate, score, row in zip(chosen, scores, positions, strict=True):
        ext = int(graph.ids[candidate])
        followed_by, count, follows_you = _reasons(graph, table.user, int(candidate), invisible)
        names = dict.fromkeys(
            _SOURCE_NAMES[name] for name, mask in table.sources.items() if mask[row]
        )
        result.append(
            Suggestion(
                user_id=ext,
                score=float(score),
                followed_by=followed_by,
                followed_by_count=count,
                follows_you=follows_you,
                shared_events=tuple(int(e) for e in table.events.shared.get(ext, ())),  # type: ignore[call-overload]
                shared_topics=tuple(str(t) for t in table.topics.shared.get(ext, ())),
                sources=tuple(names),
            )
        )
    return result
