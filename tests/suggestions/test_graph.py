"""The in-process graph: incremental merges equal a full build; rebuilds on a version bump."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rookery.algorithms.wtf import FollowGraph
from rookery.suggestions.graph import (
    graph_from_sorted,
    graph_state,
    graph_version_bump,
    merge_new,
)
from tests.factories import make_follow
from tests.suggestions.conftest import people

FIELDS = ("ids", "out_indptr", "out_indices", "in_indptr", "in_indices", "out_degree", "in_degree")


def assert_same(a: FollowGraph, b: FollowGraph) -> None:
    for name in FIELDS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert set(a.popular.tolist()) == set(b.popular.tolist())


edges = st.lists(st.tuples(st.integers(1, 40), st.integers(1, 40)), max_size=120)


@settings(max_examples=60, deadline=None)
@given(old=edges, new=edges, new_users=st.lists(st.integers(1, 60), max_size=5))
def test_merging_new_rows_gives_the_graph_a_full_build_would(old, new, new_users):
    def arrays(pairs):
        return (
            np.array([a for a, _ in pairs], dtype=np.int64),
            np.array([b for _, b in pairs], dtype=np.int64),
        )

    base = FollowGraph.from_edges(*arrays(old), users=np.array([1000], dtype=np.int64))
    users = np.array(new_users, dtype=np.int64)
    merged = merge_new(base, *arrays(new), users)
    full = FollowGraph.from_edges(
        *arrays(old + new), users=np.concatenate([users, np.array([1000])])
    )
    assert_same(merged, full)


@settings(max_examples=60, deadline=None)
@given(pairs=edges, extra_users=st.lists(st.integers(1, 60), max_size=5))
def test_building_from_the_tables_order_gives_what_from_edges_gives(pairs, extra_users):
    unique = sorted({(a, b) for a, b in pairs if a != b})
    followers = np.array([a for a, _ in unique], dtype=np.int64)
    followees = np.array([b for _, b in unique], dtype=np.int64)
    users = np.unique(np.concatenate([followers, followees, np.array(extra_users, np.int64)]))
    assert_same(
        graph_from_sorted(users, followers, followees),
        FollowGraph.from_edges(followers, followees, users=users),
    )
    # An account missing from `users` (made while reading) falls back to a full build.
    if users.size > 1 and followers.size:
        fallback = graph_from_sorted(users[users != followers[0]], followers, followees)
        assert_same(fallback, FollowGraph.from_edges(followers, followees, users=users))


@pytest.mark.django_db
def test_graph_is_built_once_then_merged_and_rebuilt_on_a_version_bump(settings):
    settings.SUGGESTIONS_GRAPH_TTL = 0
    ana, bo, cy = people("ana", "bo", "cy")
    make_follow(ana, bo)
    first = graph_state()
    assert first.graph.follows(ana.pk, bo.pk)
    make_follow(bo, cy)
    merged = graph_state()
    assert merged.built_at == first.built_at  # merged, not rebuilt
    assert merged.graph.follows(bo.pk, cy.pk)
    from rookery.social.services import follow_delete

    follow_delete(follower=ana, followee=bo)
    assert graph_state().graph.follows(ana.pk, bo.pk)  # unfollows wait for a rebuild
    graph_version_bump()
    rebuilt = graph_state()
    assert rebuilt.built_at > first.built_at
    assert not rebuilt.graph.follows(ana.pk, bo.pk)
