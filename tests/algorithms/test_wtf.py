from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rookery.algorithms.wtf import METHODS, FollowGraph, suggest

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
    mutual=st.booleans(),
    data=st.data(),
)
def test_exclusions_and_privacy_hold_on_random_graphs(
    seed: int, users: int, density: int, method: str, mutual: bool, data: st.DataObject
) -> None:
    rng = np.random.default_rng(seed)
    g = random_graph(rng, users, users * density)
    if mutual:  # the mutual-graph code path (odd-step PPR, similar-users SALSA)
        a, b = g.edges()
        g = FollowGraph.from_edges(np.concatenate([a, b]), np.concatenate([b, a]))
        assert g.is_mutual or g.num_follows == 0
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


def mutual_graph(*pairs: tuple[int, int]) -> FollowGraph:
    """Each pair follows each other, as on a friendship network."""
    return graph_of(*pairs, *((b, a) for a, b in pairs))


def test_reciprocity_counts_returned_follows_and_marks_mutual_graphs() -> None:
    assert graph_of((ANA, BO), (BO, ANA), (ANA, CY), (CY, DEE)).reciprocity == 0.5
    assert not CIRCLE.is_mutual and CIRCLE.reciprocity == 0.0
    assert mutual_graph((ANA, BO), (BO, CY)).is_mutual
    assert (
        FollowGraph.from_edges(
            np.array([], dtype=np.int64), np.array([], dtype=np.int64)
        ).reciprocity
        == 0.0
    )


def test_reciprocity_is_sampled_on_large_graphs_and_matches_the_exact_share() -> None:
    from rookery.algorithms.wtf.graph import RECIPROCITY_SAMPLE

    rng = np.random.default_rng(4)
    a, b = rng.integers(0, 50_000, 150_000), rng.integers(0, 50_000, 150_000)
    # A third of the pairs returned: 2 of every 4 follows (the pair, both ways) are reciprocated.
    g = FollowGraph.from_edges(np.concatenate([a, b[:50_000]]), np.concatenate([b, a[:50_000]]))
    assert g.num_follows > RECIPROCITY_SAMPLE
    n = np.int64(g.num_users)
    src = np.repeat(np.arange(g.num_users, dtype=np.int64), g.out_degree)
    exact = np.isin(g.out_indices.astype(np.int64) * n + src, src * n + g.out_indices).mean()
    assert abs(g.reciprocity - exact) < 0.01
    assert g.reciprocity == g.reciprocity  # cached, and deterministic


# A mutual-follow graph where ana's friends bo and cy are also friends of dee and eve (people like
# ana), whose other friends fay and gus are the ones to suggest; hal is popular elsewhere.
SIMILAR = mutual_graph(
    (ANA, BO),
    (ANA, CY),
    (DEE, BO),
    (DEE, CY),
    (EVE, BO),
    (EVE, CY),
    (DEE, FAY),
    (EVE, FAY),
    (EVE, GUS),
    *((2000 + k, HAL) for k in range(6)),
)


def test_mutual_graphs_suggest_the_friends_of_people_like_you() -> None:
    assert SIMILAR.is_mutual
    for method in ("salsa", "ppr", "blend"):
        result = suggest(SIMILAR, ANA, method=method, rng_seed=1)  # type: ignore[arg-type]
        assert ids(result)[0] == FAY, method
        assert ids(result).index(GUS) < ids(result).index(HAL), method


def test_mutual_ppr_counts_only_odd_steps() -> None:
    from rookery.algorithms.wtf.ppr import personalized_pagerank

    ana = SIMILAR.index(ANA)
    rng = np.random.default_rng(0)
    odd = personalized_pagerank(SIMILAR, ana, rng, odd_steps_only=True)
    both = personalized_pagerank(SIMILAR, ana, np.random.default_rng(0))
    # The graph is two-coloured (ana, dee, eve and hal's fans on one side; bo, cy, fay, gus, hal
    # on the other), so ana's side is only ever reached at even steps.
    even_side = set(SIMILAR.indices([DEE, EVE, ANA]).tolist())
    assert even_side.isdisjoint(odd.index.tolist())
    assert even_side & set(both.index.tolist())
    assert set(SIMILAR.indices([FAY, GUS]).tolist()) <= set(odd.index.tolist())


def test_candidate_table_records_the_graph_kind_and_rank_uses_its_weights() -> None:
    from rookery.algorithms.wtf import candidate_table, rank
    from rookery.algorithms.wtf.blend import BLEND_WEIGHTS, MUTUAL_BLEND_WEIGHTS, weight_vector

    table = candidate_table(SIMILAR, ANA, rng_seed=1)
    assert table.mutual and not candidate_table(CIRCLE, ANA, rng_seed=1).mutual
    default = rank(table, "blend", 5)
    mutual = rank(table, "blend", 5, weight_vector(MUTUAL_BLEND_WEIGHTS))
    assert default[0].tolist() == mutual[0].tolist()
    assert np.allclose(default[1], mutual[1])
    directed = rank(table, "blend", 5, weight_vector(BLEND_WEIGHTS))
    assert not np.allclose(directed[1], mutual[1])


def test_co_followers_weight_paths_by_how_few_follow_the_middle() -> None:
    from rookery.algorithms.wtf.candidates import friends_of_friends

    # ana and bo follow cy (2 followers); ana and dee follow eve (3 followers, with fay).
    g = graph_of((ANA, CY), (BO, CY), (ANA, EVE), (DEE, EVE), (FAY, EVE))
    two_hop = friends_of_friends(g, g.index(ANA))
    co = two_hop.co_followers
    score = dict(zip(g.ids[co.index].tolist(), co.score.tolist(), strict=True))
    assert score[BO] == pytest.approx(1 / np.sqrt(2))
    assert score[DEE] == pytest.approx(1 / np.sqrt(3))
    assert score[FAY] == pytest.approx(1 / np.sqrt(3))
