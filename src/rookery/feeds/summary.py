"""Drafting a promotion post for a new blog article: extract, summarise, tag, fill the template.

The summary is extractive (whole sentences of the author's own text, never rewritten), which
keeps the author's voice and cannot invent claims. Sentences are scored by TF-IDF centrality
(how much a sentence shares with the rest of the article), position (leads are written to
summarise) and overlap with the title, and the best one or two are kept in article order.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from rookery.feeds.parsing import FeedEntry
from rookery.outbound.linkmeta import extract_link_card, strip_html, truncate_text

__all__ = [
    "DEFAULT_TEMPLATE",
    "TEMPLATE_FIELDS",
    "Article",
    "Draft",
    "draft_post",
    "extract_article",
    "post_length",
    "render_template",
    "suggest_hashtags",
    "summarise",
    "to_hashtag",
    "validate_template",
]

TEMPLATE_FIELDS = ("summary", "link", "hashtags", "title")
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{link}\n\n{hashtags}"
ELLIPSIS = "…"
TITLE_IN_POST_MAX = 150
# Summarising a book-length post costs O(n^2) in sentences; the argument is in the first part.
_MAX_SENTENCES_SCORED = 80
_MAX_SENTENCES_PICKED = 2
# yake is the slow step (~12 ms per kB of text on a 2-core box); the title and the lede carry
# the topic anyway. Author topics are matched against much more, since that is a cheap regex.
_KEYWORD_TEXT_CHARS = 1500
_TOPIC_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class Article:
    title: str | None
    text: str
    description: str | None
    author: str | None
    date: date | None


@dataclass(frozen=True)
class Draft:
    text: str
    summary: str
    hashtags: list[str]
    title: str


# --- extraction -------------------------------------------------------------------------------


def extract_article(html: bytes, url: str) -> Article:
    """Main text and metadata of an article page (trafilatura), or its meta description."""
    import trafilatura  # Heavy import (lxml, justext, htmldate); only extraction needs it.

    card = extract_link_card(html, url, None)
    document: Any = None
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            # Without this htmldate digs through the whole page and "finds" dates in text.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:
        # Any extractor failure (it has many code paths on odd markup) means "fall back to
        # the meta description", never an error for the author.
        document = None

    text = (getattr(document, "text", None) or "").strip()
    description = _clean_meta(getattr(document, "description", None)) or card.description
    return Article(
        title=_clean_meta(getattr(document, "title", None)) or card.title,
        text=text or description or "",
        description=description,
        author=_clean_meta(getattr(document, "author", None)),
        date=_iso_date(getattr(document, "date", None)),
    )


def _clean_meta(value: str | None) -> str | None:
    if not value:
        return None
    return truncate_text(strip_html(value), 300) or None


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


# --- sentences --------------------------------------------------------------------------------

# Typographic quotes and dashes, spelled as escapes so no look-alike hides in the source.
_QUOTES = "\"'\u201c\u201d\u2018\u2019"
_DASHES = "-\u2013\u2014"


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_ABBREVIATIONS = _wordset(
    "mr mrs ms dr prof sr jr st vs etc e.g i.e eg ie inc ltd co corp fig no vol approx "
    "u.s u.k jan feb mar apr jun jul aug sep sept oct nov dec cf al ca resp"
)
_BOUNDARY = re.compile(r"([.!?…]+)([" + re.escape(_QUOTES) + r")\]]*)\s+")
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_TERMINAL = ".!?…"
_CLOSERS = _QUOTES + ")]"
_STOPWORDS = _wordset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves new one two also get got like use using used way make made many much
    may might must need said says say well even still since yet however"""
)
# Sentences that open with these lean on the previous sentence and read badly alone.
_DANGLING_OPENERS = _wordset(
    "but and so however also this that these those it they he she then thus therefore "
    "moreover furthermore which"
)


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            end = match.end(2)
            before = paragraph[start : match.start(1)].rsplit(" ", 1)[-1].lower().strip("(\"'")
            nxt = paragraph[match.end() : match.end() + 1]
            if match.group(1) == "." and (
                before in _ABBREVIATIONS
                or (len(before) == 1 and before.isalpha())  # an initial: "J. R. R. Tolkien"
                or not (nxt.isupper() or nxt.isdigit() or (nxt and nxt in _QUOTES + "("))
            ):
                continue
            sentences.append(paragraph[start:end].strip())
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def _terms(sentence: str) -> list[str]:
    return [
        w
        for w in (m.group(0).lower().strip("'\u2019-") for m in _WORD.finditer(sentence))
        if len(w) > 2 and w not in _STOPWORDS
    ]


