from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rookery.feeds.parsing import FeedEntry
from rookery.feeds.summary import (
    Article,
    draft_post,
    extract_article,
    post_length,
    render_template,
    split_sentences,
    suggest_hashtags,
    summarise,
    to_hashtag,
    validate_template,
)

TITLE = "Sharding Postgres with Citus"
ARTICLE = """Postgres is the default database for most new web projects. But running it at scale \
takes care.

In this post I describe how we moved our Postgres cluster from a single primary to a sharded \
setup with Citus. The migration took three months, e.g. because of foreign keys. Dr. Smith helped.

We measured query latency before and after the migration. The p99 latency of our Postgres \
queries dropped from 900 ms to 120 ms after sharding.

Sharding is not free: cross-shard joins are slow, and schema changes need coordination across \
nodes. Still, for our write-heavy workload, Postgres with Citus was the right choice.
"""
LINK = "https://blog.example.com/posts/sharding-postgres"
HASHTAG = re.compile(r"#[A-Za-z_][A-Za-z0-9_]*")


def ends_like_a_sentence(text: str) -> bool:
    core = text.rstrip("\"')]\u201d\u2019")
    return bool(core) and core[-1] in ".!?…"


def test_sentence_splitting_respects_abbreviations_and_initials() -> None:
    text = "Dr. Smith met J. R. R. Tolkien at 5 p.m. in the U.S. office. Then they left! Why?"
    assert split_sentences(text) == [
        "Dr. Smith met J. R. R. Tolkien at 5 p.m. in the U.S. office.",
        "Then they left!",
        "Why?",
    ]
    assert split_sentences("Heading\n\nBody text here. More.") == [
        "Heading",
        "Body text here.",
        "More.",
    ]


def test_summary_is_one_or_two_whole_sentences_in_article_order() -> None:
    summary = summarise(ARTICLE, title=TITLE, max_chars=200)
    sentences = split_sentences(ARTICLE)
    picked = split_sentences(summary)
    assert 1 <= len(picked) <= 2
    assert all(s in sentences for s in picked)
    assert [sentences.index(s) for s in picked] == sorted(sentences.index(s) for s in picked)
    assert len(summary) <= 200


def test_summary_prefers_central_sentences_over_dangling_ones() -> None:
    summary = summarise(ARTICLE, title=TITLE, max_chars=300)
    assert "But running it" not in summary
    assert "Dr. Smith helped." not in summary


def test_too_long_sentence_is_trimmed_at_a_word_boundary_with_ellipsis() -> None:
    summary = summarise(ARTICLE, title=TITLE, max_chars=30)
    assert summary.endswith("…")
    assert len(summary) <= 30
    words = ARTICLE.split()
    assert all(w in words for w in summary[:-1].split())


def test_summary_edge_cases() -> None:
    assert summarise("", title=None, max_chars=100) == ""
    assert summarise(ARTICLE, title=None, max_chars=0) == ""
    assert summarise("Supercalifragilistic.", title=None, max_chars=5) == ""
    assert summarise("a heading without punctuation", title=None, max_chars=100) == (
        "a heading without punctuation."
    )


WORDS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéü", min_size=1, max_size=14
)
SENTENCE = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(WORDS, min_size=1, max_size=30),
    st.sampled_from([".", "!", "?", "", ".\u201d", "…"]),
)
TEXT = st.lists(st.lists(SENTENCE, min_size=1, max_size=6), min_size=0, max_size=6).map(
    lambda paras: "\n\n".join(" ".join(p) for p in paras)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, title=st.none() | SENTENCE, max_chars=st.integers(min_value=0, max_value=700))
def test_summary_fits_and_never_cuts_a_word(text: str, title: str | None, max_chars: int) -> None:
    summary = summarise(text, title=title, max_chars=max_chars)
    assert len(summary) <= max_chars
    if not summary:
        return
    assert ends_like_a_sentence(summary)
    source_words = set(text.split())
    for word in summary.removesuffix("…").split():
        # A sentence may have gained a full stop, and a source "…" can look like our own.
        assert word in source_words or word[:-1] in source_words or word + "…" in source_words


def test_hashtags_come_from_the_text_and_favour_the_authors_topics() -> None:
    tags = suggest_hashtags(ARTICLE, title=TITLE, author_topics=["rust", "postgres"])
    assert 1 <= len(tags) <= 3
    assert tags[0] == "#Postgres"
    assert "#Rust" not in tags
    assert all(HASHTAG.fullmatch(t) for t in tags)
    assert len({t.lower() for t in tags}) == len(tags)


def test_multiword_topics_become_camel_case() -> None:
    text = "Machine learning is everywhere. We used machine-learning models for ranking."
    tags = suggest_hashtags(text, title=None, author_topics=["Machine Learning"], max_tags=1)
    assert tags == ["#MachineLearning"]


@pytest.mark.parametrize(
    ("phrase", "tag"),
    [
        ("machine learning", "#MachineLearning"),
        ("PostgreSQL", "#PostgreSQL"),
        ("iOS apps", "#iOSApps"),
        ("café culture", "#CafeCulture"),
        ("C++", "#C"),
        ("web 3", "#Web3"),
        ("3D printing", None),
        ("2024", None),
        ("日本語", None),
        ("!!!", None),
        ("x" * 60, None),
    ],
)
def test_to_hashtag(phrase: str, tag: str | None) -> None:
    assert to_hashtag(phrase) == tag


@settings(max_examples=50, deadline=None)
@given(text=TEXT, topics=st.lists(WORDS, max_size=4), max_tags=st.integers(0, 5))
def test_hashtags_are_always_valid(text: str, topics: list[str], max_tags: int) -> None:
    tags = suggest_hashtags(text, title=None, author_topics=topics, max_tags=max_tags)
    assert len(tags) <= max_tags
    assert all(HASHTAG.fullmatch(t) for t in tags)


