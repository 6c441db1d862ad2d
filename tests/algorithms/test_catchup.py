from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from rookery.algorithms.catchup import (
    Candidate,
    GlobalPrior,
    Reader,
    ReaderModel,
    build_catchup,
    default_prior,
    fold,
    normalise_url,
    reading_seconds,
    shared_by_phrase,
    train_prior,
)
from rookery.algorithms.catchup.ranking import CatchupLimits
from tests.texts import CLICKBAIT, TECH

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def post(post_id: int, text: str, author: int | None = None, **kw: object) -> Candidate:
    fields: dict = dict(
        post_id=post_id,
        author_id=author if author is not None else 100 + post_id,
        text=text,
        created_at=NOW - timedelta(hours=2),
        hashtags=(),
        link_url=None,
        link_domain=None,
        is_question=False,
        is_open_question=False,
        likes=0,
        reposts=0,
        replies=0,
        author_followers=50,
        from_network=True,
    )
    fields.update(kw)
    return Candidate(**fields)


def reader(**kw: object) -> Reader:
    fields: dict = dict(
        user_id=1,
        topics=frozenset({"python", "postgres"}),
        muted_author_ids=frozenset(),
        blocked_ids=frozenset(),
        muted_words=(),
        affinity={},
    )
    fields.update(kw)
    return Reader(**fields)


@pytest.fixture(scope="module")
def prior() -> GlobalPrior:
    # A prior that knows clickbait from substance, so noise tests do not depend on how
    # cautious the shipped seed prior is.
    examples = [(t, True) for t in TECH] + [(t, False) for t in CLICKBAIT]
    examples += [(f"{n} reasons why you will love this amazing trick", False) for n in range(5, 30)]
    examples += [
        (f"Release notes for version {n}.0 of our database driver", True) for n in range(25)
    ]
    return train_prior(examples, c=10.0)


def shown_ids(catchup) -> list[int]:
    return [item.post_id for item in catchup.ranked()]


def all_post_ids(catchup) -> set[int]:
    ids = set()
    for item in [*catchup.ranked(), *catchup.skipped_noise]:
        ids.add(item.post_id)
        ids.update(item.folded_post_ids)
    return ids


# --- folding ---------------------------------------------------------------------------


def test_same_link_shared_by_several_people_folds_into_one_item_naming_two_and_counting_rest():
    url = "https://blog.example.org/postgres-17-backups/"
    posts = [
        post(
            i,
            f"Good read on backups, take {i}: {TECH[i % 3]}",
            author=10 + i,
            link_url=url + ("?utm_source=x" if i % 2 else ""),
            link_domain="blog.example.org",
        )
        for i in range(6)
    ]
    names = {10 + i: n for i, n in enumerate(["Ana", "Bo", "Cy", "Di", "Ed", "Fa"])}
    r = reader(affinity={11: 2.0, 13: 1.0})
    catchup = build_catchup(posts, r, ReaderModel(), now=NOW, names=names)

    items = [i for i in catchup.ranked() + catchup.skipped_noise]
    assert len(items) == 1
    item = items[0]
    assert {item.post_id, *item.folded_post_ids} == set(range(6))
    assert len(item.shared_by) == 6
    # People the reader interacts with most are named first.
    assert item.shared_by[:2] == (11, 13)
    assert "shared by Bo, Di and 4 others" in item.reasons


def test_url_normalisation_ignores_scheme_www_trailing_slash_tracking_and_fragment():
    assert normalise_url("http://www.Example.com/a/?utm_medium=x&id=3#top") == normalise_url(
        "https://example.com/a?id=3"
    )
    assert normalise_url("https://example.com/a?id=3") != normalise_url(
        "https://example.com/a?id=4"
    )


def test_shared_by_phrase():
    assert shared_by_phrase(["Ana"]) == "shared by Ana"
    assert shared_by_phrase(["Ana", "Bo"]) == "shared by Ana and Bo"
    assert shared_by_phrase(["Ana", "Bo", "Cy"]) == "shared by Ana, Bo and Cy"
    assert (
        shared_by_phrase(["Ana", "Bo", "Cy", "Di", "Ed", "Fa"]) == "shared by Ana, Bo and 4 others"
    )


