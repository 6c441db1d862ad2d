from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rookery.algorithms.wtf import METHODS, FollowGraph, suggest


# tests/conftest.py has autouse fixtures that touch Django (cache, on_commit). These tests cover a
# pure module and run with `-p no:django`, so shadow those fixtures here with no-ops.
@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    return None


@pytest.fixture(autouse=True)
def _run_after_commit_at_once() -> None:
    return None


ANA, BO, CY, DEE, EVE, FAY, GUS, HAL = 1001, 1002, 1003, 1004, 1005, 1006, 1007, 10**15


def graph_of(*follows: tuple[int, int]) -> FollowGraph:
    return FollowGraph.from_edges(
        np.array([a for a, _ in follows], dtype=np.int64),
        np.array([b for _, b in follows], dtype=np.int64),
    )


def ids(suggestions: list) -> list[int]:
    return [s.user_id for s in suggestions]


# ana follows bo, cy and dee; all three follow eve, only bo follows fay; gus is popular far away.
CIRCLE = graph_of(
    (ANA, BO),
    (ANA, CY),
    (ANA, DEE),
    (BO, EVE),
    (CY, EVE),
    (DEE, EVE),
    (BO, FAY),
    (HAL, GUS),
    (FAY, GUS),
    (2001, GUS),
    (2002, GUS),
)


def test_graph_maps_large_external_ids_and_drops_duplicates_and_self_follows() -> None:
    g = FollowGraph.from_edges(
        np.array([HAL, HAL, HAL, 7]), np.array([7, 7, HAL, HAL]), users=np.array([42])
    )
    assert g.num_users == 3
    assert g.num_follows == 2
    assert g.following(HAL).tolist() == [7]
    assert g.followers(HAL).tolist() == [7]
    assert g.follows(7, HAL) and not g.follows(42, 7)
    assert 42 in g and 43 not in g
    assert g.following(43).size == 0


def test_graph_rejects_mismatched_or_non_integer_edges() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        FollowGraph.from_edges(np.array([1, 2]), np.array([3]))
    with pytest.raises(TypeError, match="integer"):
        FollowGraph.from_edges(np.array([1.5]), np.array([2.0]))


def test_without_edges_removes_exactly_those_follows() -> None:
    g = CIRCLE.without_edges([ANA, BO], [BO, EVE])
    assert g.following(ANA).tolist() == [CY, DEE]
    assert EVE not in set(g.following(BO).tolist())
    assert g.num_follows == CIRCLE.num_follows - 2
    assert BO in g


@pytest.mark.parametrize("method", ["common_neighbours", "adamic_adar", "ppr", "blend"])
def test_friend_followed_by_all_your_follows_ranks_first(method: str) -> None:
    result = suggest(CIRCLE, ANA, method=method, rng_seed=1)
    assert result[0].user_id == EVE
    assert result[0].followed_by == (BO, CY, DEE) or set(result[0].followed_by) == {BO, CY, DEE}
    assert result[0].followed_by_count == 3


def test_salsa_prefers_the_account_most_followed_by_the_circle_of_trust() -> None:
    # eve is followed by both of ana's follows; fay by one; gus only from outside the circle.
    g = graph_of(
        (ANA, BO), (ANA, CY), (BO, EVE), (CY, EVE), (BO, FAY), (HAL, GUS), (DEE, GUS), (CY, DEE)
    )
    result = suggest(g, ANA, method="salsa", rng_seed=1)
    assert ids(result)[0] == EVE
    assert ids(result).index(EVE) < ids(result).index(GUS)


def test_reasons_list_visible_followers_and_sources() -> None:
    eve = next(s for s in suggest(CIRCLE, ANA, rng_seed=1) if s.user_id == EVE)
    assert "friends_of_friends" in eve.sources
    assert not eve.follows_you
    fay = next(s for s in suggest(CIRCLE, ANA, rng_seed=1) if s.user_id == FAY)
    assert fay.followed_by == (BO,)


def test_hidden_follow_lists_are_never_shown_as_reasons_but_still_count() -> None:
    result = suggest(CIRCLE, ANA, hidden_lists={BO, CY}, rng_seed=1)
    eve = next(s for s in result if s.user_id == EVE)
    assert eve.followed_by == (DEE,)
    assert eve.followed_by_count == 1
    assert result[0].user_id == EVE  # bo's and cy's follows still rank eve first
    assert all(BO not in s.followed_by and CY not in s.followed_by for s in result)


