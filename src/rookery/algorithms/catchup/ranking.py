"""The morning catch-up pipeline.

candidates -> filters (blocks, mutes, muted words) -> folding -> model (p_signal, p_less) ->
score -> noise split -> sections -> diversity caps -> reading budget.

Filters run before folding, not after: a blocked or muted person's share must neither become
the representative of a folded link nor appear in its "shared by" list, and a muted word in
one copy of a near-duplicate must not hide the other copies' author choice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from .features import featurize, word_shingles
from .folding import FoldedGroup, fold, shared_by_phrase
from .noise import ReaderModel
from .types import (
    SECTION_NETWORK,
    SECTION_NOISE,
    SECTION_QUESTIONS,
    SECTION_TECHNICAL,
    SECTIONS,
    Candidate,
    Catchup,
    CatchupItem,
    Reader,
)


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    signal: float = 2.0
    topic: float = 1.5
    affinity: float = 1.0
    engagement: float = 0.8
    shared: float = 0.6
    link: float = 0.3
    open_question: float = 0.3
    freshness: float = 0.3
    more_like_this: float = 1.5
    # Strong on purpose: a reader who said "less like this" and still sees such posts on top
    # the next morning stops trusting the button.
    less_like_this: float = 4.0


@dataclass(frozen=True, slots=True)
class CatchupLimits:
    noise_threshold: float = 0.5
    max_per_author: int = 3
    max_per_topic: int = 5
    max_questions: int = 5
    words_per_minute: float = 230.0
    # Even a one-liner costs a glance; a link costs a skim of what it points to.
    seconds_per_item: float = 6.0
    seconds_per_link: float = 30.0
    # Smoothing for engagement/audience: an author with 3 followers and 2 likes is not viral.
    audience_prior: float = 25.0
    # Engagement per follower at which the engagement feature reaches one half.
    engagement_half: float = 0.05
    freshness_hours: float = 24.0


DEFAULT_WEIGHTS = ScoreWeights()
DEFAULT_LIMITS = CatchupLimits()


def muted_words_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any muted word or phrase as a whole word.

    Look-arounds instead of \\b so that words starting or ending with punctuation ("#rust",
    "c++") still match whole: \\b needs a word character on one side.
    """
    cleaned = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(w) for w in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def is_filtered(
    candidate: Candidate, hidden: frozenset[int], muted: re.Pattern[str] | None
) -> bool:
    """Whether a post must not appear at all: by a blocked or muted author, or muted words."""
    if candidate.author_id in hidden:
        return True
    if muted is not None:
        if muted.search(candidate.text):
            return True
        # A muted topic "rust" also hides posts tagged #rust whose text never says it.
        for tag in candidate.hashtags:
            bare = tag.lstrip("#")
            if muted.fullmatch(bare) or muted.fullmatch(f"#{bare}"):
                return True
    return False


def _scrub_sharers(candidate: Candidate, hidden: frozenset[int]) -> Candidate:
    if not candidate.shared_by or hidden.isdisjoint(candidate.shared_by):
        return candidate
    return replace(candidate, shared_by=tuple(p for p in candidate.shared_by if p not in hidden))


def _norm_tag(tag: str) -> str:
    return tag.lstrip("#").lower()


def reading_seconds(candidate: Candidate, limits: CatchupLimits = DEFAULT_LIMITS) -> float:
    words = len(candidate.text.split())
    seconds = limits.seconds_per_item + words * 60.0 / limits.words_per_minute
    if candidate.link_url:
        seconds += limits.seconds_per_link
    return seconds


@dataclass(slots=True)
class _Scored:
    group: FoldedGroup
    rep: Candidate
    score: float
    p_signal: float
    taste: float
    engagement: float
    affinity: float
    matched_topics: tuple[str, ...]
    text_topic_match: bool
    section: str
    member_post_ids: tuple[int, ...]
    reposted_by: tuple[tuple[int, ...], ...]