def test_near_duplicate_texts_fold_but_different_texts_do_not():
    announcement = (
        "We just released version 3.2 of our PostgreSQL connection pooler with prepared "
        "statement support and a new admin console"
    )
    posts = [
        post(1, announcement),
        post(2, announcement.replace("We just released", "Just released:") + "!"),
        post(3, announcement.upper()),
        post(4, TECH[1]),
        post(5, TECH[4]),
    ]
    groups = fold(posts)
    by_member = {posts[i].post_id: g for g in groups for i in g.members}
    assert by_member[1] is by_member[2] is by_member[3]
    assert by_member[4] is not by_member[1]
    assert by_member[5] is not by_member[4]
    assert len(groups) == 3


def test_short_texts_do_not_fold_just_because_they_are_short():
    groups = fold([post(1, "Congrats!"), post(2, "Congrats!!"), post(3, "Congrats")])
    assert len(groups) == 3


# --- filters ---------------------------------------------------------------------------


def test_muted_words_match_whole_words_case_insensitively_including_hashtags():
    posts = [
        post(1, "Our take on CRYPTO wallets and key storage"),
        post(2, "Cryptography basics for web developers: hashing versus encryption"),
        post(3, "Ledger design notes", hashtags=("crypto",)),
        post(4, "Rust is great for command line tools"),
        post(5, "Trust and safety teams need better tooling"),
    ]
    r = reader(muted_words=("crypto", "Rust"))
    catchup = build_catchup(posts, r, ReaderModel(), now=NOW)
    assert all_post_ids(catchup) == {2, 5}
    assert catchup.total_candidates == 5


def test_muted_words_with_punctuation_still_match_whole():
    posts = [post(1, "Modern C++ templates explained"), post(2, "C and its pitfalls, explained")]
    catchup = build_catchup(posts, reader(muted_words=("c++", "#web3")), ReaderModel(), now=NOW)
    assert all_post_ids(catchup) == {2}


def test_blocked_and_muted_authors_are_removed_and_never_named_as_sharers():
    url = "https://example.com/article"
    posts = [
        post(1, TECH[0], author=7, link_url=url),
        post(2, TECH[0] + " (worth it)", author=8, link_url=url),
        post(3, TECH[2], author=9),
        post(4, TECH[3], author=10, shared_by=(7, 11)),
        post(5, TECH[5], author=12),
    ]
    r = reader(blocked_ids=frozenset({7}), muted_author_ids=frozenset({9, 12}))
    catchup = build_catchup(posts, r, ReaderModel(), now=NOW)
    items = catchup.ranked() + catchup.skipped_noise
    assert all_post_ids(catchup) == {2, 4}
    for item in items:
        assert 7 not in item.shared_by and 9 not in item.shared_by
    assert next(i for i in items if i.post_id == 4).shared_by == (10, 11)


# --- noise -----------------------------------------------------------------------------


def test_noise_is_skipped_counted_and_listed(prior):
    posts = [post(i, t) for i, t in enumerate(TECH[:4])]
    posts += [post(10 + i, t) for i, t in enumerate(CLICKBAIT)]
    catchup = build_catchup(posts, reader(), ReaderModel(prior), now=NOW)
    assert {i.post_id for i in catchup.skipped_noise} == {10, 11, 12}
    assert len(catchup.skipped_noise) == catchup.skipped_count == 3
    assert set(shown_ids(catchup)) == {0, 1, 2, 3}
    assert all(i.p_signal < 0.5 and i.section == "noise" for i in catchup.skipped_noise)
    assert all(i.reasons[0].startswith("skipped as noise") for i in catchup.skipped_noise)


def test_not_noise_feedback_rescues_a_post_at_once(prior):
    model = ReaderModel(prior)
    bait = post(10, CLICKBAIT[0])
    assert build_catchup([bait], reader(), model, now=NOW).skipped_count == 1
    model.learn(bait, "not_noise")
    catchup = build_catchup([bait], reader(), model, now=NOW)
    assert catchup.skipped_count == 0 and shown_ids(catchup) == [10]


def test_default_prior_skips_obvious_clickbait_less_than_it_keeps_substance():
    model = ReaderModel(default_prior())
    p_tech, _ = model.predict_candidates([post(i, t) for i, t in enumerate(TECH)])
    p_bait, _ = model.predict_candidates([post(i, t) for i, t in enumerate(CLICKBAIT)])
    # A brand-new reader loses nothing of substance to the untrained filter.
    assert p_tech.min() >= 0.5
    assert p_bait.mean() < p_tech.mean()


# --- learning ---------------------------------------------------------------------------


