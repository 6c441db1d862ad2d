"""Recording traction events cheaply: an in-memory buffer per process, written in batches.

A timeline request only appends small tuples to a list; rows reach the database in one
``bulk_create(ignore_conflicts=True)`` when the buffer holds ``FLUSH_SIZE`` events, when the
oldest has waited ``FLUSH_SECONDS`` (checked by ``TractionFlushMiddleware`` after each response,
and by a timer thread in idle processes), and when the process exits normally (``atexit``).
A hard crash (SIGKILL, power loss) loses what is buffered: at most ``FLUSH_SECONDS`` of events
of that one process. De-duplication ("once per viewer per post per day") is the database's
unique constraint, so any number of processes buffer independently and never double count.

Who counts as a viewer (docs/traction.md): a signed-in user by id; an anonymous visitor by the
session key when they have a session, otherwise by a salted hash of (day, IP, User-Agent) that
changes daily. Obvious bots and link-preview fetchers, by User-Agent, are never counted, and
neither is the author.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from rookery.accounts.models import User
from rookery.algorithms.traction import day_bucket, hour_bucket
from rookery.posts.models import Post
from rookery.traction.models import Event, EventKind, ShortLink, Surface

logger = logging.getLogger(__name__)

FLUSH_SIZE = 500
FLUSH_SECONDS = 5.0

BOT_RE = re.compile(
    r"bot\b|bot/|crawler|spider|preview|facebookexternalhit|facebookcatalog|twitterbot|slackbot"
    r"|slack-imgproxy|discordbot|telegrambot|whatsapp|linkedinbot|embedly|skypeuripreview"
    r"|mastodon/|pleroma|akkoma|misskey|http\.rb/|curl/|wget/|python-requests|python-urllib"
    r"|httpx|aiohttp|go-http-client|okhttp|java/|libwww|headlesschrome-bot|lighthouse",
    re.IGNORECASE,
)

SURFACES = {
    "timeline": Surface.TIMELINE,
    "thread": Surface.THREAD,
    "profile": Surface.PROFILE,
    "api": Surface.API,
    "link": Surface.LINK,
}


def is_bot(user_agent: str) -> bool:
    """Obvious automated clients; an empty User-Agent is one too (browsers always send one)."""
    return not user_agent.strip() or BOT_RE.search(user_agent) is not None


def _hash_key(key: str) -> int:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    # Negative, so an anonymous visitor can never collide with a user id.
    return -(int.from_bytes(digest, "big") >> 2) - 1


def viewer_key(request: HttpRequest, now: datetime) -> int | None:
    """The viewer id an event is counted under, or None when it must not count (a bot)."""
    if is_bot(request.headers.get("User-Agent", "")):
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return int(user.pk)
    session = getattr(request, "session", None)
    session_key = session.session_key if session is not None else None
    if session_key:
        return _hash_key(f"s:{session_key}")
    # A daily salt with the secret key: stable within a day for de-duplication, unlinkable
    # across days, and not reversible to an IP address without the secret.
    salt = f"{settings.SECRET_KEY}:{now.date().isoformat()}"
    ip = request.META.get("REMOTE_ADDR", "")
    return _hash_key(f"a:{salt}:{ip}:{request.headers.get('User-Agent', '')}")


class EventBuffer:
    """Thread-safe list of pending events with size, age and exit flushes."""

    def __init__(
        self,
        *,
        size: int = FLUSH_SIZE,
        seconds: float = FLUSH_SECONDS,
        background: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.seconds = seconds
        self.background = background
        self.clock = clock
        self._events: list[Pending] = []
        self._oldest: float | None = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __len__(self) -> int:
        return len(self._events)

    def add(self, events: list[Pending]) -> None:
        if not events:
            return
        with self._lock:
            if self._oldest is None:
                self._oldest = self.clock()
                self._start_timer()
            self._events.extend(events)
            full = len(self._events) >= self.size
        if full:
            self._flush_soon()

    def due(self) -> bool:
        oldest = self._oldest
        return oldest is not None and (
            len(self._events) >= self.size or self.clock() - oldest >= self.seconds
        )

    def flush_if_due(self) -> None:
        if self.due():
            self._flush_soon()

    def _flush_soon(self) -> None:
        """Write now, off the request's thread when background flushing is on.

        A full batch is ~50 ms of inserts; done inline it lands on one unlucky reader's request.
        """
        if not self.background:
            self.flush()
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(0, self._flush_in_thread)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> int:
        with self._lock:
            events, self._events, self._oldest = self._events, [], None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if not events:
            return 0
        try:
            # A savepoint, so a failure inside a caller's transaction doesn't poison it.
            with transaction.atomic():
                Event.objects.bulk_create(
                    [Event(**event._asdict()) for event in events],
                    batch_size=1000,
                    ignore_conflicts=True,
                )
        except DatabaseError:
            # Analytics must never break a page; the batch is dropped and the failure logged.
            logger.exception("traction: dropped %d events that could not be written", len(events))
            return 0
        return len(events)

    def _start_timer(self) -> None:
        # Only while events wait: an idle process holds at most FLUSH_SECONDS of them.
        if not self.background or self._timer is not None:
            return
        self._timer = threading.Timer(self.seconds, self._flush_in_thread)
        self._timer.daemon = True
        self._timer.start()

    def _flush_in_thread(self) -> None:
        with self._lock:
            self._timer = None
        try:
            self.flush()
        finally:
            connection.close()  # this thread's own connection, not a request's


# Under pytest nothing is written behind a test's back (a flush would add queries to the
# query-counting tests of other apps); traction's own tests flush explicitly.
_TESTING = getattr(settings, "TESTING", False)
buffer = EventBuffer(
    size=10**9 if _TESTING else FLUSH_SIZE,
    seconds=float("inf") if _TESTING else FLUSH_SECONDS,
    background=not _TESTING,
)
if not _TESTING:
    # (Under pytest the test database is gone by exit time; leftovers belong to no test.)
    atexit.register(buffer.flush)


def flush() -> int:
    return buffer.flush()


def _now() -> datetime:
    return timezone.now()


class Pending(NamedTuple):
    """An event waiting in the buffer: a plain tuple, because building a model instance per
    impression was most of what recording cost a timeline request. Models are built at flush."""

    kind: int
    owner_id: int
    post_id: int
    link_id: int
    viewer: int
    surface: int
    hour: datetime
    day: date


def _event(
    kind: int, *, owner_id: int, post_id: int, link_id: int, viewer: int, surface: int, at: datetime
) -> Pending:
    return Pending(
        kind, owner_id, post_id, link_id, viewer, surface, hour_bucket(at), day_bucket(at)
    )


def _viewer_of(viewer: HttpRequest | User | None, now: datetime) -> int | None:
    if viewer is None:
        return None
    if isinstance(viewer, HttpRequest):
        return viewer_key(viewer, now)
    return int(viewer.pk) if viewer.is_authenticated else None


def record_impressions(
    viewer: HttpRequest | User | None, posts: Iterable[Post], surface: str
) -> int:
    """Count that ``posts`` were shown; pass the request (preferred: bots are recognised by it).

    A repost counts as an impression of the original post. Returns the number buffered.
    """
    now = _now()
    key = _viewer_of(viewer, now)
    if key is None:
        return 0
    where = SURFACES[surface]
    events = []
    seen: set[int] = set()
    for post in posts:
        shown = post.reblog_of if post.reblog_of_id is not None else post
        if shown is None or shown.pk in seen or shown.author_id == key:
            continue
        seen.add(shown.pk)
        events.append(
            _event(
                EventKind.IMPRESSION,
                owner_id=shown.author_id,
                post_id=shown.pk,
                link_id=0,
                viewer=key,
                surface=where,
                at=now,
            )
        )
    buffer.add(events)
    return len(events)


def record_profile_visit(viewer: HttpRequest | User | None, profile: User) -> bool:
    now = _now()
    key = _viewer_of(viewer, now)
    if key is None or key == profile.pk:
        return False
    buffer.add(
        [
            _event(
                EventKind.PROFILE_VISIT,
                owner_id=profile.pk,
                post_id=0,
                link_id=0,
                viewer=key,
                surface=Surface.PROFILE,
                at=now,
            )
        ]
    )
    return True


def record_click(request: HttpRequest, link: ShortLink) -> bool:
    """Count a click on a short link; not by bots, not by the post's author."""
    now = _now()
    key = viewer_key(request, now)
    if key is None or link.post_id is None:
        return False
    author_id = link.post.author_id if link.post is not None else None
    if author_id is None or key == author_id:
        return False
    buffer.add(
        [
            _event(
                EventKind.CLICK,
                owner_id=author_id,
                post_id=link.post_id,
                link_id=link.pk,
                viewer=key,
                surface=Surface.LINK,
                at=now,
            )
        ]
    )
    return True


class TractionFlushMiddleware:
    """Writes the buffer after a response once it is full or FLUSH_SECONDS old."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        buffer.flush_if_due()
        return response