def _score_sentences(sentences: list[str], title: str | None) -> list[float]:
    terms = [_terms(s) for s in sentences]
    n = len(sentences)
    df: Counter[str] = Counter()
    for words in terms:
        df.update(set(words))
    idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
    vectors: list[dict[str, float]] = []
    norms: list[float] = []
    for words in terms:
        vec = {w: c * idf[w] for w, c in Counter(words).items()}
        vectors.append(vec)
        norms.append(math.sqrt(sum(v * v for v in vec.values())) or 1.0)

    centrality = [0.0] * n
    for i in range(n):
        vi = vectors[i]
        for j in range(i + 1, n):
            vj = vectors[j]
            small, big = (vi, vj) if len(vi) < len(vj) else (vj, vi)
            dot = sum(v * big[w] for w, v in small.items() if w in big)
            if dot:
                sim = dot / (norms[i] * norms[j])
                centrality[i] += sim
                centrality[j] += sim
    top = max(centrality) or 1.0
    title_terms = set(_terms(title or ""))

    scores: list[float] = []
    for i, sentence in enumerate(sentences):
        words = sentence.split()
        score = 0.45 * centrality[i] / top + 0.35 / math.sqrt(1 + i)
        if title_terms:
            score += 0.2 * len(title_terms & set(terms[i])) / len(title_terms)
        if len(words) < 6 or not terms[i]:
            score *= 0.3  # headings, captions, "Read more."
        elif len(words) > 45:
            score *= 0.7
        if i > 0 and words[0].lower().strip(",") in _DANGLING_OPENERS:
            score *= 0.6
        if sentence.endswith("?") or sentence.endswith(":"):
            score *= 0.8
        scores.append(score)
    return scores


def _with_terminal(sentence: str) -> str:
    core = sentence.rstrip(_CLOSERS)
    if core and core[-1] in _TERMINAL:
        return sentence
    return sentence.rstrip(",;: " + _DASHES) + "."


def _trim_words(sentence: str, max_chars: int) -> str:
    """The longest run of whole leading words that fits with an ellipsis; "" if none does."""
    out = ""
    for word in sentence.split():
        candidate = f"{out} {word}" if out else word
        if len(candidate.rstrip(",;:" + _DASHES) + ELLIPSIS) > max_chars:
            break
        out = candidate
    if not out:
        return ""
    return out.rstrip(",;:." + _DASHES) + ELLIPSIS


def summarise(text: str, *, title: str | None, max_chars: int) -> str:
    """One or two of the article's most representative sentences, at most ``max_chars`` long.

    Never cuts a word; the result ends with sentence punctuation, or with "…" when even the
    best sentence had to be shortened. Returns "" when nothing fits (no text, or not even one
    word).
    """
    if max_chars <= 0:
        return ""
    sentences = [_with_terminal(s) for s in split_sentences(text)[:_MAX_SENTENCES_SCORED]]
    if not sentences:
        return ""
    scores = _score_sentences(sentences, title)
    ranked = sorted(range(len(sentences)), key=lambda i: scores[i], reverse=True)

    picked: list[int] = []
    used = 0
    # Only consider sentences near the top: a poor sentence that happens to be short is
    # worse than a good one shortened.
    for i in ranked[:5]:
        extra = len(sentences[i]) + (1 if picked else 0)
        if used + extra <= max_chars:
            picked.append(i)
            used += extra
            if len(picked) == _MAX_SENTENCES_PICKED:
                break
    if picked:
        return " ".join(sentences[i] for i in sorted(picked))
    return _trim_words(sentences[ranked[0]], max_chars)