def build_catchup(
    candidates: Sequence[Candidate],
    reader: Reader,
    model: ReaderModel,
    *,
    now: datetime,
    names: Mapping[int, str] | None = None,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
    limits: CatchupLimits = DEFAULT_LIMITS,
) -> Catchup:
    """Rank what arrived since the reader last looked into a budgeted, sectioned catch-up.

    `names` (person id -> display name) is used only to write reasons such as "shared by Ana,
    Bo and 4 others"; without it ids are shown ("user 7"). Items dropped by diversity caps or
    the reading budget are not returned; items below the noise threshold are, in
    `skipped_noise`, best first, so "42 posts skipped as noise — show" can list them.
    """
    total = len(candidates)
    sections: dict[str, list[CatchupItem]] = {name: [] for name in SECTIONS}
    hidden = reader.blocked_ids | reader.muted_author_ids
    muted = muted_words_pattern(reader.muted_words)
    kept = [_scrub_sharers(c, hidden) for c in candidates if not is_filtered(c, hidden, muted)]
    if not kept:
        return Catchup(sections, [], total)

    features = featurize(kept)
    groups = fold(kept, shingles=word_shingles(features), affinity=reader.affinity)
    reps = np.array([g.representative for g in groups])
    p_signal, p_less = model.predict(features[reps])
    topics = frozenset(_norm_tag(t) for t in reader.topics)
    topic_pattern = muted_words_pattern(sorted(topics))

    scored = [
        _score(
            g,
            kept,
            float(p_signal[k]),
            float(p_less[k]),
            reader,
            topics,
            topic_pattern,
            now,
            weights,
            limits,
        )
        for k, g in enumerate(groups)
    ]
    scored.sort(key=lambda s: (-s.score, s.rep.post_id))

    name_of = _namer(names)
    noise = [s for s in scored if s.p_signal < limits.noise_threshold]
    shown = _select([s for s in scored if s.p_signal >= limits.noise_threshold], reader, limits)
    for s in shown:
        sections[s.section].append(_item(s, s.section, name_of))
    skipped = [_item(s, SECTION_NOISE, name_of) for s in noise]
    return Catchup(sections, skipped, total)


def _score(
    group: FoldedGroup,
    kept: Sequence[Candidate],
    p_signal: float,
    p_less: float,
    reader: Reader,
    topics: frozenset[str],
    topic_pattern: re.Pattern[str] | None,
    now: datetime,
    w: ScoreWeights,
    limits: CatchupLimits,
) -> _Scored:
    rep = kept[group.representative]
    members = [kept[i] for i in group.members]
    tags = [_norm_tag(t) for t in rep.hashtags]
    matched = tuple(dict.fromkeys(t for t in tags if t in topics))
    text_match = not matched and topic_pattern is not None and bool(topic_pattern.search(rep.text))
    topic = 1.0 if matched else 0.5 if text_match else 0.0

    # Engagement relative to the author's audience, summed over folded copies: a link that
    # several small accounts got traction with is as notable as one big account's post.
    engagement_rate = sum(
        (c.likes + 2 * c.reposts + c.replies) / (c.author_followers + limits.audience_prior)
        for c in members
    )
    engagement = engagement_rate / (engagement_rate + limits.engagement_half)
    affinity_raw = max((reader.affinity.get(p, 0.0) for p in group.shared_by), default=0.0)
    affinity = affinity_raw / (affinity_raw + 1.0) if affinity_raw > 0 else 0.0
    shared = min(1.0, (len(group.shared_by) - 1) / 4.0)
    newest = max(c.created_at for c in members)
    age_h = max(0.0, (now - newest).total_seconds() / 3600.0)
    freshness = math.exp(-age_h / limits.freshness_hours)
    is_open_q = rep.is_open_question and topic > 0
    taste = 1.0 - 2.0 * p_less  # -1 (asked for less) .. +1 (asked for more)

    score = (
        w.signal * p_signal
        + w.topic * topic
        + w.affinity * affinity
        + w.engagement * engagement
        + w.shared * shared
        + w.link * bool(rep.link_url)
        + w.open_question * is_open_q
        + w.freshness * freshness
        + w.more_like_this * max(taste, 0.0)
        + w.less_like_this * min(taste, 0.0)
    )
    if is_open_q:
        section = SECTION_QUESTIONS
    elif topic > 0 or rep.link_url:
        section = SECTION_TECHNICAL
    else:
        section = SECTION_NETWORK
    return _Scored(
        group=group,
        rep=rep,
        score=score,
        p_signal=p_signal,
        taste=taste,
        engagement=engagement,
        affinity=affinity_raw,
        matched_topics=matched,
        text_topic_match=text_match,
        section=section,
        member_post_ids=tuple(c.post_id for c in members[1:]),
        reposted_by=tuple(c.shared_by for c in members),
    )


