"""Assembling one reader's catch-up ("Today"): candidates -> pure ranking -> posts to show.

Read-only: shared by the page, the email and the Atom feed, so all three show the same thing.
A reader without a settings row gets the defaults without one being written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rookery.accounts.models import User
from rookery.algorithms.catchup import CatchupItem, build_catchup
from rookery.catchup import selectors
from rookery.catchup.models import CatchupSettings
from rookery.notifications.models import Notification
from rookery.posts.models import Post

SECTION_TITLES = {
    "technical": "Technical & industry",
    "questions": "Questions you could answer",
    "network": "From your network",
}


@dataclass
class TodayItem:
    post: Post
    item: CatchupItem
    folded: list[Post] = field(default_factory=list)
    hashtags: tuple[str, ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.item.reasons

    @property
    def topics(self) -> list[str]:
        """Hashtags offered for "Mute this topic"."""
        return list(self.hashtags[:3])


@dataclass
class TodaySection:
    key: str
    title: str
    items: list[TodayItem]


@dataclass
class Today:
    sections: list[TodaySection]
    skipped: list[TodayItem]
    notifications: list[Notification]
    newest_post_id: int
    total_candidates: int
    budget_minutes: int
    model_trained: bool

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)

    @property
    def shown_count(self) -> int:
        return sum(len(s.items) for s in self.sections)

    @property
    def newest_notification_id(self) -> int:
        return max((n.pk for n in self.notifications), default=0)

    @property
    def worth_sending(self) -> bool:
        """Whether an email would tell the reader anything (noise alone is not news)."""
        return self.shown_count > 0 or bool(self.notifications)

    def items(self) -> list[TodayItem]:
        return [i for s in self.sections for i in s.items]


def settings_of(user: User) -> CatchupSettings:
    prefs = CatchupSettings.objects.filter(user=user).first()
    return prefs if prefs is not None else CatchupSettings(user=user)


def catchup_today(
    user: User,
    *,
    now: datetime,
    since_id: int | None = None,
    prefs: CatchupSettings | None = None,
) -> Today:
    """The reader's catch-up since ``since_id`` (default: their home marker)."""
    prefs = prefs or settings_of(user)
    if since_id is None:
        since_id = selectors.marker_id(user.pk)
    found = selectors.candidates_for(user, since_id=since_id, now=now)
    reader = selectors.reader_for(user, prefs, now=now)
    model = selectors.reader_model_for(prefs, selectors.current_prior())
    people = {c.author_id for c in found.candidates}
    people.update(p for c in found.candidates for p in c.shared_by)
    result = build_catchup(
        found.candidates, reader, model, now=now, names=selectors.names_for(people)
    )

    def wrap(item: CatchupItem) -> TodayItem:
        folded = [found.posts[i] for i in item.folded_post_ids if i in found.posts]
        return TodayItem(found.posts[item.post_id], item, folded, found.tags.get(item.post_id, ()))

    sections = [
        TodaySection(key, SECTION_TITLES[key], [wrap(i) for i in items])
        for key, items in result.sections.items()
    ]
    return Today(
        sections=sections,
        skipped=[wrap(i) for i in result.skipped_noise],
        notifications=selectors.new_followers_and_mentions(user, now=now),
        newest_post_id=max(found.newest_post_id, since_id),
        total_candidates=result.total_candidates,
        budget_minutes=prefs.budget_minutes,
        model_trained=not model.is_untrained,
    )