def test_render_template() -> None:
    text = render_template(
        "{title}\n\n{summary}\n\n{link}\n\n{hashtags}",
        summary="It went well.",
        link=LINK,
        hashtags=["#Postgres", "#Citus"],
        title="Sharding",
    )
    assert text == f"Sharding\n\nIt went well.\n\n{LINK}\n\n#Postgres #Citus"


def test_render_template_folds_empty_values_and_keeps_literal_braces() -> None:
    text = render_template(
        "New post: {title} {{draft}}\n\n{summary}\n\n{link} {hashtags}",
        summary="",
        link=LINK,
        hashtags=[],
        title="A {weird} title",
    )
    assert text == f"New post: A {{weird}} title {{draft}}\n\n{LINK}"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{summary} {url}", "unknown placeholder {url}"),
        ("{summary.__class__}", "unknown placeholder {summary.__class__}"),
        ("{link[0]}", "unknown placeholder {link[0]}"),
        ("{} {link}", "empty placeholder"),
        ("{0}", "empty placeholder"),
        ("{summary:>200}", "placeholders take no formatting"),
        ("{summary!r}", "placeholders take no formatting"),
        ("{summary", "unbalanced braces"),
        ("oops }", "unbalanced braces"),
    ],
)
def test_bad_templates_are_refused_with_a_clear_message(template: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_template(template)
    with pytest.raises(ValueError, match=re.escape(message)):
        render_template(template, summary="s", link=LINK, hashtags=[], title="t")


def test_post_length_counts_links_as_link_length() -> None:
    assert post_length(f"Read {LINK} now", link_length=23) == len("Read  now") + 23
    assert post_length("no links", link_length=23) == 8


def test_draft_post_from_an_article() -> None:
    article = Article(title=TITLE, text=ARTICLE, description=None, author=None, date=None)
    draft = draft_post(
        article, post_max_chars=500, link_length=23, link=LINK, author_topics=["postgres"]
    )
    assert draft.text.startswith(TITLE + "\n\n")
    assert LINK in draft.text
    assert draft.hashtags[0] == "#Postgres"
    assert draft.summary and draft.summary in draft.text
    assert post_length(draft.text, link_length=23) <= 500


def test_draft_post_from_a_feed_entry_uses_its_link_and_html() -> None:
    entry = FeedEntry(
        guid="g1",
        link=LINK,
        title=TITLE,
        summary_html="",
        content_html="".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")),
        published=None,
        updated=None,
    )
    draft = draft_post(entry, post_max_chars=300, link_length=23, template="{summary} {link}")
    assert draft.text.endswith(" " + LINK)
    assert "<p>" not in draft.text
    assert post_length(draft.text, link_length=23) <= 300


def test_draft_post_drops_hashtags_then_shortens_title_when_tight() -> None:
    article = Article(title=TITLE * 3, text=ARTICLE, description=None, author=None, date=None)
    draft = draft_post(article, post_max_chars=120, link_length=23, link=LINK)
    assert post_length(draft.text, link_length=23) <= 120
    assert LINK in draft.text


def test_draft_post_refuses_when_the_link_alone_does_not_fit() -> None:
    article = Article(title=TITLE, text=ARTICLE, description=None, author=None, date=None)
    with pytest.raises(ValueError, match="do not fit"):
        draft_post(
            article,
            post_max_chars=30,
            link_length=23,
            link=LINK,
            template="Fresh from the blog: {link}",
        )
    with pytest.raises(ValueError, match="no link"):
        draft_post(article, post_max_chars=500, link_length=23)


@example(text="Aaa aab aaaaaaaa.", title="0", max_chars=115, link_length=29, with_url_in_text=True)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=TEXT,
    title=st.text(max_size=300),
    max_chars=st.integers(min_value=60, max_value=1000),
    link_length=st.integers(min_value=10, max_value=40),
    with_url_in_text=st.booleans(),
)
def test_drafts_always_fit(
    text: str, title: str, max_chars: int, link_length: int, with_url_in_text: bool
) -> None:
    if with_url_in_text:
        text = "See http://x.io for more. " + text
    article = Article(title=title, text=text, description=None, author=None, date=None)
    draft = draft_post(article, post_max_chars=max_chars, link_length=link_length, link=LINK)
    assert post_length(draft.text, link_length=link_length) <= max_chars
    assert LINK in draft.text


def test_extract_article_uses_trafilatura_then_falls_back_to_meta_description() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n"))
    html = (
        "<html><head><title>Sharding Postgres with Citus | Ana's blog</title>"
        '<meta name="description" content="How we sharded Postgres.">'
        '<meta name="author" content="Ana Lima">'
        '<meta property="article:published_time" content="2024-10-01T10:00:00Z">'
        f"</head><body><nav>Home About</nav><article><h1>{TITLE}</h1>{paragraphs}</article>"
        "<footer>Subscribe to the newsletter</footer></body></html>"
    ).encode()
    article = extract_article(html, "https://blog.example.com/posts/sharding")
    assert "p99 latency" in article.text
    assert "Subscribe" not in article.text
    assert article.title and "Sharding Postgres" in article.title
    assert article.description == "How we sharded Postgres."
    assert article.date is not None and article.date.isoformat() == "2024-10-01"

    empty = extract_article(
        b'<html><head><title>T</title><meta name="description" content="Only &amp; this">'
        b"</head><body></body></html>",
        "https://x.example/",
    )
    assert empty.text == "Only & this"
    assert empty.description == "Only & this"
    assert empty.title == "T"