def _select(ranked: Sequence[_Scored], reader: Reader, limits: CatchupLimits) -> list[_Scored]:
    """Greedy in score order under the diversity caps and the reading budget.

    An item that does not fit the remaining minutes is passed over rather than ending the
    catch-up, so a long post near the end does not crowd out two short ones.
    """
    budget = max(0, reader.reading_budget_minutes) * 60.0
    per_author: dict[int, int] = {}
    per_topic: dict[str, int] = {}
    questions = 0
    chosen = []
    min_cost = limits.seconds_per_item
    for s in ranked:
        if budget < min_cost:
            break
        author = s.rep.author_id
        topic = _primary_topic(s)
        if per_author.get(author, 0) >= limits.max_per_author:
            continue
        if topic is not None and per_topic.get(topic, 0) >= limits.max_per_topic:
            continue
        if s.section == SECTION_QUESTIONS and questions >= limits.max_questions:
            continue
        cost = reading_seconds(s.rep, limits)
        if cost > budget:
            continue
        budget -= cost
        per_author[author] = per_author.get(author, 0) + 1
        if topic is not None:
            per_topic[topic] = per_topic.get(topic, 0) + 1
        questions += s.section == SECTION_QUESTIONS
        chosen.append(s)
    return chosen


def _primary_topic(s: _Scored) -> str | None:
    if s.matched_topics:
        return s.matched_topics[0]
    return _norm_tag(s.rep.hashtags[0]) if s.rep.hashtags else None


def _namer(names: Mapping[int, str] | None) -> Callable[[int], str]:
    def name_of(person: int) -> str:
        if names and person in names:
            return names[person]
        return f"user {person}"

    return name_of


def _item(s: _Scored, section: str, name_of: Callable[[int], str]) -> CatchupItem:
    return CatchupItem(
        post_id=s.rep.post_id,
        folded_post_ids=s.member_post_ids,
        shared_by=s.group.shared_by,
        score=round(s.score, 6),
        p_signal=round(s.p_signal, 6),
        section=section,
        reasons=_reasons(s, section, name_of),
    )


def _reasons(s: _Scored, section: str, name_of: Callable[[int], str]) -> tuple[str, ...]:
    rep = s.rep
    reasons: list[str] = []
    tags = s.matched_topics or tuple(_norm_tag(t) for t in rep.hashtags[:3])
    if section == SECTION_NOISE:
        reasons.append(f"skipped as noise ({round(100 * (1 - s.p_signal))}% sure)")
    elif section == SECTION_QUESTIONS:
        about = " ".join(f"#{t}" for t in tags) if tags else "a topic you know"
        reasons.append(f"question about {about}")
    elif section == SECTION_TECHNICAL:
        if tags:
            reasons.append("technical: " + " ".join(f"#{t}" for t in tags))
        elif rep.link_domain:
            reasons.append(f"industry news from {rep.link_domain}")
        else:
            reasons.append("technical: mentions your topics")
    # shared_by always holds the author; more than one person means it was passed on.
    if len(s.group.shared_by) > 1:
        reasons.append(shared_by_phrase([name_of(p) for p in s.group.shared_by]))
    reposters = {p for c_shared in s.reposted_by for p in c_shared}
    if len(reposters) >= 2:
        reasons.append("popular with people you follow")
    elif s.engagement >= 0.5:
        reasons.append("popular with its author's audience")
    if s.affinity >= 1.0:
        reasons.append(f"you often interact with {name_of(rep.author_id)}")
    if s.taste >= 0.3:
        reasons.append("like posts you asked for more of")
    return tuple(reasons)