def test_less_like_this_pushes_similar_items_down_in_the_next_catch_up(prior):
    kube = [
        post(1, "Kubernetes operators in practice: reconcile loops and finalizers", author=21),
        post(2, "Writing a Kubernetes operator: reconcile loops, finalizers and CRDs", author=22),
        post(3, "Kubernetes operator patterns: reconcile loops done right", author=23),
    ]
    others = [post(10 + i, t, author=30 + i) for i, t in enumerate([TECH[1], TECH[3], TECH[6]])]
    # The reader interacts with the Kubernetes authors, so their posts start on top.
    r = reader(topics=frozenset(), affinity={22: 1.0, 23: 1.0})
    model = ReaderModel(prior)
    before = build_catchup(kube[1:] + others, r, model, now=NOW)
    model.learn(kube[0], "less")
    after = build_catchup(kube[1:] + others, r, model, now=NOW)

    assert set(shown_ids(before)) == set(shown_ids(after))
    assert set(shown_ids(before)[:2]) == {2, 3}
    assert set(shown_ids(after)[-2:]) == {2, 3}
    # Unrelated posts keep (almost) their score: the step is local to similar features.
    score = {i.post_id: i.score for i in before.ranked()}
    for item in after.ranked():
        if item.post_id >= 10:
            assert item.score == pytest.approx(score[item.post_id], abs=0.3)


def test_more_like_this_pulls_similar_items_up(prior):
    rust = post(1, "Rust async runtimes: tokio internals and the work-stealing scheduler", author=5)
    similar = post(2, "Inside tokio: how the Rust work-stealing scheduler balances tasks", author=6)
    others = [post(10 + i, t, author=30 + i) for i, t in enumerate(TECH[:4])]
    model = ReaderModel(prior)
    r = reader(topics=frozenset())
    assert shown_ids(build_catchup([similar, *others], r, model, now=NOW))[0] != 2
    model.learn(rust, "more")
    assert shown_ids(build_catchup([similar, *others], r, model, now=NOW))[0] == 2


def test_unknown_label_is_refused():
    with pytest.raises(ValueError, match="unknown feedback label"):
        ReaderModel().learn(post(1, TECH[0]), "meh")  # type: ignore[arg-type]


def test_serialisation_round_trip_keeps_predictions_and_reset_forgets(prior):
    model = ReaderModel(prior)
    posts = [post(i, t) for i, t in enumerate(TECH + CLICKBAIT)]
    model.learn(posts[0], "less")
    model.learn(posts[-1], "not_noise")
    model.learn(posts[3], "more")
    data = model.to_bytes()
    assert isinstance(data, bytes)
    restored = ReaderModel.from_bytes(data, prior)
    for a, b in zip(
        model.predict_candidates(posts), restored.predict_candidates(posts), strict=True
    ):
        assert a == pytest.approx(b, abs=1e-5)
    assert restored.feedback_counts == model.feedback_counts

    fresh = ReaderModel(prior)
    restored.reset()
    assert restored.is_untrained
    assert sum(restored.feedback_counts.values()) == 0
    for a, b in zip(
        fresh.predict_candidates(posts), restored.predict_candidates(posts), strict=True
    ):
        assert a == pytest.approx(b)


def test_corrupt_or_foreign_model_bytes_are_refused(prior):
    with pytest.raises(ValueError):
        ReaderModel.from_bytes(b"garbage", prior)
    with pytest.raises(ValueError):
        ReaderModel.from_bytes(b"RKCM1" + b"not zlib", prior)


def test_prior_round_trip(prior):
    again = GlobalPrior.from_bytes(prior.to_bytes())
    posts = [post(i, t) for i, t in enumerate(TECH + CLICKBAIT)]
    assert ReaderModel(again).predict_candidates(posts)[0] == pytest.approx(
        ReaderModel(prior).predict_candidates(posts)[0], abs=1e-5
    )


def test_train_prior_accepts_feedback_labels_and_ignores_less():
    examples = [(t, "not_noise") for t in TECH] + [(t, "noise") for t in CLICKBAIT]
    examples += [(t, "less") for t in CLICKBAIT]
    assert isinstance(train_prior(examples), GlobalPrior)
    with pytest.raises(ValueError, match="both"):
        train_prior([(t, "less") for t in TECH] + [(TECH[0], "more")])


# --- sections, caps, budget ----------------------------------------------------------------


