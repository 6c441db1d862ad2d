"""Personalized SALSA over the circle of trust, as in Twitter's "WTF" (Gupta et al., WWW 2013).

Hubs are the user plus the users with the highest personalized PageRank (the circle of trust);
authorities are everyone the hubs follow. Scores come from a random walk that alternates
hub -> authority -> hub along follows and restarts at the hubs in proportion to their PPR, so an
authority scores high when it is followed by many trusted hubs that follow few others.

On a mutual-follow graph (`FollowGraph.is_mutual`) the PageRank circle is the wrong one: a walk
there reaches the user's own friends as often as people like the user, and the friends' friends are
more people like the user, not whom to follow. There the hubs are the users who share the user's
follows (`similar_users`, the even side of the bipartite walk), and one hub -> authority step with
a 1 / sqrt(hub degree) discount ranks the authorities. On GitHub tuning seeds 100-102 this took
SALSA P@10 from ~.22 to ~.30 (the reference "PPR circle of trust + SALSA" is .262); more iterations
or the full 1 / degree SALSA discount drifted back towards merely popular accounts (.23-.28).
"""

from __future__ import annotations

import numpy as np

from rookery.algorithms.wtf.candidates import Scored
from rookery.algorithms.wtf.graph import FollowGraph

# 400 raised GitHub SALSA P@10 by ~.01 on tuning seeds but doubled the p99 suggestion time (with
# the PageRank circle; with the similar-users circle of mutual graphs 400 gained nothing).
DEFAULT_CIRCLE = 200
DEFAULT_ITERATIONS = 8
DEFAULT_RESTART = 0.2
# A hub that follows 50k accounts adds 50k authorities of tiny weight; sample its follows instead
# so one request stays bounded.
MAX_FOLLOWS_PER_HUB = 1000


def circle_of_trust(user: int, ppr: Scored, size: int) -> Scored:
    """The user (weight = the largest PPR, so they always lead) plus the top `size` PPR users."""
    others = Scored(ppr.index[ppr.index != user], ppr.score[ppr.index != user]).ranked(size)
    own = float(others.score[0]) if len(others) else 1.0
    return Scored(
        np.concatenate([[user], others.index]).astype(np.int32),
        np.concatenate([[own], others.score]),
    )


# SALSA on mutual-follow graphs (see the module docstring), chosen on GitHub seeds 100-102.
MUTUAL_ITERATIONS = 1
MUTUAL_HUB_EXPONENT = 0.5


def similar_users(user: int, co_followers: Scored, size: int) -> Scored:
    """The user plus the `size` users who most share the user's follows, as a SALSA circle.

    `co_followers` scores u -> m <- x paths (friends_of_friends); the user leads with the top
    weight, as in `circle_of_trust`, so their own follows stay in the authority set.
    """
    return circle_of_trust(user, co_followers, size)


def salsa(
    graph: FollowGraph,
    circle: Scored,
    rng: np.random.Generator,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    restart: float = DEFAULT_RESTART,
    max_follows_per_hub: int = MAX_FOLLOWS_PER_HUB,
    hub_exponent: float = 1.0,
) -> Scored:
    """Authority scores of the follows of the circle's hubs.

    `hub_exponent` is the power of the hub degree that divides a hub's score among its follows:
    1.0 is SALSA's random walk; smaller values let hubs that follow many people count for more.
    """
    hubs = circle.index
    degrees = graph.out_degree[hubs].astype(np.int64)
    capped = np.minimum(degrees, max_follows_per_hub)
    hub_rows = np.repeat(np.arange(hubs.size), capped)
    offsets = np.cumsum(capped) - capped
    within = np.arange(int(capped.sum())) - np.repeat(offsets, capped)
    # Hubs over the cap get a uniform sample of their follows (with replacement, then deduplicated),
    # all in one vectorised draw: a per-hub choice() without replacement costs a permutation each.
    big = np.repeat(degrees > max_follows_per_hub, capped)
    if big.any():
        within[big] = rng.integers(0, np.repeat(degrees, capped)[big])
    positions = np.repeat(graph.out_indptr[hubs], capped) + within
    positions, first = np.unique(positions, return_index=True)
    hub_rows = hub_rows[first]
    if positions.size == 0:
        return Scored.empty()
    authorities, auth_cols = np.unique(graph.out_indices[positions], return_inverse=True)
    hub_degree = np.bincount(hub_rows, minlength=hubs.size).astype(np.float64)
    auth_degree = np.bincount(auth_cols, minlength=authorities.size).astype(np.float64)
    start = circle.score / circle.score.sum()
    hub_score = start
    authority = np.zeros(authorities.size)
    safe_hub_degree = np.maximum(hub_degree, 1.0) ** hub_exponent
    for _ in range(iterations):
        authority = np.bincount(
            auth_cols, weights=(hub_score / safe_hub_degree)[hub_rows], minlength=authorities.size
        )
        back = np.bincount(
            hub_rows, weights=(authority / auth_degree)[auth_cols], minlength=hubs.size
        )
        hub_score = (1.0 - restart) * back + restart * start
    return Scored(authorities.astype(np.int32), authority)
