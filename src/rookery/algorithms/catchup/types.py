from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

SECTION_TECHNICAL = "technical"
SECTION_NETWORK = "network"
SECTION_QUESTIONS = "questions"
SECTION_NOISE = "noise"
# Display order: technical content and industry news first (DESIGN.md, feature 3).
SECTIONS: tuple[str, ...] = (SECTION_TECHNICAL, SECTION_QUESTIONS, SECTION_NETWORK)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A post that arrived since the reader last looked.

    `shared_by` lists the ids of people (besides the author) who reposted it into the reader's
    view; folding adds the authors of posts sharing the same link.
    """

    post_id: int
    author_id: int
    text: str
    created_at: datetime
    hashtags: tuple[str, ...]
    link_url: str | None
    link_domain: str | None
    is_question: bool
    is_open_question: bool
    likes: int
    reposts: int
    replies: int
    author_followers: int
    from_network: bool
    shared_by: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Reader:
    """What the caller knows about the reader.

    `topics` doubles as the reader's expertise for "Questions you could answer". `affinity`
    maps author id to a time-decayed interaction weight (0 = none; about 1 = a few recent
    interactions); the caller computes the decay.
    """

    user_id: int
    topics: frozenset[str]
    muted_author_ids: frozenset[int]
    blocked_ids: frozenset[int]
    muted_words: tuple[str, ...]
    affinity: Mapping[int, float] = field(default_factory=dict)
    reading_budget_minutes: int = 15


@dataclass(frozen=True, slots=True)
class CatchupItem:
    post_id: int
    folded_post_ids: tuple[int, ...]
    shared_by: tuple[int, ...]
    score: float
    p_signal: float
    section: str
    reasons: tuple[str, ...]


@dataclass(slots=True)
class Catchup:
    sections: dict[str, list[CatchupItem]]
    skipped_noise: list[CatchupItem]
    total_candidates: int

    @property
    def skipped_count(self) -> int:
        return len(self.skipped_noise)

    def ranked(self) -> list[CatchupItem]:
        """All shown items in display order (sections in `SECTIONS` order)."""
        return [item for name in SECTIONS for item in self.sections.get(name, [])]