# --- hashtags ---------------------------------------------------------------------------------

_HASHTAG = re.compile(r"#[A-Za-z_][A-Za-z0-9_]*")
_HASHTAG_MAX = 40


@lru_cache(maxsize=4)
def _keyword_extractor(max_words: int) -> Any:
    import yake

    return yake.KeywordExtractor(lan="en", n=max_words, dedup_lim=0.7, top=20)


def to_hashtag(phrase: str) -> str | None:
    """``"machine learning"`` -> ``"#MachineLearning"``; None if no valid ASCII tag results."""
    ascii_text = unicodedata.normalize("NFKD", phrase).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^A-Za-z0-9]+", ascii_text) if w]
    if not words:
        return None
    # Words that already carry capitals ("PostgreSQL", "iOS") keep them.
    tag = "#" + "".join(w if any(c.isupper() for c in w) else w[0].upper() + w[1:] for w in words)
    if len(tag) > _HASHTAG_MAX or not _HASHTAG.fullmatch(tag) or tag[1:].isdigit():
        return None
    return tag


def _phrase_words(phrase: str) -> frozenset[str]:
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z0-9]+", phrase))


def suggest_hashtags(
    text: str, *, title: str | None, author_topics: Sequence[str], max_tags: int = 3
) -> list[str]:
    """Up to ``max_tags`` hashtags: the author's own topics that the article is about first,
    then the article's key phrases (yake). Empty only when the text yields no usable phrase.
    """
    if max_tags <= 0:
        return []
    source = f"{title or ''}.\n{text[:_KEYWORD_TEXT_CHARS]}"
    lowered = f"{title or ''}\n{text[:_TOPIC_TEXT_CHARS]}".lower()
    candidates: list[str] = []

    # The author's topics are their chosen vocabulary (and what their followers follow),
    # so a topic the article actually mentions beats any phrase yake finds.
    mentioned: list[tuple[int, int, str]] = []
    for order, topic in enumerate(author_topics):
        words = _phrase_words(topic)
        if not words:
            continue
        pattern = r"\b" + r"[\s\-]+".join(re.escape(w) for w in topic.lower().split()) + r"\b"
        hits = len(re.findall(pattern, lowered))
        if hits:
            mentioned.append((-hits, order, topic))
    candidates.extend(topic for _, _, topic in sorted(mentioned))

    if source.strip(". \n"):
        for phrase, _score in _keyword_extractor(2).extract_keywords(source):
            words = phrase.split()
            if all(w.lower() in _STOPWORDS or len(w) < 3 for w in words):
                continue
            candidates.append(phrase)

    tags: list[str] = []
    chosen_words: list[frozenset[str]] = []
    for phrase in candidates:
        tag = to_hashtag(phrase)
        if tag is None:
            continue
        words = _phrase_words(phrase)
        # "#Gun" next to "#GunControl" says the same thing twice.
        if any(words <= seen or seen <= words for seen in chosen_words):
            continue
        tags.append(tag)
        chosen_words.append(words)
        if len(tags) == max_tags:
            break
    return tags


# --- templates --------------------------------------------------------------------------------

_FIELD_LIST = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)


def _parse_template(template: str) -> list[tuple[str, str | None]]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(
            "unbalanced braces in the template; write {{ or }} for a literal brace"
        ) from exc
    parts: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parsed:
        if field is not None:
            if field == "" or field.isdigit():
                raise ValueError(f"empty placeholder {{}} in the template; use {_FIELD_LIST}")
            if field not in TEMPLATE_FIELDS:
                raise ValueError(f"unknown placeholder {{{field}}}; use {_FIELD_LIST}")
            if spec or conversion:
                raise ValueError(f"placeholders take no formatting: write {{{field}}}")
        parts.append((literal, field))
    return parts


def validate_template(template: str) -> None:
    """Raise ``ValueError`` with a message for the form if ``template`` cannot be rendered."""
    _parse_template(template)