def test_sections_technical_questions_and_network_with_reasons(prior):
    posts = [
        post(1, "Tuning PostgreSQL autovacuum for a large table", hashtags=("postgres", "python")),
        post(
            2,
            "How do I avoid N+1 queries with the Django ORM and PostgreSQL?",
            hashtags=("postgres",),
            is_question=True,
            is_open_question=True,
        ),
        post(
            3,
            "Any recommendations for a good espresso grinder for the office?",
            is_question=True,
            is_open_question=True,
        ),
        post(4, "Great to catch up with the team at the offsite yesterday, thanks everyone"),
        post(
            5,
            "Quarterly results: the chip maker grew data centre revenue again",
            link_url="https://news.example.com/q3",
            link_domain="news.example.com",
        ),
    ]
    catchup = build_catchup(posts, reader(), ReaderModel(prior), now=NOW)
    assert list(catchup.sections) == ["technical", "questions", "network"]
    by_id = {i.post_id: i for i in catchup.ranked()}
    assert {i.post_id for i in catchup.sections["technical"]} == {1, 5}
    assert [i.post_id for i in catchup.sections["questions"]] == [2]
    # An open question outside the reader's expertise is not one they could answer.
    assert {i.post_id for i in catchup.sections["network"]} == {3, 4}
    assert "technical: #postgres #python" in by_id[1].reasons
    assert "question about #postgres" in by_id[2].reasons
    assert "industry news from news.example.com" in by_id[5].reasons


def test_popular_with_people_you_follow_reason(prior):
    p = post(1, TECH[0], shared_by=(2, 3, 4))
    item = build_catchup([p], reader(), ReaderModel(prior), now=NOW).ranked()[0]
    assert "popular with people you follow" in item.reasons
    assert item.shared_by[0] == p.author_id or set(item.shared_by) == {101, 2, 3, 4}


def test_diversity_cap_per_author(prior):
    posts = [post(i, TECH[i], author=1) for i in range(8)]
    posts.append(post(50, TECH[9], author=2))
    catchup = build_catchup(posts, reader(), ReaderModel(prior), now=NOW)
    authors = [p.author_id for p in posts for i in catchup.ranked() if i.post_id == p.post_id]
    assert authors.count(1) == CatchupLimits().max_per_author
    assert 50 in shown_ids(catchup)


def test_diversity_cap_per_topic(prior):
    posts = [post(i, TECH[i], author=200 + i, hashtags=("python",)) for i in range(9)]
    posts.append(post(60, TECH[11], author=400, hashtags=("postgres",)))
    catchup = build_catchup(posts, reader(), ReaderModel(prior), now=NOW)
    shown = shown_ids(catchup)
    assert len([i for i in shown if i < 9]) == CatchupLimits().max_per_topic
    assert 60 in shown


def test_reading_budget_limits_total_reading_time(prior):
    rng = random.Random(4)
    vocab = " ".join(TECH).split()
    # Random word salads: long enough to cost over a minute each, too different to fold.
    posts = [post(i, " ".join(rng.choices(vocab, k=300)), author=300 + i) for i in range(40)]
    one = reading_seconds(posts[0])
    r = reader(reading_budget_minutes=5)
    catchup = build_catchup(posts, r, ReaderModel(prior), now=NOW)
    shown = catchup.ranked()
    spent = sum(reading_seconds(p) for p in posts if p.post_id in {i.post_id for i in shown})
    assert spent <= 5 * 60
    assert len(shown) == int(300 // one)
    bigger = build_catchup(
        posts, replace(r, reading_budget_minutes=15), ReaderModel(prior), now=NOW
    )
    assert len(bigger.ranked()) > len(shown)


def test_reading_time_grows_with_length_and_links():
    short = post(1, "Short note")
    longer = post(2, " ".join(["word"] * 230))
    linked = replace(short, link_url="https://example.com")
    assert reading_seconds(short) < reading_seconds(linked)
    assert reading_seconds(longer) == pytest.approx(reading_seconds(short) + 60 - 2 * 60 / 230)


def test_empty_and_fully_filtered_input():
    empty = build_catchup([], reader(), ReaderModel(), now=NOW)
    assert empty.total_candidates == 0 and empty.ranked() == [] and empty.skipped_noise == []
    gone = build_catchup(
        [post(1, TECH[0], author=5)], reader(blocked_ids=frozenset({5})), ReaderModel(), now=NOW
    )
    assert gone.total_candidates == 1 and gone.ranked() == [] and gone.skipped_count == 0
