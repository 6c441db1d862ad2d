"""Who to follow (issue #5): candidates from friends of friends, a PageRank circle of trust with
SALSA, follow-back, shared events and topics and popularity, blended into one ranking.

Pure numpy: Django code loads the follow edges, builds a `FollowGraph` (once, then reuses it) and
calls `suggest` per user.
"""

from rookery.algorithms.wtf.graph import FollowGraph
from rookery.algorithms.wtf.suggest import (
    METHODS,
    CandidateTable,
    Method,
    Suggestion,
    candidate_table,
    rank,
    suggest,
)

__all__ = [
    "METHODS",
    "CandidateTable",
    "FollowGraph",
    "Method",
    "Suggestion",
    "candidate_table",
    "rank",
    "suggest",
]