def render_template(
    template: str, *, summary: str, link: str, hashtags: Sequence[str] | str, title: str
) -> str:
    """Fill the template's placeholders; lines left empty by empty values are folded away.

    Substitution is literal (no ``str.format``), so values containing braces are safe and a
    template cannot reach attributes such as ``{summary.__class__}``.
    """
    values = {
        "summary": summary,
        "link": link,
        "hashtags": hashtags if isinstance(hashtags, str) else " ".join(hashtags),
        "title": title,
    }
    out: list[str] = []
    for literal, field in _parse_template(template):
        out.append(literal)
        if field is not None:
            out.append(values[field])
    lines = [line.rstrip() for line in "".join(out).strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- drafting ---------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"]+")
_MIN_SUMMARY = 60


def post_length(text: str, *, link_length: int) -> int:
    """Length as a Mastodon-style counter sees it: every http(s) URL counts ``link_length``."""
    return len(_URL.sub("", text)) + link_length * len(_URL.findall(text))


def draft_post(
    source: Article | FeedEntry,
    *,
    post_max_chars: int,
    link_length: int,
    link: str | None = None,
    template: str = DEFAULT_TEMPLATE,
    author_topics: Sequence[str] = (),
    max_tags: int = 3,
) -> Draft:
    """A post promoting ``source`` that fits ``post_max_chars`` with the link counted in full.

    Room is made in this order: hashtags are dropped (last first) while the summary would be
    shorter than a sentence, then the title is shortened, and the summary takes what is left.
    Raises ``ValueError`` if the template and link alone cannot fit.
    """
    parts = _parse_template(template)
    fields = {field for _, field in parts if field}
    if isinstance(source, FeedEntry):
        title = source.title
        body = strip_html(source.content_html or source.summary_html, keep_paragraphs=True)
        link = link or source.link
    else:
        title = source.title or ""
        body = source.text or source.description or ""
    if "link" in fields and not link:
        raise ValueError("there is no link to promote")
    link = link or ""

    title = truncate_text(title, TITLE_IN_POST_MAX)
    tags = (
        suggest_hashtags(body, title=title, author_topics=author_topics, max_tags=max_tags)
        if "hashtags" in fields
        else []
    )

    def length_with(summary: str, tags: list[str], title: str) -> int:
        text = render_template(template, summary=summary, link=link, hashtags=tags, title=title)
        return post_length(text, link_length=link_length)

    def summary_budget(tags: list[str], title: str) -> int:
        if "summary" not in fields:
            return 0
        # Measured with a one-character stand-in: an empty summary would let the renderer fold
        # its line away and understate what a real one costs.
        return post_max_chars - (length_with("x", tags, title) - 1)

    budget = summary_budget(tags, title)
    while tags and budget < _MIN_SUMMARY:
        tags = tags[:-1]
        budget = summary_budget(tags, title)
    if budget < 0 and title:
        title = truncate_text(title, max(len(title) + budget, 0))
        if len(title) < 12:
            title = ""
        budget = summary_budget(tags, title)
    if "summary" not in fields:
        budget = 0

    summary = summarise(body, title=title, max_chars=budget) if budget > 0 else ""
    # The summary may itself hold a URL, which the counter measures differently from its
    # characters; shrink until the whole post fits.
    for _ in range(5):
        overshoot = length_with(summary, tags, title) - post_max_chars
        if overshoot <= 0 or not summary:
            break
        budget -= overshoot
        summary = summarise(body, title=title, max_chars=budget) if budget > 0 else ""
    if summary and length_with(summary, tags, title) > post_max_chars:
        # Only a summary made of little but a URL gets here: the post is better without it.
        summary = ""
    text = render_template(template, summary=summary, link=link, hashtags=tags, title=title)
    if post_length(text, link_length=link_length) > post_max_chars:
        raise ValueError(f"the post template and link do not fit in {post_max_chars} characters")
    return Draft(text=text, summary=summary, hashtags=tags, title=title)