def test_never_suggests_self_followed_requested_or_excluded() -> None:
    result = suggest(CIRCLE, ANA, exclude={EVE}, requested={FAY}, rng_seed=1)
    assert {ANA, BO, CY, DEE, EVE, FAY}.isdisjoint(ids(result))
    assert GUS in ids(result)


def test_follow_back_is_suggested_with_its_reason() -> None:
    g = graph_of((ANA, BO), (CY, ANA), (BO, DEE))
    cy = next(s for s in suggest(g, ANA, rng_seed=1) if s.user_id == CY)
    assert cy.follows_you
    assert "follows_you" in cy.sources


def test_new_user_gets_the_most_followed_people() -> None:
    result = suggest(CIRCLE, 999, limit=3)
    assert result[0].user_id == GUS  # 4 followers
    assert result[1].user_id == EVE  # 3 followers
    assert all(s.sources == ("popularity",) for s in result)


def test_shared_events_and_topics_bring_in_and_explain_candidates() -> None:
    g = FollowGraph.from_edges(np.array([ANA, HAL]), np.array([BO, GUS]), users=np.array([CY, DEE]))
    events = {ANA: {7, 8}, CY: {7, 8}, DEE: {8}, HAL: {9}}
    topics = {ANA: {"rust"}, DEE: {"rust"}}
    result = suggest(g, ANA, events=events, topics=topics, rng_seed=1)
    by_id = {s.user_id: s for s in result}
    assert ids(result)[0] == CY  # two shared events beat one
    assert by_id[CY].shared_events == (7, 8)
    assert by_id[DEE].shared_events == (8,)
    assert by_id[DEE].shared_topics == ("rust",)
    assert "events" in by_id[CY].sources


def test_same_seed_same_list_and_default_seed_is_stable() -> None:
    g = random_graph(np.random.default_rng(3), 60, 400)
    user = int(g.ids[0])
    assert suggest(g, user, rng_seed=5) == suggest(g, user, rng_seed=5)
    assert suggest(g, user) == suggest(g, user)


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        suggest(CIRCLE, ANA, method="magic")  # type: ignore[arg-type]


def random_graph(rng: np.random.Generator, users: int, edges: int) -> FollowGraph:
    return FollowGraph.from_edges(
        rng.integers(0, users, edges) * 7 + 3, rng.integers(0, users, edges) * 7 + 3
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    users=st.integers(2, 40),
    density=st.integers(1, 6),
    method=st.sampled_from(METHODS),
    data=st.data(),
)
def test_exclusions_and_privacy_hold_on_random_graphs(
    seed: int, users: int, density: int, method: str, data: st.DataObject
) -> None:
    rng = np.random.default_rng(seed)
    g = random_graph(rng, users, users * density)
    everyone = [int(x) for x in g.ids]
    user = data.draw(st.sampled_from(everyone))
    exclude = set(data.draw(st.lists(st.sampled_from(everyone), max_size=5)))
    requested = set(data.draw(st.lists(st.sampled_from(everyone), max_size=3)))
    hidden = set(data.draw(st.lists(st.sampled_from(everyone), max_size=5)))
    result = suggest(
        g,
        user,
        limit=10,
        exclude=exclude,
        requested=requested,
        hidden_lists=hidden,
        rng_seed=seed,
        method=method,  # type: ignore[arg-type]
    )
    forbidden = {user} | exclude | requested | set(g.following(user).tolist())
    suggested = ids(result)
    assert forbidden.isdisjoint(suggested)
    assert len(suggested) == len(set(suggested)) <= 10
    following = set(g.following(user).tolist())
    for s in result:
        assert hidden.isdisjoint(s.followed_by)
        assert set(s.followed_by) <= following
        assert all(g.follows(m, s.user_id) for m in s.followed_by)
        assert len(s.followed_by) <= min(5, s.followed_by_count)
        assert s.follows_you == g.follows(s.user_id, user)
    scores = [s.score for s in result]
    assert scores == sorted(scores, reverse=True)
